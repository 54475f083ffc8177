import t from 'tap'
import { MemoryMeter } from '../../proxy/stores/memory-meter.js'
import { fresh, meterContract, request } from './meter-contract.js'

t.test('contract', async (t) => {
  meterContract(t, async () => {
    let now = 0
    const meter = new MemoryMeter({ now: () => now })
    return { meter, setTime: (ms) => (now = ms), close: () => meter.close() }
  })
})

t.test('expired entries are swept as the store is used', async (t) => {
  let now = Date.UTC(2031, 0, 1)
  const meter = new MemoryMeter({ now: () => now })
  for (let i = 0; i < 100; i++) await meter.decide(request(fresh('d'), [{ level: 'STAGE', key: 's', rate: 10, burst: 10 }]))
  t.equal(meter.size(), 100)
  now += 10_000
  for (let i = 0; i < 1024; i++) await meter.decide(request('same', [{ level: 'STAGE', key: 's', rate: 1e6, burst: 1e6 }]))
  t.equal(meter.size(), 1, 'only the live bucket is left')
})
