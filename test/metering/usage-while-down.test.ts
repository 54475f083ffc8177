// Usage counted while Redis is down, through HTTP on a standalone gateway metering on a real
// redis-server that the test stops and restarts: the requests a fail-open stage admits on local
// buckets during the outage are added to Redis once it is back, so GetUsage and the remaining
// quota include them, and the quota is enforced on the total.
import t from 'tap'
import { request } from 'undici'
import { Redis } from 'ioredis'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { startRedis } from '../helpers/redis.js'
import { manifestDir } from '../helpers/servers.js'

const KEY = 'KeyDown0123456789abcdefghij'
const LIMIT = 30

const MANIFESTS = `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  routes:
    - {path: /pets, method: GET, apiKeyRequired: true, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec: {apiRef: {name: shop}}
---
apiVersion: v1
kind: Secret
metadata: {name: keys}
stringData: {a: ${KEY}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: a}
spec: {valueFrom: {secretKeyRef: {name: keys, key: a}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: metered}
spec:
  apiStages: [{apiRef: {name: shop}, stage: prod}]
  quota: {limit: ${LIMIT}, period: MONTH}
  apiKeys: [{name: a}]
`

const today = new Date().toISOString().slice(0, 10)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function call(s: Standalone): Promise<number> {
  const r = await request(`http://127.0.0.1:${s.port}/prod/pets`, { headers: { host: `shop.execute-api.localhost:${s.port}`, 'x-api-key': KEY } })
  await r.body.dump()
  return r.statusCode
}

async function usage(s: Standalone): Promise<{ status: number; items?: Record<string, [number, number][]> }> {
  const r = await request(`http://127.0.0.1:${s.adminPort}/v1/usageplans/default%2Fmetered/usage?startDate=${today}&endDate=${today}`)
  const text = await r.body.text()
  return { status: r.statusCode, ...(r.statusCode === 200 ? (JSON.parse(text) as { items: Record<string, [number, number][]> }) : {}) }
}

async function until(what: string, ok: () => Promise<boolean>, ms: number): Promise<void> {
  const from = Date.now()
  while (!(await ok())) {
    if (Date.now() - from > ms) throw new Error(`not within ${ms} ms: ${what}`)
    await sleep(25)
  }
}

async function metric(s: Standalone, name: string): Promise<number> {
  const text = await (await request(`http://127.0.0.1:${s.adminPort}/metrics`)).body.text()
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN)
}

t.test('requests admitted on local buckets while Redis is down count in usage and quota once it is back', async (t) => {
  const redis = await startRedis()
  t.teardown(() => redis.stop())
  const logs: string[] = []
  const dir = manifestDir({ 'shop.yaml': MANIFESTS })
  const s = await startStandalone(
    { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, redisUrl: redis.url, adminPort: 0 },
    (line) => logs.push(line),
  )
  t.teardown(() => s.close())

  for (let i = 0; i < 5; i++) t.equal(await call(s), 200)
  // (On a loaded machine a call can time out and fall back; it is added back within a heartbeat.)
  await until('5 used in Redis', async () => (await usage(s)).items?.['default/a']?.[0]?.[0] === 5, 3000)
  t.same((await usage(s)).items, { 'default/a': [[5, LIMIT - 5]] }, 'Redis up: 5 used')

  // Redis saves its data and dies; the proxy finds it down and serves on local buckets.
  const probe = new Redis(redis.port, '127.0.0.1', { lazyConnect: true })
  await probe.connect()
  await probe.save()
  probe.disconnect()
  await redis.kill()
  await until('Redis marked down', async () => (await metric(s, 'tollgate_meter_redis_up')) === 0, 5000)
  for (let i = 0; i < 7; i++) t.equal(await call(s), 200, 'fail open: admitted on local buckets')
  t.equal((await usage(s)).status, 503, 'GetUsage needs Redis')
  t.equal(await metric(s, 'tollgate_meter_unreported_requests'), 7, 'metrics: 7 requests not in Redis yet')

  // Back with the data it saved: the 7 are added once, on top of the 5.
  await redis.start()
  await until('usage includes the outage', async () => {
    const u = await usage(s)
    return u.status === 200 && u.items?.['default/a']?.[0]?.[0] === 12
  }, 5000)
  t.same((await usage(s)).items, { 'default/a': [[12, LIMIT - 12]] }, 'GetUsage: 5 before + 7 during the outage')
  t.equal(await metric(s, 'tollgate_meter_unreported_requests'), 0, 'nothing left to add')
  t.equal(await metric(s, 'tollgate_meter_reported_requests_total'), 7, 'metrics: 7 added')
  t.match(logs.join('\n'), /meter: added 7 requests counted while Redis was down/, 'logged')

  // Heartbeats keep running: the batch is not added a second time, and the quota holds the total.
  await sleep(1200)
  t.same((await usage(s)).items, { 'default/a': [[12, LIMIT - 12]] }, 'added once')
  let admitted = 0
  for (let i = 0; i < LIMIT; i++) if ((await call(s)) === 200) admitted++
  t.equal(admitted, LIMIT - 12, `the quota admits only what is left (${LIMIT} - 12)`)
  t.same((await usage(s)).items, { 'default/a': [[LIMIT, 0]] })
})
