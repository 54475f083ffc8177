// The response cache on a real redis-server behind ResilientCacheStore, through HTTP: two
// gateways share entries, an encrypted stage leaves no plaintext body in Redis (and an entry
// copied to another key is not served), and a Redis that stops answering is bypassed without
// failing a request.
import t from 'tap'
import type { StageCacheConfig } from '../../proxy/config/schema.js'
import { cacheEncryptionKey } from '../../operator/compile/cache.js'
import { createRedisClient, whenReady } from '../../proxy/stores/redis-connection.js'
import { RedisCacheStore } from '../../proxy/stores/redis-cache.js'
import { ResilientCacheStore } from '../../proxy/stores/resilient-cache.js'
import { startRedis } from '../helpers/redis.js'
import { api, gatewayConfig, integration, integrationResponse, route, stage, startGateway, startUpstream } from '../proxy/helpers.js'

const SECRET = 'TOP-SECRET-BODY-'
const server = await startRedis()
t.teardown(() => server.stop())
const client = createRedisClient({ url: server.url })
await whenReady(client)
t.teardown(() => client.disconnect())

const backend = await startUpstream((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.end(`${SECRET}${req.url}-${Date.now()}-${Math.random()}`)
})
t.teardown(() => backend.close())
const calls = () => backend.seen.length

const routes = [route('GET /things/{id}', integration({ type: 'HTTP', httpMethod: 'GET', uri: `${backend.origin}/things/{id}`, responses: [integrationResponse()], cacheKeyParameters: ['method.request.path.id'] }))]
const cache = (encrypted: boolean): StageCacheConfig => ({
  capacityBytes: 1024 * 1024,
  ...(encrypted ? { encryptionKey: cacheEncryptionKey('a-long-random-cache-encryption-key') } : {}),
  routes: { 'GET /things/{id}': { ttlSeconds: 300, requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER' } },
})
const config = gatewayConfig([api('shop', routes, { stages: [{ ...stage('secure'), cache: cache(true) }, { ...stage('clear'), cache: cache(false) }] })])
const resilient = () => new ResilientCacheStore(new RedisCacheStore(client), { retryMs: 300 })
const one = await startGateway(config, { cacheStore: resilient() })
const two = await startGateway(config, { cacheStore: resilient() })
t.teardown(() => one.close())
t.teardown(() => two.close())

async function allValues(): Promise<Buffer[]> {
  const keys = await client.keys('tgc:*:e:*')
  return Promise.all(keys.map(async (k) => (await client.getBuffer(k))!))
}

t.test('two gateways share one Redis cache', async (t) => {
  const a = await one.fetch('shop', '/secure/things/1')
  const b = await two.fetch('shop', '/secure/things/1')
  t.equal(b.text, a.text)
  t.equal(calls(), 1)
})

t.test('encrypted at rest: no plaintext body in Redis; a clear stage stores it readable', async (t) => {
  await one.fetch('shop', '/secure/things/2')
  const clear = await one.fetch('shop', '/clear/things/3')
  const values = await allValues()
  t.ok(values.length >= 3)
  const plain = values.filter((v) => v.includes(SECRET))
  t.equal(plain.length, 1, 'only the clear stage entry holds the body in clear')
  t.ok(plain[0]!.includes(Buffer.from(clear.text)))
  const keys = await client.keys('tgc:*')
  t.notOk(keys.some((k) => k.includes('things') || k.includes('secure')), 'keys hold no path or stage in clear')
})

t.test('an entry copied to another key is not served there (authenticated with its key)', async (t) => {
  const before = calls()
  const entries = await client.keys('tgc:*:e:*')
  const values = await Promise.all(entries.map(async (k) => ({ k, v: (await client.getBuffer(k))! })))
  const encrypted = values.filter((e) => !e.v.includes(SECRET))
  t.equal(encrypted.length, 2, 'the secure stage holds /things/1 and /things/2')
  // Copy one encrypted entry over the other (keeping the expiry stamp of the Redis value).
  await client.set(encrypted[1]!.k, encrypted[0]!.v, 'KEEPTTL')
  const replies = [await one.fetch('shop', '/secure/things/1'), await one.fetch('shop', '/secure/things/2')]
  t.equal(calls(), before + 1, 'one of the two is a miss: the copy failed authentication')
  t.not(replies[0]!.text, replies[1]!.text, 'and neither was served the response of the other')
})

t.test('Redis stops answering: requests are served from the backend, in bounded time', async (t) => {
  server.pause()
  try {
    const start = Date.now()
    const replies = []
    for (let i = 0; i < 5; i++) replies.push(await one.fetch('shop', '/secure/things/99'))
    const took = Date.now() - start
    t.ok(replies.every((r) => r.status === 200), 'never failed')
    t.ok(replies.every((r) => r.text.startsWith(SECRET)))
    t.ok(took < 1500, `5 requests in ${took} ms`)
  } finally {
    server.resume()
  }
})
