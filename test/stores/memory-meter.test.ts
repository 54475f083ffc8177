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

t.test('decideNow is decide without the promise; CountingMeter passes it through and counts it', async (t) => {
  const { CountingMeter } = await import('../../proxy/metering/metrics.js')
  let now = Date.UTC(2031, 0, 1)
  const a = new MemoryMeter({ now: () => now })
  const b = new MemoryMeter({ now: () => now })
  const counting = new CountingMeter(b)
  const req = request('d', [{ level: 'CLIENT', key: 'c', rate: 1, burst: 2 }, { level: 'ACCOUNT', key: 'account', rate: 100, burst: 100 }], { key: 'q', limit: 3, period: 'DAY' })
  const viaPromise: unknown[] = []
  const viaNow: unknown[] = []
  for (let i = 0; i < 6; i++) {
    if (i === 3) now += 1000
    if (i === 4) now += 5000
    viaPromise.push(await a.decide(req))
    viaNow.push(counting.decideNow!(req))
  }
  t.same(viaNow, viaPromise)
  t.match(viaNow, [
    { allowed: true, remaining: 2 },
    { allowed: true, remaining: 1 },
    { allowed: false, reason: 'THROTTLED', level: 'CLIENT' },
    { allowed: true, remaining: 0 },
    { allowed: false, reason: 'QUOTA_EXCEEDED' },
    { allowed: false, reason: 'QUOTA_EXCEEDED' },
  ])
  t.equal(counting.allowed, 3)
  t.equal(counting.throttled.CLIENT, 1)
  t.equal(counting.quotaExceeded, 2)
  t.equal(new CountingMeter({ decide: async () => ({ allowed: true, remaining: null }) } as never).decideNow, undefined, 'absent when the inner meter has none')
})
