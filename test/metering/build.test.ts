// The meter stage at config load: nothing is built where nothing is metered, buckets come in
// AWS's order with stable names, metering domains follow the plans, and the proxy refuses
// configs whose metering does not add up.
import t from 'tap'
import { compile } from '../../operator/compile/index.js'
import { build } from '../../proxy/build.js'
import { configHash } from '../../proxy/config/hash.js'
import { routeKeyOfMethodKey, type GatewayConfig } from '../../proxy/config/schema.js'
import { configProblems } from '../../proxy/config/validate.js'
import { buildMeteringIndex, clientBucket, clientMethodBucket, quotaAt, quotaSchedule } from '../../proxy/metering/index.js'
import { meter } from '../../proxy/pipeline/meter.js'
import { compileIntegration } from '../../proxy/integrations/compile.js'

const OPTS = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' as const } }
const mock = { type: 'MOCK', responses: [{ statusCode: '200' }] }
const resources = (extra: object[] = []) => [
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Api',
    metadata: { name: 'a' },
    spec: { apiId: 'a', routes: [{ path: '/k', method: 'GET', apiKeyRequired: true, integration: mock }, { path: '/free', method: 'GET', integration: mock }] },
  },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'a' } } },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'beta' }, spec: { apiRef: { name: 'a' }, throttle: { rateLimit: 5, burstLimit: 10 }, methodSettings: { '/free/GET': { throttlingRateLimit: 1 } } } },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'b' }, spec: { apiId: 'b', routes: [{ path: '/x', method: 'GET', integration: mock }] } },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'b-prod' }, spec: { apiRef: { name: 'b' }, stageName: 'prod' } },
  ...extra,
]

function handlerOf(config: GatewayConfig, apiId: string, stageName: string, routeKey: string) {
  const api = config.apis.find((a) => a.id === apiId)!
  const stage = api.stages.find((s) => s.name === stageName)!
  const route = api.revisions[0]!.routes.find((r) => r.key === routeKey)!
  return meter.build({ api, stage, route, integration: compileIntegration(api, stage, route), metering: buildMeteringIndex(config), gateway: config })
}

t.test('the meter stage costs nothing where nothing is metered', async (t) => {
  const { config } = compile(resources(), OPTS)
  t.equal(handlerOf(config, 'a', 'prod', 'GET /free'), null, 'no key required, no stage throttles: no handler')
  t.equal(handlerOf(config, 'b', 'prod', 'GET /x'), null)
  t.type(handlerOf(config, 'a', 'prod', 'GET /k'), 'function', 'a route that requires a key is metered')
  t.type(handlerOf(config, 'a', 'beta', 'GET /free'), 'function', 'a throttled stage is metered')
  const runtime = build(config)
  const free = runtime.apis.get('a')!.stages.get('prod')!.routes.find((r) => r.key === 'GET /free')!
  const keyed = runtime.apis.get('a')!.stages.get('prod')!.routes.find((r) => r.key === 'GET /k')!
  t.equal(keyed.handlers.length, free.handlers.length + 1, 'exactly one handler more on the metered route')
})

t.test('buckets, quotas and domains', async (t) => {
  const { config } = compile(
    resources([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { v: 'KeyValue0123456789abcdef' } },
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'k' }, spec: { valueFrom: { secretKeyRef: { name: 's', key: 'v' } } } },
      {
        apiVersion: 'tollgate.dev/v1alpha1',
        kind: 'UsagePlan',
        metadata: { name: 'p', creationTimestamp: '2024-03-10T12:00:00Z' },
        spec: {
          apiStages: [
            { apiRef: { name: 'a' }, stage: 'prod', throttle: { '/k/GET': { rateLimit: 1, burstLimit: 2 } } },
            { apiRef: { name: 'a' }, stage: 'beta' },
          ],
          throttle: { rateLimit: 3, burstLimit: 4 },
          quota: { limit: 100, period: 'MONTH', offset: 30 },
          apiKeys: [{ name: 'k' }],
        },
      },
    ]),
    { ...OPTS, accountThrottle: { rateLimit: 7, burstLimit: 8 } },
  )
  const index = buildMeteringIndex(config)
  t.equal(index.stages.get('a/prod')!.domain, 'a/beta', 'a plan links a/prod and a/beta: one domain, named after the smallest stage id')
  t.equal(index.stages.get('b/prod')!.domain, 'b/prod', 'a stage no plan covers is its own domain')
  t.same(index.stages.get('a/beta')!.accountBucket, { level: 'ACCOUNT', key: 'account', rate: 7, burst: 8 })
  t.same(index.stages.get('a/beta')!.stageBucket, { level: 'STAGE', key: 's:a/beta', rate: 5, burst: 10 })
  t.same(index.stages.get('a/beta')!.methodBuckets.get('GET /free'), { level: 'METHOD', key: 'm:a/beta:GET /free', rate: 1, burst: 10 }, 'burst from the stage default')
  const plan = index.plans.get('default/p')!
  t.same(clientBucket(plan, 'default/k'), { level: 'CLIENT', key: 'c:default/p:default/k', rate: 3, burst: 4 })
  t.same(clientMethodBucket(plan, 'default/k', 'a/prod', 'GET /k'), { level: 'CLIENT_METHOD', key: 'cm:default/p:default/k:a/prod:GET /k', rate: 1, burst: 2 })
  t.equal(clientMethodBucket(plan, 'default/k', 'a/beta', 'GET /k'), null)
  const schedule = quotaSchedule(plan, 'default/k')!
  t.equal(quotaAt(schedule, Date.UTC(2024, 2, 20)).limit, 70, 'offset 30 in the first period (March 2024)')
  t.equal(quotaAt(schedule, Date.UTC(2024, 3, 1)).limit, 100, 'the full limit from April')
  t.equal(quotaAt(schedule, Date.UTC(2024, 3, 1)).key, 'default/p/default/k')
})

t.test('routeKeyOfMethodKey', async (t) => {
  t.equal(routeKeyOfMethodKey('/pets/{petId}/GET'), 'GET /pets/{petId}')
  t.equal(routeKeyOfMethodKey('//GET'), 'GET /')
  t.equal(routeKeyOfMethodKey('/pets/ANY'), 'ANY /pets')
  t.equal(routeKeyOfMethodKey('*/*'), undefined)
  t.equal(routeKeyOfMethodKey('pets/GET'), undefined)
})

t.test('the proxy refuses metering that does not add up', async (t) => {
  const { config } = compile(resources(), OPTS)
  const bad: GatewayConfig = structuredClone(config)
  const digest = 'a'.repeat(64)
  bad.metering = {
    accountThrottle: { rateLimit: 1, burstLimit: 1 },
    apiKeys: [
      { id: 'default/k', source: { kind: 'ApiKey', namespace: 'default', name: 'k' }, valueSha256: digest, enabled: true },
      { id: 'default/j', source: { kind: 'ApiKey', namespace: 'default', name: 'j' }, valueSha256: digest, enabled: true },
    ],
    usagePlans: [
      { id: 'default/p', source: { kind: 'UsagePlan', namespace: 'default', name: 'p' }, throttle: null, quota: null, apiStages: [{ apiId: 'a', stage: 'prod', methodThrottles: { 'GET /nope': { rateLimit: 1, burstLimit: 1 } } }], apiKeys: ['default/k'] },
      { id: 'default/q', source: { kind: 'UsagePlan', namespace: 'default', name: 'q' }, throttle: null, quota: null, apiStages: [{ apiId: 'a', stage: 'prod', methodThrottles: {} }, { apiId: 'z', stage: 'prod', methodThrottles: {} }], apiKeys: ['default/k', 'default/ghost'] },
    ],
  }
  bad.hash = configHash(bad)
  const problems = configProblems(bad)
  t.match(problems, [
    /api key default\/j has the same value as another key/,
    /usage plan default\/p stage a\/prod: methodThrottles names no route: GET \/nope/,
    /usage plan default\/q: unknown stage z\/prod/,
    /api key default\/k is in usage plans default\/p and default\/q for stage a\/prod/,
    /usage plan default\/q: unknown api key default\/ghost/,
  ])
  t.notMatch(problems.join('\n'), digest, 'digests are not printed')
})

t.test('a plan that moves to another metering domain is logged when applied', async (t) => {
  const { meteringChanges } = await import('../../proxy/metering/changes.js')
  const key = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { v: 'KeyValue0123456789abcdef' } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'k' }, spec: { valueFrom: { secretKeyRef: { name: 's', key: 'v' } } } },
  ]
  const plan = (stages: object[]) => ({ apiVersion: 'tollgate.dev/v1alpha1', kind: 'UsagePlan', metadata: { name: 'p' }, spec: { apiStages: stages, quota: { limit: 5, period: 'DAY' }, apiKeys: [{ name: 'k' }] } })
  const one = compile(resources([...key, plan([{ apiRef: { name: 'a' }, stage: 'prod' }])]), OPTS).config
  const two = compile(resources([...key, plan([{ apiRef: { name: 'a' }, stage: 'prod' }, { apiRef: { name: 'a' }, stage: 'beta' }])]), OPTS).config
  t.same(meteringChanges(buildMeteringIndex(one), buildMeteringIndex(one)), [])
  t.match(meteringChanges(buildMeteringIndex(one), buildMeteringIndex(two)), [
    /usage plan default\/p moved from metering domain a\/prod to a\/beta: its quota counters and buckets start afresh/,
    /stages moved to other metering domains, their buckets start full: a\/prod \(a\/prod → a\/beta\)/,
  ])
})
