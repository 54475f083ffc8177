// Every metering rule through HTTP, served the way `tollgate run` serves files (startStandalone):
// API keys (missing, unknown, disabled, not in a plan for the stage, from an authorizer), the
// throttle levels in AWS's order, quotas, and a quota period rolling over on an injected clock.
import t, { type Test } from 'tap'
import { request } from 'undici'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { MemoryMeter } from '../../proxy/stores/memory-meter.js'
import type { Meter } from '../../proxy/stores/meter.js'
import { manifestDir } from '../helpers/servers.js'

const ALICE = 'AliceKey0123456789abcdefXYZ'
const BOB = 'BobKey0123456789abcdefghijkl'
const CAROL = 'CarolKey0123456789abcdefghij'
const DAVE = 'DaveKey0123456789abcdefghijk'
const UNKNOWN = 'NobodysKey0123456789abcdefgh'

// Rates are tiny so buckets do not refill during a test: a bucket admits its burst, then 429.
const MANIFESTS = `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  routes:
    - {path: /pets, method: GET, apiKeyRequired: true, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
    - {path: /pets, method: POST, apiKeyRequired: true, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
    - {path: /orders, method: GET, apiKeyRequired: true, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
    - {path: /open, method: GET, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
    - {path: /free, method: GET, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec:
  apiRef: {name: shop}
  methodSettings:
    /open/GET: {throttlingRateLimit: 0.01, throttlingBurstLimit: 2}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: beta}
spec:
  apiRef: {name: shop}
  throttle: {rateLimit: 0.01, burstLimit: 3}
---
apiVersion: v1
kind: Secret
metadata: {name: keys}
stringData:
  alice: ${ALICE}
  bob: ${BOB}
  carol: ${CAROL}
  dave: ${DAVE}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: alice, labels: {tier: gold}}
spec: {valueFrom: {secretKeyRef: {name: keys, key: alice}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: bob}
spec: {enabled: false, valueFrom: {secretKeyRef: {name: keys, key: bob}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: carol}
spec: {valueFrom: {secretKeyRef: {name: keys, key: carol}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: dave}
spec: {valueFrom: {secretKeyRef: {name: keys, key: dave}}}
---
# gold: prod only; plan burst 5, GET /orders at most 2 (lower than the plan: it wins).
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: gold}
spec:
  apiStages:
    - apiRef: {name: shop}
      stage: prod
      throttle:
        /orders/GET: {rateLimit: 0.01, burstLimit: 2}
  throttle: {rateLimit: 0.01, burstLimit: 5}
  apiKeySelector: {matchLabels: {tier: gold}}
  apiKeys: [{name: bob}]
---
# quota: 3 requests a day, no throttle; on prod and beta (beta's stage default: burst 3).
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: metered}
spec:
  apiStages:
    - {apiRef: {name: shop}, stage: prod}
    - {apiRef: {name: shop}, stage: beta}
  quota: {limit: 3, period: DAY}
  apiKeys: [{name: carol}]
`

interface Reply {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

async function start(t: Test, manifests = MANIFESTS, meter?: Meter): Promise<{ s: Standalone; logs: string[] }> {
  const logs: string[] = []
  const dir = manifestDir({ 'shop.yaml': manifests })
  const s = await startStandalone(
    { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 },
    (line) => logs.push(line),
    meter ? { meter } : {},
  )
  t.teardown(() => s.close())
  return { s, logs }
}

async function call(s: Standalone, path: string, key?: string, method = 'GET'): Promise<Reply> {
  const headers: Record<string, string> = { host: `shop.execute-api.localhost:${s.port}` }
  if (key !== undefined) headers['x-api-key'] = key
  const r = await request(`http://127.0.0.1:${s.port}${path}`, { method: method as 'GET', headers })
  return { status: r.statusCode, body: await r.body.text(), headers: r.headers }
}

async function statuses(s: Standalone, n: number, path: string, key?: string, method = 'GET'): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await call(s, path, key, method)).status)
  return out
}

t.test('keys: missing, unknown, disabled, not in a plan for the stage → 403 Forbidden as AWS sends it', async (t) => {
  const { s, logs } = await start(t)
  t.notMatch(logs.join('\n'), /error/, 'the manifests apply cleanly')

  const missing = await call(s, '/prod/pets')
  t.equal(missing.status, 403)
  t.equal(missing.body, '{"message":"Forbidden"}')
  t.equal(missing.headers['content-type'], 'application/json')
  t.equal(missing.headers['x-amzn-errortype'], 'ForbiddenException')
  t.match(missing.headers['x-amzn-requestid'], /^[0-9a-f-]{36}$/)
  t.ok(missing.headers['x-amz-apigw-id'], 'x-amz-apigw-id')

  for (const [what, key] of [
    ['empty', ''],
    ['unknown', UNKNOWN],
    ['disabled (bob, in gold by name)', BOB],
    ['valid but in no plan (dave)', DAVE],
    ['a key value with one letter changed', ALICE.replace('A', 'B')],
  ] as const) {
    const r = await call(s, '/prod/pets', key)
    t.equal(r.status, 403, what)
    t.equal(r.body, '{"message":"Forbidden"}', what)
    t.equal(r.headers['x-amzn-errortype'], 'ForbiddenException', what)
  }
  const notHere = await call(s, '/beta/pets', ALICE)
  t.equal(notHere.status, 403, "alice's plan covers prod, not beta")
  t.equal(notHere.body, '{"message":"Forbidden"}')

  const ok = await call(s, '/prod/pets', ALICE)
  t.equal(ok.status, 200, 'a key in a plan for the stage passes')
  const free = await call(s, '/prod/free', UNKNOWN)
  t.equal(free.status, 200, 'a route that requires no key ignores the header')
})

t.test('plan throttle: burst 5, then 429 Too Many Requests', async (t) => {
  const { s } = await start(t)
  t.same(await statuses(s, 7, '/prod/pets', ALICE), [200, 200, 200, 200, 200, 429, 429])
  const r = await call(s, '/prod/pets', ALICE, 'POST')
  t.equal(r.status, 429, 'the plan bucket is per key across methods')
  t.equal(r.body, '{"message":"Too Many Requests"}')
  t.equal(r.headers['x-amzn-errortype'], 'TooManyRequestsException')
  t.equal(r.headers['content-type'], 'application/json')
})

t.test('a per-method plan throttle lower than the plan wins, for that method only', async (t) => {
  const { s } = await start(t)
  t.same(await statuses(s, 3, '/prod/orders', ALICE), [200, 200, 429], 'GET /orders: burst 2')
  t.same(await statuses(s, 4, '/prod/pets', ALICE), [200, 200, 200, 429], 'the 2 admitted orders used the plan bucket too (5 in all)')
})

t.test('stage method setting: one bucket for the route, shared by every caller', async (t) => {
  const { s } = await start(t)
  t.same(await statuses(s, 3, '/prod/open'), [200, 200, 429])
  t.equal((await call(s, '/prod/free')).status, 200, 'other routes of the stage are not throttled')
})

t.test('stage default throttle: one bucket for every method of the stage', async (t) => {
  const { s } = await start(t)
  t.same(await statuses(s, 2, '/beta/open'), [200, 200])
  t.equal((await call(s, '/beta/free')).status, 200, 'the third request of the stage')
  const r = await call(s, '/beta/free')
  t.equal(r.status, 429)
  t.equal(r.body, '{"message":"Too Many Requests"}')
})

t.test('quota: 3 a day, then 429 Limit Exceeded; a throttled request does not use quota', async (t) => {
  const { s } = await start(t)
  t.same(await statuses(s, 3, '/prod/pets', CAROL), [200, 200, 200])
  const r = await call(s, '/prod/pets', CAROL)
  t.equal(r.status, 429)
  t.equal(r.body, '{"message":"Limit Exceeded"}')
  t.equal(r.headers['x-amzn-errortype'], 'LimitExceededException')
  t.equal((await call(s, '/beta/pets', CAROL)).status, 429, 'the quota spans every stage of the plan')
})

t.test('the quota period rolls over at 00:00 UTC (injected clock)', async (t) => {
  let now = Date.UTC(2024, 2, 10, 23, 59, 0)
  const meter = new MemoryMeter({ now: () => now })
  const { s } = await start(t, MANIFESTS, meter)
  t.same(await statuses(s, 4, '/prod/pets', CAROL), [200, 200, 200, 429], 'March 10th: 3 requests')
  now = Date.UTC(2024, 2, 10, 23, 59, 59, 999)
  t.equal((await call(s, '/prod/pets', CAROL)).status, 429, 'still March 10th')
  now = Date.UTC(2024, 2, 11, 0, 0, 0)
  t.same(await statuses(s, 4, '/prod/pets', CAROL), [200, 200, 200, 429], 'March 11th: a new quota')
  const usage = await meter.usage('shop/beta', 'default/metered/default/carol', '2024-03-10', '2024-03-11')
  t.same(
    usage.map((u) => [u.day, u.used, u.remaining]),
    [
      ['2024-03-10', 3, 0],
      ['2024-03-11', 3, 0],
    ],
    'usage per day (domain shop/beta: the plan links prod and beta)',
  )
})

t.test('apiKeySource AUTHORIZER: the x-api-key header is not read (keys come from an authorizer: test/auth/lambda/usage-plan.test.ts)', async (t) => {
  const { s, logs } = await start(t, MANIFESTS.replace('  apiId: shop\n', '  apiId: shop\n  apiKeySource: AUTHORIZER\n'))
  t.notMatch(logs.join('\n'), /apiKeySource: NotImplemented/, 'AUTHORIZER is implemented')
  const r = await call(s, '/prod/pets', ALICE)
  t.equal(r.status, 403, 'no authorizer on the route, so no key')
  t.equal(r.body, '{"message":"Forbidden"}')
})
