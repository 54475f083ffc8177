// `tollgate proxy` metering: two proxies get a config with keys and a plan over the operator's
// stream, share one Redis (a plan burst spent on one is spent on the other), expose metering in
// /metrics, and serve the usage API only with the admin token.
import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { ConfigStream } from '../../operator/publish/stream-server.js'
import { compile } from '../../operator/compile/index.js'
import { startProxy, type ProxyProcess } from '../../cli/proxy.js'
import { startRedis } from '../helpers/redis.js'
import { waitFor } from '../helpers/servers.js'

const TOKEN = 'test-stream-token-0123456789'
const ADMIN = 'admin-token-for-usage-0123'
const KEY = 'ProxyKey0123456789abcdefgh'

function config() {
  const mock = { type: 'MOCK', responses: [{ statusCode: '200' }] }
  return compile(
    [
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'fleet' }, spec: { apiId: 'fleet', routes: [{ path: '/item', method: 'GET', apiKeyRequired: true, integration: mock }] } },
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'fleet' } } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' }, stringData: { v: KEY } },
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'k' }, spec: { valueFrom: { secretKeyRef: { name: 'k', key: 'v' } } } },
      {
        apiVersion: 'tollgate.dev/v1alpha1',
        kind: 'UsagePlan',
        metadata: { name: 'p' },
        spec: { apiStages: [{ apiRef: { name: 'fleet' }, stage: 'prod' }], throttle: { rateLimit: 0.01, burstLimit: 4 }, quota: { limit: 1000, period: 'DAY' }, apiKeys: [{ name: 'k' }] },
      },
    ],
    { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } },
  ).config
}

async function operator(t: Test): Promise<{ stream: ConfigStream; url: string }> {
  const stream = new ConfigStream({ token: TOKEN, log: () => {}, heartbeatMs: 1000 })
  const server = createServer((_req, res) => res.writeHead(404).end())
  stream.attach(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  t.teardown(async () => {
    stream.close()
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })
  return { stream, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/config` }
}

async function proxy(t: Test, url: string, redisUrl: string, id: string, adminToken = ''): Promise<ProxyProcess> {
  const cache = join(mkdtempSync(join(tmpdir(), 'tollgate-lkg-')), 'lkg.json')
  const p = await startProxy(
    { operatorUrl: url, streamTokenFile: '', proxyId: id, host: '127.0.0.1', port: 0, privatePort: 0, adminPort: 0, configCache: cache, redisUrl, shutdownGraceMs: 0, drainTimeoutMs: 1000 },
    TOKEN,
    () => {},
    adminToken,
  )
  t.teardown(() => p.shutdown())
  return p
}

async function call(p: ProxyProcess): Promise<number> {
  const r = await request(`http://127.0.0.1:${p.port}/prod/item`, { headers: { host: `fleet.execute-api.localhost:${p.port}`, 'x-api-key': KEY } })
  await r.body.dump()
  return r.statusCode
}

t.test('two proxies, one Redis, a config from the stream', async (t) => {
  const redis = await startRedis()
  t.teardown(() => redis.stop())
  const op = await operator(t)
  const a = await proxy(t, op.url, redis.url, 'proxy-a', ADMIN)
  const b = await proxy(t, op.url, redis.url, 'proxy-b')
  const cfg = config()
  op.stream.publish(cfg)
  await waitFor(() => op.stream.proxies().filter((p) => p.ackedHash === cfg.hash).length === 2, 5000, 'both ACK')

  t.same([await call(a), await call(b), await call(a), await call(b), await call(a), await call(b)], [200, 200, 200, 200, 429, 429], 'burst 4 across both proxies')

  const metrics = await (await request(`http://127.0.0.1:${a.adminPort}/metrics`)).body.text()
  t.match(metrics, /^tollgate_meter_redis_up 1$/m)
  t.match(metrics, /^tollgate_meter_decisions_total\{outcome="throttled",level="CLIENT"\} 1$/m, 'proxy a throttled one request at the plan level')

  const today = new Date().toISOString().slice(0, 10)
  const path = `/v1/usageplans/default%2Fp/usage?startDate=${today}&endDate=${today}`
  const noToken = await request(`http://127.0.0.1:${a.adminPort}${path}`)
  await noToken.body.dump()
  t.equal(noToken.statusCode, 401, 'the usage API needs the admin token')
  const usage = await request(`http://127.0.0.1:${a.adminPort}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })
  t.same(await usage.body.json(), { usagePlanId: 'default/p', startDate: today, endDate: today, items: { 'default/k': [[4, 996]] } }, 'usage counted by both proxies, read through one')
  const off = await request(`http://127.0.0.1:${b.adminPort}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })
  await off.body.dump()
  t.equal(off.statusCode, 404, 'a proxy without an admin token serves no usage API')
})
