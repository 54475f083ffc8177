// RedisMeter on a real single redis-server: the contract, then the Redis-only checks.
import t from 'tap'
import { createRedisClient, whenReady } from '../../proxy/stores/redis-connection.js'
import { RedisMeter } from '../../proxy/stores/redis-meter.js'
import { startRedis } from '../helpers/redis.js'
import { meterContract } from './meter-contract.js'
import { redisChecks } from './redis-checks.js'

const server = await startRedis()
t.teardown(() => server.stop())
const client = createRedisClient({ url: server.url })
await whenReady(client)
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
