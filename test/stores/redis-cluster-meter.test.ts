// RedisMeter on a real 3-master Redis Cluster: the contract and the Redis checks (one slot per
// request, so no CROSSSLOT; one EVALSHA per decision) with domains spread over the masters.
import t from 'tap'
import { createRedisClient, whenReady } from '../../proxy/stores/redis-connection.js'
import { RedisMeter } from '../../proxy/stores/redis-meter.js'
import { startRedisCluster } from '../helpers/redis.js'
import { fresh, meterContract, request } from './meter-contract.js'
import { redisChecks } from './redis-checks.js'

const cluster = await startRedisCluster()
t.teardown(() => cluster.stop())
const client = createRedisClient({ url: cluster.url, cluster: true })
await whenReady(client, 10_000)
const meter = new RedisMeter(client)
t.teardown(() => meter.close())

t.test('contract', async (t) => {
  meterContract(t, async () => ({
    meter,
    setTime: (ms) => (meter.clockOffsetMs = ms - Date.now()),
    close: async () => {},
  }))
})

t.test('redis', async (t) => redisChecks(t, () => meter))

t.test('domains land on every master and each decides in its own slot', async (t) => {
  meter.clockOffsetMs = 0
  const owners = new Set<string>()
  for (let i = 0; i < 30; i++) {
    const domain = fresh('spread')
    const d = await meter.decide(request(domain, [{ level: 'CLIENT', key: 'c', rate: 1, burst: 1 }, { level: 'ACCOUNT', key: 'account', rate: 10, burst: 10 }], { key: 'q', limit: 5, period: 'DAY' }))
    t.match(d, { allowed: true, remaining: 4 })
    const slot = Number(await client.cluster('KEYSLOT', meter.key(domain, 'b', 'c')))
    const ranges = await client.cluster('SLOTS')
    owners.add(String(ranges.find(([a, b]) => slot >= a && slot <= b)?.[2]?.[1]))
  }
  t.equal(owners.size, 3, 'all three masters served decisions')
})
