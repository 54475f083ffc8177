// The response cache on a real 3-master Redis Cluster: the store contract, each stage's keys in
// one slot (no CROSSSLOT from the scripts), stages spread over every master, a capacity shared
// by two clients, flush; then through HTTP, as `tollgate proxy --redis-url a,b,c` builds it
// (createCacheStore): two gateways share hits, and a flush reaches both.
import t from 'tap'
import { createCacheStore } from '../../proxy/cache/create-store.js'
import { flushStageCaches } from '../../proxy/cache/flush-api.js'
import { cacheSpace } from '../../proxy/cache/key.js'
import { createRedisClient, whenReady } from '../../proxy/stores/redis-connection.js'
import { RedisCacheStore } from '../../proxy/stores/redis-cache.js'
import { startRedisCluster } from '../helpers/redis.js'
import { api, gatewayConfig, integration, integrationResponse, route, stage, startGateway, startUpstream } from '../proxy/helpers.js'
import { cacheContract } from './cache-contract.js'

const cluster = await startRedisCluster()
t.teardown(() => cluster.stop())
const client = createRedisClient({ url: cluster.url, cluster: true })
await whenReady(client, 10_000)
t.teardown(() => client.disconnect())
let now = Date.now()
const store = new RedisCacheStore(client, { now: () => now })

/** The master (its port) that serves a key's slot. */
async function owner(key: string): Promise<number> {
  const slot = Number(await client.cluster('KEYSLOT', key))
  const ranges = await client.cluster('SLOTS')
  const range = ranges.find(([a, b]) => slot >= a && slot <= b)
  return Number(range?.[2]?.[1])
}

/** KEYS on every master (a cluster client sends KEYS to one node only). */
async function allKeys(pattern: string): Promise<string[]> {
  if (!('nodes' in client)) throw new Error('not a cluster client')
  const lists = await Promise.all(client.nodes('master').map((n) => n.keys(pattern)))
  return lists.flat()
}

t.test('contract', async (t) => {
  cacheContract(t, async () => ({ store, setTime: (ms) => (now = ms), close: async () => {} }))
})

t.test("a stage's keys share one slot; stages land on every master", async (t) => {
  now = Date.now()
  const owners = new Set<number>()
  for (let i = 0; i < 24; i++) {
    const space = `spread-${process.pid}-${i}`
    t.equal(await store.set(space, 'k', Buffer.from(`v${i}`), 60_000, 1_000_000), true)
    t.same(await store.get(space, 'k'), Buffer.from(`v${i}`))
    const gen = RedisCacheStore.genKey(space)
    const tag = gen.slice(0, gen.indexOf('}') + 1)
    const keys = await allKeys(`${tag}*`)
    // Every key of the space: the generation, the value, the LRU order, the sizes, the total.
    t.ok(keys.length >= 4, `${keys.length} keys for ${space}`)
    const slots = new Set(await Promise.all(keys.map((k) => client.cluster('KEYSLOT', k))))
    t.equal(slots.size, 1, `${space}: one slot`)
    owners.add(await owner(gen))
  }
  t.equal(owners.size, 3, 'all three masters hold stages')
})

t.test('two clients writing one space keep it within its capacity together', async (t) => {
  now = Date.now()
  const other = createRedisClient({ url: cluster.url, cluster: true })
  await whenReady(other, 10_000)
  t.teardown(() => other.disconnect())
  const second = new RedisCacheStore(other, { now: () => now })
  const space = `shared-${process.pid}`
  const cap = 20 * 1000
  const writes = []
  for (let i = 0; i < 200; i++) writes.push((i % 2 ? store : second).set(space, `key-${i}`, Buffer.alloc(900, 'v'), 60_000, cap))
  await Promise.all(writes)
  const used = await store.usedBytes(space)
  t.ok(used <= cap, `${used} <= ${cap}`)
  t.ok(used > cap - 1000, 'and the capacity is used')
  await store.flush(space)
  t.equal(await store.usedBytes(space), 0, 'flushed: a new generation, empty')
  t.equal(await second.get(space, 'key-199'), null)
})

t.test('through HTTP: two proxies on the cluster share entries, and a flush reaches both', async (t) => {
  let served = 0
  const backend = await startUpstream((req, res) => {
    served++
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(`${req.url}-${served}`)
  })
  t.teardown(() => backend.close())
  const routes = [route('GET /things/{id}', integration({ type: 'HTTP', httpMethod: 'GET', uri: `${backend.origin}/things/{id}`, responses: [integrationResponse()], cacheKeyParameters: ['method.request.path.id'] }))]
  const cache = { capacityBytes: 1024 * 1024, routes: { 'GET /things/{id}': { ttlSeconds: 300, requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER' as const } } }
  const stages = Array.from({ length: 6 }, (_, i) => ({ ...stage(`s${i}`), cache }))
  const config = gatewayConfig([api('shop', routes, { stages })])
  const lines: string[] = []
  const stores = [0, 1].map(() => createCacheStore({ redisUrl: cluster.url, log: (line) => lines.push(line) }))
  t.teardown(() => Promise.all(stores.map((s) => s.close())))
  // As `tollgate proxy` does before it serves: without it the first requests find the cluster
  // client still learning the slots, and bypass the store.
  await Promise.all(stores.map((s) => s.ready(10_000)))
  const [one, two] = await Promise.all(stores.map((s) => startGateway(config, { cacheStore: s.store })))
  t.teardown(() => one!.close())
  t.teardown(() => two!.close())

  for (let i = 0; i < 6; i++) {
    const a = await one!.fetch('shop', `/s${i}/things/${i}`)
    const b = await two!.fetch('shop', `/s${i}/things/${i}`)
    t.equal(a.status, 200)
    t.equal(b.text, a.text, `stage s${i}: the second proxy is served the first one's entry`)
  }
  t.equal(served, 6, 'one backend call per stage')
  const owners = new Set(await Promise.all(stages.map((s) => owner(RedisCacheStore.genKey(cacheSpace('shop', s.name, undefined))))))
  t.ok(owners.size >= 2, `the stages' entries live on ${owners.size} masters`)

  // A flush of one stage (what `tollgate cache flush` ends in): both proxies miss it, the others still hit.
  t.same(await flushStageCaches(config, stores[0]!.store, 's0'), ['shop/s0'])
  const after = await two!.fetch('shop', '/s0/things/0')
  t.equal(served, 7, 'the flushed stage calls the backend again')
  t.not(after.text, (await one!.fetch('shop', '/s1/things/1')).text)
  t.equal(served, 7, 'the other stages still hit')
  t.same(lines.filter((l) => /unavailable|down/i.test(l)), [], 'the cache store never went down')
})
