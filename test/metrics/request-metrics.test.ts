// API Gateway's request metrics on /metrics, served the way `tollgate run` serves files: known
// traffic through a real gateway to real upstreams, then the numbers — Count, the 4xx/5xx split
// (backend errors and gateway responses: 403, 429), CacheHitCount/CacheMissCount,
// IntegrationLatency inside Latency with a backend that sleeps, MOCK without integration time,
// detailed metrics on one stage and off on another, early answers in bounded series,
// throttled and quota-exceeded counts, DataProcessed of an HTTP API to the byte, and the whole
// exposition checked by promtool.
import t from 'tap'
import { request } from 'undici'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { manifestDir, startServer } from '../helpers/servers.js'
import { rawRequest, statusOf } from '../proxy/helpers.js'
import { promtoolProblems, scrape, type Scrape } from './scrape.js'

const KEY = 'MetricsKey0123456789abcdefgh'
const ORDERS_BODY = 'o'.repeat(100)

const backend = await startServer((req, res) => {
  const path = new URL(req.url!, 'http://x').pathname
  if (path === '/slow') return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('slow'), 60)
  if (path === '/fail') return void res.writeHead(500, { 'content-type': 'text/plain' }).end('boom')
  if (path === '/missing') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('nope')
  if (path === '/orders') return void res.writeHead(200, { 'content-type': 'text/plain', 'content-length': ORDERS_BODY.length }).end(ORDERS_BODY)
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
})
t.teardown(() => backend.close())
const origin = `http://127.0.0.1:${backend.port}`

const proxy = (path: string) => `{type: HTTP_PROXY, httpMethod: GET, uri: '${origin}${path}'}`
const dir = manifestDir({
  'shop.yaml': `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  routes:
    - {path: /mock, method: GET, integration: {type: MOCK, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: [{statusCode: '200'}]}}
    - {path: /slow, method: GET, integration: ${proxy('/slow')}}
    - {path: /fail, method: GET, integration: ${proxy('/fail')}}
    - {path: /missing, method: GET, integration: ${proxy('/missing')}}
    - {path: '/pets/{petId}', method: GET, integration: {type: HTTP_PROXY, httpMethod: GET, uri: '${origin}/pets/{petId}', cacheKeyParameters: [method.request.path.petId]}}
    - {path: /limited, method: GET, integration: ${proxy('/limited')}}
    - {path: /keyed, method: GET, apiKeyRequired: true, integration: ${proxy('/keyed')}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec:
  apiRef: {name: shop}
  cache: {enabled: true}
  methodSettings:
    '*/*': {metricsEnabled: true, cachingEnabled: false}
    '/pets/{petId}/GET': {cachingEnabled: true}
    /limited/GET: {throttlingRateLimit: 0.01, throttlingBurstLimit: 1}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: dev}
spec:
  apiRef: {name: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: key}
stringData: {value: ${KEY}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: key}
spec: {valueFrom: {secretKeyRef: {name: key, key: value}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: one-a-day}
spec:
  apiStages: [{apiRef: {name: shop}, stage: prod}]
  quota: {limit: 1, period: DAY}
  apiKeys: [{name: key}]
---
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: orders}
spec:
  apiId: orders
  protocol: HTTP
  routes:
    - {routeKey: 'GET /orders', integration: {type: HTTP_PROXY, httpMethod: ANY, uri: '${origin}/orders'}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: orders}
spec:
  apiRef: {name: orders}
  stageName: $default
`,
})

const logs: string[] = []
const s: Standalone = await startStandalone(
  { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, adminPort: 0 },
  (line) => logs.push(line),
)
t.teardown(() => s.close())
t.ok(s.gateway.config, `serving (${logs.join(' | ')})`)

let sent = 0
async function get(path: string, headers: Record<string, string> = {}, api = 'shop'): Promise<number> {
  const r = await request(`http://127.0.0.1:${s.port}${path}`, { headers: { host: `${api}.execute-api.localhost:${s.port}`, ...headers } })
  await r.body.dump()
  sent++
  return r.statusCode
}

/** /metrics once every request sent so far is counted (observers run when the response closed). */
async function settled(): Promise<Scrape> {
  for (let i = 0; ; i++) {
    const m = await scrape(s.adminPort!)
    const total = m.all('tollgate_requests_total').reduce((n, x) => n + x.value, 0)
    if (total === sent || i === 100) return m
    await new Promise((r) => setTimeout(r, 10))
  }
}

const route = (method: string, resource: string, stage = 'prod') => ({ api: 'shop', stage, method, resource })
const stageSeries = (stage: string) => ({ api: 'shop', stage, method: '', resource: '' })

t.test('Count, 4XXError, 5XXError per method with detailed metrics', async (t) => {
  t.same([await get('/prod/mock'), await get('/prod/mock'), await get('/prod/mock')], [200, 200, 200])
  t.equal(await get('/prod/fail'), 500)
  t.equal(await get('/prod/missing'), 404)
  const m = await settled()
  t.equal(m.value('tollgate_requests_total', route('GET', '/mock')), 3)
  t.equal(m.value('tollgate_4xx_errors_total', route('GET', '/mock')), 0)
  t.equal(m.value('tollgate_5xx_errors_total', route('GET', '/mock')), 0)
  t.equal(m.value('tollgate_5xx_errors_total', route('GET', '/fail')), 1, "the backend's 500 is a 5XXError")
  t.equal(m.value('tollgate_4xx_errors_total', route('GET', '/fail')), 0)
  t.equal(m.value('tollgate_4xx_errors_total', route('GET', '/missing')), 1, "the backend's 404 is a 4XXError")
  t.equal(m.value('tollgate_latency_seconds_count', route('GET', '/mock')), 3, 'Latency: one observation per request')
  t.equal(m.value('tollgate_integration_latency_seconds_count', route('GET', '/mock')), 0, 'a MOCK has no IntegrationLatency')
  t.ok(m.contentType.startsWith('text/plain; version=0.0.4'), m.contentType)
})

t.test('IntegrationLatency is inside Latency: a backend that sleeps 60 ms', async (t) => {
  t.same([await get('/prod/slow'), await get('/prod/slow')], [200, 200])
  const m = await settled()
  const labels = route('GET', '/slow')
  t.equal(m.value('tollgate_integration_latency_seconds_count', labels), 2)
  const integration = m.value('tollgate_integration_latency_seconds_sum', labels)!
  const latency = m.value('tollgate_latency_seconds_sum', labels)!
  t.ok(integration >= 0.11, `IntegrationLatency sum ${integration} s >= 2 × 55 ms`)
  t.ok(latency > integration, `Latency sum ${latency} s > IntegrationLatency sum ${integration} s`)
  t.equal(m.value('tollgate_integration_latency_seconds_bucket', { ...labels, le: '0.05' }), 0, 'none under 50 ms')
  t.equal(m.value('tollgate_integration_latency_seconds_bucket', { ...labels, le: '+Inf' }), 2)
  t.equal(m.value('tollgate_latency_seconds_bucket', { ...labels, le: '30' }), 2, 'buckets are cumulative')
})

t.test('CacheHitCount and CacheMissCount, in the series of the route', async (t) => {
  t.same([await get('/prod/pets/1'), await get('/prod/pets/1'), await get('/prod/pets/1'), await get('/prod/pets/2')], [200, 200, 200, 200])
  const m = await settled()
  const labels = route('GET', '/pets/{petId}')
  t.equal(m.value('tollgate_cache_hits_total', labels), 2)
  t.equal(m.value('tollgate_cache_misses_total', labels), 2)
  t.equal(m.value('tollgate_requests_total', labels), 4)
  t.equal(m.value('tollgate_integration_latency_seconds_count', labels), 2, 'hits call no backend')
  t.equal(m.all('tollgate_cache_hit_count_total').length, 0, 'the old names are gone')
})

t.test('gateway responses: 429 throttled by level, 429 quota exceeded, 403 without a key', async (t) => {
  t.same([await get('/prod/limited'), await get('/prod/limited'), await get('/prod/limited')], [200, 429, 429])
  t.same([await get('/prod/keyed', { 'x-api-key': KEY }), await get('/prod/keyed', { 'x-api-key': KEY }), await get('/prod/keyed')], [200, 429, 403])
  const m = await settled()
  t.equal(m.value('tollgate_4xx_errors_total', route('GET', '/limited')), 2)
  t.equal(m.value('tollgate_throttled_total', { api: 'shop', stage: 'prod', level: 'METHOD' }), 2, 'the method setting throttled two')
  t.equal(m.value('tollgate_throttled_total', { api: 'shop', stage: 'prod', level: 'STAGE' }), 0)
  t.equal(m.value('tollgate_quota_exceeded_total', { api: 'shop', stage: 'prod' }), 1)
  t.equal(m.value('tollgate_4xx_errors_total', route('GET', '/keyed')), 2, 'the 429 and the 403 are 4XXErrors')
  t.equal(m.value('tollgate_requests_total', route('GET', '/keyed')), 3)
  t.notOk(m.text.includes(KEY) || m.text.includes(KEY.slice(-8)), 'no API key value in /metrics')
})

t.test('without detailed metrics a stage has one series', async (t) => {
  t.same([await get('/dev/mock'), await get('/dev/slow'), await get('/dev/fail'), await get('/dev/keyed')], [200, 200, 500, 403])
  const m = await settled()
  t.equal(m.value('tollgate_requests_total', stageSeries('dev')), 4)
  t.equal(m.value('tollgate_4xx_errors_total', stageSeries('dev')), 1)
  t.equal(m.value('tollgate_5xx_errors_total', stageSeries('dev')), 1)
  t.equal(m.value('tollgate_integration_latency_seconds_count', stageSeries('dev')), 2, 'slow and fail ran an integration')
  t.same(
    m.all('tollgate_requests_total', { stage: 'dev' }).map((x) => x.labels),
    [stageSeries('dev')],
    'no per-method series for dev',
  )
})

t.test('early answers count in bounded series: stage, API, or nothing known', async (t) => {
  const before = (await settled()).all('tollgate_requests_total').length
  for (let i = 0; i < 20; i++) t.equal(await get(`/prod/no-such-route-${i}`), 403)
  for (let i = 0; i < 5; i++) t.equal(await get(`/stage-${i}/mock`), 403)
  for (let i = 0; i < 5; i++) t.equal(await get('/prod/mock', {}, `unknown${i}`), 403)
  const m = await settled()
  t.equal(m.value('tollgate_4xx_errors_total', stageSeries('prod')), 20, 'no route: the stage series')
  t.equal(m.value('tollgate_requests_total', { api: 'shop', stage: '', method: '', resource: '' }), 5, 'unknown stage: the API series')
  t.equal(m.value('tollgate_requests_total', { api: '', stage: '', method: '', resource: '' }), 5, 'unknown API: one series')
  t.equal(m.all('tollgate_requests_total').length, before + 3, '30 different requests made 3 series (prod stage, shop API, no API)')
  t.notMatch(m.text, /no-such-route|stage-\d|unknown\d/, 'nothing from the request became a label')
})

t.test('DataProcessed of an HTTP API: the bytes of requests and responses', async (t) => {
  const ask = `GET /orders HTTP/1.1\r\nHost: orders.execute-api.localhost:${s.port}\r\nConnection: close\r\n\r\n`
  const answers = [await rawRequest(s.port, ask), await rawRequest(s.port, ask)]
  sent += 2
  t.same(answers.map(statusOf), [200, 200])
  const m = await settled()
  const expected = answers.reduce((n, a) => n + Buffer.byteLength(ask) + Buffer.byteLength(a), 0)
  const labels = { api: 'orders', stage: '$default', method: '', resource: '' }
  t.equal(m.value('tollgate_data_processed_bytes_total', labels), expected, `${expected} bytes: 2 × (request + response)`)
  t.equal(m.value('tollgate_requests_total', labels), 2)
  t.equal(m.all('tollgate_data_processed_bytes_total', { api: 'shop' }).length, 0, 'REST APIs have no DataProcessed')
})

t.test('the other series: config, connections, process, WebSocket declared', async (t) => {
  const m = await settled()
  t.equal(m.value('tollgate_config_info', { hash: s.gateway.config!.hash }), 1)
  const applied = m.value('tollgate_config_last_applied_timestamp_seconds')!
  t.ok(Math.abs(applied - Date.now() / 1000) < 120, `applied at ${applied}`)
  t.equal(m.value('tollgate_config_rejected_total'), 0)
  t.ok(m.value('tollgate_open_connections')! >= 1, 'the client connection of this test is open')
  t.ok(m.value('nodejs_eventloop_lag_p99_seconds') !== undefined, 'event-loop delay')
  t.ok(m.value('process_cpu_seconds_total')! > 0)
  t.match(m.text, /^# TYPE tollgate_websocket_connects_total counter$/m, 'the WebSocket set is declared')
  t.equal(m.all('tollgate_websocket_connects_total').length, 0, 'with no samples until WebSocket APIs are served')
})

t.test('the exposition parses and lints clean with promtool', async (t) => {
  const m = await settled()
  t.same(promtoolProblems(m.text), [])
  const names = new Set(m.text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]))
  t.equal(names.size, m.text.split('\n').filter((l) => l.startsWith('# TYPE ')).length, 'each family declared once')
})
