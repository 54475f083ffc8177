import t from 'tap'
import { MemoryCacheStore } from '../../proxy/stores/memory-cache.js'
import { cacheContract } from './cache-contract.js'

t.test('contract', async (t) => {
  cacheContract(t, async () => {
    let now = 0
    const store = new MemoryCacheStore({ now: () => now })
    return { store, setTime: (ms) => (now = ms), close: () => store.close() }
  })
})
