// /metrics of `tollgate proxy` (config from the operator's stream, Redis for metering and the
// cache): the config served and the pushes refused (NACK), request metrics, and Redis fail
// mode — the cache store and the meter's fallback decisions while Redis is down.
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { ConfigStream } from '../../operator/publish/stream-server.js'
import { compile } from '../../operator/compile/index.js'
import { startProxy } from '../../cli/proxy.js'
import { startRedis } from '../helpers/redis.js'
import { waitFor } from '../helpers/servers.js'
import { promtoolProblems, scrape } from './scrape.js'

const TOKEN = 'test-stream-token-0123456789'

const { config } = compile(
  [
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'fleet' },
      spec: { apiId: 'fleet', routes: [{ path: '/item', method: 'GET', integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: [{ statusCode: '200' }] } }] },
    },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Stage',
      metadata: { name: 'prod' },
      spec: { apiRef: { name: 'fleet' }, throttle: { rateLimit: 1000, burstLimit: 1000 }, cache: { enabled: true } },
    },
  ],
  { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } },
)

const redis = await startRedis()
t.teardown(() => redis.stop())
const stream = new ConfigStream({ token: TOKEN, log: () => {}, heartbeatMs: 1000 })
const server = createServer((_req, res) => res.writeHead(404).end())
stream.attach(server)
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
t.teardown(async () => {
  stream.close()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})
const p = await startProxy(
  {
    operatorUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/config`,
    streamTokenFile: '',
    proxyId: 'proxy-m',
    host: '127.0.0.1',
    port: 0,
    privatePort: 0,
    adminPort: 0,
    configCache: join(mkdtempSync(join(tmpdir(), 'tollgate-lkg-')), 'lkg.json'),
    redisUrl: redis.url,
    shutdownGraceMs: 0,
    drainTimeoutMs: 1000,
  },
  TOKEN,
  () => {},
)
t.teardown(() => p.shutdown())

async function call(): Promise<number> {
  const r = await request(`http://127.0.0.1:${p.port}/prod/item`, { headers: { host: `fleet.execute-api.localhost:${p.port}` } })
  await r.body.dump()
  return r.statusCode
}

t.test('before any config: no config_info, nothing refused', async (t) => {
  const m = await scrape(p.adminPort)
  t.equal(m.all('tollgate_config_info').length, 0)
  t.equal(m.value('tollgate_config_last_applied_timestamp_seconds'), 0)
  t.equal(m.value('tollgate_config_rejected_total'), 0)
})

t.test('a config pushed and one refused', async (t) => {
  stream.publish(config)
  await waitFor(() => stream.proxies().some((x) => x.ackedHash === config.hash), 5000, 'ACK')
  stream.publish({ ...config, hash: 'f'.repeat(64) })
  await waitFor(() => stream.proxies().some((x) => x.nack !== null), 5000, 'NACK')
  const m = await scrape(p.adminPort)
  t.equal(m.value('tollgate_config_info', { hash: config.hash }), 1, 'the config being served')
  t.equal(m.all('tollgate_config_info').length, 1)
  t.equal(m.value('tollgate_config_rejected_total'), 1, 'the push with a bad hash was refused')
  t.ok(m.value('tollgate_config_last_applied_timestamp_seconds')! > Date.now() / 1000 - 60)
})

t.test('requests, the cache on Redis, and Redis going away', async (t) => {
  t.same([await call(), await call(), await call()], [200, 200, 200])
  let m = await scrape(p.adminPort)
  const labels = { api: 'fleet', stage: 'prod', method: '', resource: '' }
  t.equal(m.value('tollgate_meter_redis_up'), 1)
  t.equal(m.value('tollgate_cache_store_up'), 1)
  t.equal(m.value('tollgate_cache_misses_total', labels)! + m.value('tollgate_cache_hits_total', labels)!, 3, 'three lookups')
  t.equal(m.value('tollgate_meter_fallback_decisions_total'), 0)
  t.same(promtoolProblems(m.text), [], 'promtool: the proxy exposition is clean')

  await redis.kill()
  t.equal(await call(), 200, 'served while Redis is down (fail open, cache bypassed)')
  m = await scrape(p.adminPort)
  t.equal(m.value('tollgate_cache_store_up'), 0, 'the cache store is down')
  t.ok(m.value('tollgate_cache_store_bypassed_total')! >= 1)
  t.ok(m.value('tollgate_meter_fallback_decisions_total')! >= 1, 'the meter decided on local buckets')
  t.ok(m.value('tollgate_requests_total', labels)! >= 4)
})
