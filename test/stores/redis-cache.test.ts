// RedisCacheStore on a real redis-server: the contract, then what only Redis has — a capacity
// shared by several proxies, what the keys look like, and a dead Redis.
import t from 'tap'
import { CacheUnavailableError } from '../../proxy/stores/cache.js'
import { createRedisClient, whenReady } from '../../proxy/stores/redis-connection.js'
import { RedisCacheStore } from '../../proxy/stores/redis-cache.js'
import { ResilientCacheStore } from '../../proxy/stores/resilient-cache.js'
import { startRedis } from '../helpers/redis.js'
import { cacheContract } from './cache-contract.js'

const server = await startRedis()
t.teardown(() => server.stop())
const client = createRedisClient({ url: server.url })
await whenReady(client)
t.teardown(() => client.disconnect())
let now = Date.now()
const store = new RedisCacheStore(client, { now: () => now })

t.test('contract', async (t) => {
  cacheContract(t, async () => ({ store, setTime: (ms) => (now = ms), close: async () => {} }))
})

t.test('two proxies writing one space keep it within its capacity together', async (t) => {
  const other = createRedisClient({ url: server.url })
  await whenReady(other)
  t.teardown(() => other.disconnect())
  const second = new RedisCacheStore(other, { now: () => now })
  const cap = 20 * 1000
  const writes = []
  for (let i = 0; i < 200; i++) writes.push((i % 2 ? store : second).set('shared', `key-${i}`, Buffer.alloc(900, 'v'), 60_000, cap))
  await Promise.all(writes)
  const used = await store.usedBytes('shared')
  t.ok(used <= cap, `${used} <= ${cap}`)
  t.ok(used > cap - 1000, 'and the capacity is used')
  t.equal(Number(await client.zcard(`${RedisCacheStore.genKey('shared').slice(0, -3)}0:lru`)), Math.floor(cap / 905))
})

t.test('flush is one INCR: the old generation is unreachable and expires on its own', async (t) => {
  await store.set('gen', 'k', Buffer.from('v'), 60_000, 1e6)
  const genKey = RedisCacheStore.genKey('gen')
  await store.flush('gen')
  t.equal(await client.get(genKey), '1')
  t.equal(await store.get('gen', 'k'), null)
  const ttl = await client.pttl(`${genKey.slice(0, -3)}0:lru`)
  t.ok(ttl > 0 && ttl <= 3_660_000, 'bookkeeping of generation 0 expires')
})

t.test('a dead Redis: the store rejects at once, the resilient store bypasses without waiting', async (t) => {
  const dead = createRedisClient({ url: server.url })
  await whenReady(dead)
  t.teardown(() => dead.disconnect())
  const direct = new RedisCacheStore(dead)
  const resilient = new ResilientCacheStore(direct, { retryMs: 60_000 })
  server.pause()
  try {
    const err = await direct.get('s', 'k').then(() => null, (e: unknown) => e)
    t.ok(err instanceof CacheUnavailableError, 'CacheUnavailableError')
    const start = Date.now()
    t.equal(await resilient.get('s', 'k'), null)
    t.equal(await resilient.set('s', 'k', Buffer.from('v'), 1000, 1000), false)
    t.equal(await resilient.get('s', 'k'), null)
    const took = Date.now() - start
    t.ok(took < 600, `bounded: ${took} ms for three calls (one timeout, then bypassed)`)
    t.same(resilient.state().outages, 1)
    t.same(resilient.state().bypassed, 3)
  } finally {
    server.resume()
  }
})
