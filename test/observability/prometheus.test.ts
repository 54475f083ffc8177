// The dashboard and the alerts against a real Prometheus scraping a real fleet: the operator
// (against the test API server) and two proxies sharing a real Redis serve a metered, cached,
// authorized REST API and an HTTP API in front of real backends; known traffic (2XX, 4XX, 5XX,
// 429 throttled and over quota, cache hits, authorizer allow/deny/401/error) goes through both
// proxies; Prometheus (Debian's, on a loopback port, 1 s scrapes and rule evaluation) scrapes
// the proxies' admin /metrics and the operator's /metrics with the labels a ServiceMonitor gives,
// and loads the rule groups of the rendered PrometheusRule. Then:
//   healthy fleet: every dashboard query (variables interpolated as Grafana does, for All and for
//     a selection) returns data with a number in it; the variables list the APIs and stages; the
//     request alerts (thresholds lowered for the test) are active, the fleet alerts inactive;
//   a proxy refusing the config and Redis killed: every alert query (threshold comparison taken
//     off) returns data, and the stale config, mismatch, NACK and Redis alerts return data as
//     written and are active in Prometheus;
//   the operator stopped: TollgateOperatorDown returns data and is active.
// Every rule evaluates without error throughout.
import t, { type Test } from 'tap'
import { request } from 'undici'
import { startOperator, type Operator } from '../../operator/operator.js'
import type { ProxyProcess } from '../../cli/proxy.js'
import { startRedis } from '../helpers/redis.js'
import { startServer } from '../helpers/servers.js'
import { cluster, eventually, G, NS as KUBE_NS, operatorOptions, proxy, V, type Cluster } from '../operator/helpers.js'
import { alertExprs, dashboardExprs, interpolate, renderMonitoring, ruleFile, variableQuery, type Interpolation } from './monitoring.js'
import { startPrometheus, type Prometheus, type RuleState, type Sample } from './prometheus.js'

t.setTimeout(5 * 60_000)

/** The namespace the chart is "installed" in: the label the targets get and the rules select. */
const NS = 'tollgate-system'
const KEYS = { gold: 'GoldKey0123456789abcdefghij', tiny: 'TinyKey0123456789abcdefghij', quota: 'QuotaKey0123456789abcdefghi' }

// The default rules, with thresholds the test traffic crosses (the request alerts must fire).
const monitoring = renderMonitoring({
  metrics: {
    prometheusRule: {
      alerts: {
        serverErrorRate: { threshold: 0.01, minRequestRate: 0.001 },
        latencyP99: { threshold: 0.001 },
        throttling: { threshold: 0.01, minRequestRate: 0.001 },
      },
    },
  },
})
const dashboard = monitoring.dashboard
const alerts = alertExprs(monitoring.groups)

function hasNumber(samples: Sample[]): boolean {
  return samples.some((s) => Number.isFinite(Number(s.value[1])))
}

function show(samples: Sample[]): string {
  return JSON.stringify(samples.map((s) => [s.metric, s.value[1]]))
}

async function createAll(c: Cluster, objs: Array<Record<string, any>>): Promise<void> {
  for (const o of objs) {
    if (o.kind === 'Secret') {
      await c.core.createNamespacedSecret({ namespace: KUBE_NS, body: o })
      continue
    }
    const plural = `${String(o.kind).toLowerCase()}s`
    await c.co.createNamespacedCustomObject({ group: G, version: V, namespace: KUBE_NS, plural, body: o })
  }
}

function resources(backend: number, fn: number): Array<Record<string, any>> {
  const meta = (name: string) => ({ name, namespace: KUBE_NS })
  const kind = (k: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: `${G}/${V}`, kind: k, metadata: meta(name), spec })
  const proxyTo = (path: string) => ({ type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backend}${path}` })
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { ...meta('keys'), labels: { 'tollgate.dev/secret': 'true' } }, stringData: KEYS },
    ...Object.keys(KEYS).map((k) => kind('ApiKey', k, { valueFrom: { secretKeyRef: { name: 'keys', key: k } } })),
    kind('Authorizer', 'token-auth', {
      type: 'TOKEN',
      functionUri: `http://127.0.0.1:${fn}/2015-03-31/functions/auth/invocations`,
      identitySource: 'method.request.header.Authorization',
      resultTtlInSeconds: 300,
    }),
    kind('Api', 'shop', {
      apiId: 'shop',
      routes: [
        { path: '/pets', method: 'GET', apiKeyRequired: true, integration: proxyTo('/pets') },
        { path: '/fail', method: 'GET', integration: proxyTo('/fail') },
        { path: '/slow', method: 'GET', integration: proxyTo('/slow') },
        { path: '/secure', method: 'GET', authorizationType: 'CUSTOM', authorizerRef: { name: 'token-auth' }, integration: proxyTo('/secure') },
      ],
    }),
    kind('Stage', 'shop-prod', {
      apiRef: { name: 'shop' },
      stageName: 'prod',
      cache: { enabled: true, ttlSeconds: 300 },
      methodSettings: { '/pets/GET': { metricsEnabled: true } },
      meteringFailureMode: 'OPEN',
    }),
    kind('UsagePlan', 'gold', { apiStages: [{ apiRef: { name: 'shop' }, stage: 'prod' }], apiKeys: [{ name: 'gold' }] }),
    kind('UsagePlan', 'tiny', { apiStages: [{ apiRef: { name: 'shop' }, stage: 'prod' }], apiKeys: [{ name: 'tiny' }], throttle: { rateLimit: 1, burstLimit: 1 } }),
    kind('UsagePlan', 'quota', { apiStages: [{ apiRef: { name: 'shop' }, stage: 'prod' }], apiKeys: [{ name: 'quota' }], quota: { limit: 3, period: 'DAY' } }),
    kind('Api', 'petshttp', { apiId: 'petshttp', protocol: 'HTTP', routes: [{ routeKey: 'GET /pets', integration: proxyTo('/pets') }, { routeKey: 'POST /pets', integration: { ...proxyTo('/pets'), httpMethod: 'POST' } }] }),
    kind('Stage', 'petshttp-default', { apiRef: { name: 'petshttp' }, stageName: '$default' }),
  ]
}

interface Call {
  api: string
  path: string
  method?: string
  headers?: Record<string, string>
  body?: string
}

async function send(p: ProxyProcess, c: Call): Promise<number> {
  const r = await request(`http://127.0.0.1:${p.port}${c.path}`, {
    method: (c.method ?? 'GET') as 'GET',
    headers: { host: `${c.api}.execute-api.localhost:${p.port}`, ...c.headers },
    ...(c.body !== undefined ? { body: c.body } : {}),
  })
  await r.body.dump()
  return r.statusCode
}

/** One round of known traffic through a proxy; returns the statuses by call. */
async function traffic(p: ProxyProcess): Promise<Map<string, number[]>> {
  const calls: Array<[string, Call, number]> = [
    ['pets (gold key, cached)', { api: 'shop', path: '/prod/pets', headers: { 'x-api-key': KEYS.gold } }, 12],
    ['pets without a key', { api: 'shop', path: '/prod/pets' }, 3],
    ['pets (tiny key, throttled)', { api: 'shop', path: '/prod/pets', headers: { 'x-api-key': KEYS.tiny } }, 6],
    ['pets (quota key)', { api: 'shop', path: '/prod/pets', headers: { 'x-api-key': KEYS.quota } }, 4],
    ['fail', { api: 'shop', path: '/prod/fail' }, 4],
    ['slow', { api: 'shop', path: '/prod/slow' }, 3],
    ['secure allow', { api: 'shop', path: '/prod/secure', headers: { authorization: 'allow-me' } }, 3],
    ['secure deny', { api: 'shop', path: '/prod/secure', headers: { authorization: 'deny-me' } }, 2],
    ['secure without a token', { api: 'shop', path: '/prod/secure' }, 2],
    ['secure, the function fails', { api: 'shop', path: '/prod/secure', headers: { authorization: 'boom' } }, 1],
    ['no such route', { api: 'shop', path: '/prod/nope' }, 2],
    ['HTTP API GET', { api: 'petshttp', path: '/pets' }, 5],
    ['HTTP API POST', { api: 'petshttp', path: '/pets', method: 'POST', body: JSON.stringify({ name: 'rex', tags: ['a', 'b'] }) }, 3],
  ]
  const out = new Map<string, number[]>()
  for (const [what, call, n] of calls) {
    for (let i = 0; i < n; i++) out.set(what, [...(out.get(what) ?? []), await send(p, call)])
  }
  return out
}

async function ruleStates(prom: Prometheus, t: Test): Promise<Map<string, RuleState>> {
  const rules = await prom.rules()
  for (const r of rules) t.equal(r.health, 'ok', `rule ${r.name} evaluates (${r.lastError ?? ''})`)
  return new Map(rules.map((r) => [r.name, r]))
}

const active = (r: RuleState | undefined) => r?.state === 'pending' || r?.state === 'firing'

t.test('the dashboard and alerts against a real Prometheus scraping a real fleet', async (t) => {
  // Backends: the API's integration and the authorizer function (Lambda invoke API).
  const backend = await startServer((req, res) => {
    if (req.url?.startsWith('/fail')) return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"backend failed"}')
    const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pets: [{ id: 1 }], url: req.url }))
    if (req.url?.startsWith('/slow')) return void setTimeout(answer, 40)
    req.resume()
    req.on('end', answer)
  })
  t.teardown(backend.close)
  const fn = await startServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const event = JSON.parse(body) as { authorizationToken: string; methodArn: string }
      if (event.authorizationToken === 'boom') return void res.writeHead(500).end('{"errorMessage":"boom"}')
      const effect = event.authorizationToken.startsWith('allow') ? 'Allow' : 'Deny'
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        principalId: 'user',
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: event.methodArn }] },
      }))
    })
  })
  t.teardown(fn.close)
  const redis = await startRedis()
  t.teardown(redis.stop)

  // The fleet: the operator against the test API server, two proxies on Redis.
  const c = await cluster(t)
  const op: Operator = await startOperator(operatorOptions({ identity: 'tollgate-operator-0' }), c.kc, () => {})
  let opStopped = false
  const stopOperator = async () => {
    if (opStopped) return
    opStopped = true
    await op.stop()
  }
  t.teardown(stopOperator)
  const startOne = (id: string) => proxy(t, op, id, { redisUrl: redis.url, drainTimeoutMs: 1000 })
  const proxies = [await startOne('proxy-a'), await startOne('proxy-b')]
  const [proxyA, proxyB] = proxies as [ProxyProcess, ProxyProcess]

  // Prometheus: the targets with the labels a ServiceMonitor gives them, the chart's rules.
  const prom = await startPrometheus({
    targets: [
      ...proxies.map((p, i) => ({ job: 'tollgate-proxy-metrics', address: `127.0.0.1:${p.adminPort}`, labels: { namespace: NS, service: 'tollgate-proxy-metrics', pod: `proxy-${'ab'[i]}` } })),
      { job: 'tollgate-operator', address: `127.0.0.1:${op.metricsPort}`, labels: { namespace: NS, service: 'tollgate-operator', pod: 'tollgate-operator-0' } },
    ],
    rules: ruleFile(monitoring.groups),
  })
  t.teardown(prom.stop)
  await prom.scrapes(1)
  t.same((await prom.targets()).map((x) => x.health), ['up', 'up', 'up'], 'Prometheus scrapes the operator and both proxies')

  // The APIs, created while Prometheus watches (so compiles and convergence land in its data).
  await createAll(c, resources(backend.port, fn.port))
  await eventually('both proxies serve the APIs', async () => {
    const codes = await Promise.all(proxies.map((p) => send(p, { api: 'petshttp', path: '/pets' })))
    const hash = op.stream.currentHash
    return codes.every((s) => s === 200) && op.stream.proxies().every((p) => p.ackedHash === hash) && op.stream.proxies().length === 2
  }, 15_000)
  await prom.scrapes(1)

  // Two rounds through each proxy, with scrapes between: series first seen in round 1 increase
  // in round 2, so rates are not zero.
  let statuses = new Map<string, number[]>()
  for (let round = 0; round < 2; round++) {
    for (const p of proxies) statuses = await traffic(p)
    await prom.scrapes(round === 0 ? 1 : 2)
  }
  const first = (what: string) => statuses.get(what) ?? []
  t.ok(first('pets (gold key, cached)').every((s) => s === 200), 'gold key: 200')
  t.ok(first('pets without a key').every((s) => s === 403), 'no key: 403')
  t.ok(first('pets (tiny key, throttled)').includes(429), 'tiny key: throttled 429')
  t.ok(first('pets (quota key)').every((s) => s === 429), 'quota key: over its quota by now')
  t.ok(first('fail').every((s) => s === 500), 'failing backend: 500')
  t.same(first('secure allow'), [200, 200, 200], 'authorizer allows')
  t.same(first('secure deny'), [403, 403], 'authorizer denies: 403')
  t.same(first('secure without a token'), [401, 401], 'no token: 401')
  t.same(first('secure, the function fails'), [500], 'authorizer error: 500')

  // ------------------------------------------------------------------ healthy fleet
  const selections: Array<[string, Interpolation]> = [
    ['All', { selections: { namespace: 'All', api: 'All', stage: 'All' }, rateInterval: '5m', range: '5m' }],
    ['shop+petshttp', { selections: { namespace: [NS], api: ['shop', 'petshttp'], stage: ['prod', '$default'] }, rateInterval: '5m', range: '5m' }],
  ]

  await t.test('the dashboard variables list the namespace, APIs and stages', async (t) => {
    const how = selections[1]![1]
    const values: Record<string, string[]> = {}
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
      const m = /^label_values\((.*),\s*(\w+)\)$/.exec(variableQuery(v))
      t.ok(m, `${v.name}: label_values(selector, label)`)
      values[v.name] = await prom.labelValues(m![2]!, interpolate(m![1]!, dashboard, how))
    }
    t.same(values.namespace, [NS])
    t.same(values.api?.sort(), ['petshttp', 'shop'])
    t.same(values.stage?.sort(), ['$default', 'prod'])
  })

  for (const [name, how] of selections) {
    await t.test(`every dashboard query returns data (variables: ${name})`, async (t) => {
      for (const { panel, refId, expr } of dashboardExprs(dashboard)) {
        const q = interpolate(expr, dashboard, how)
        const samples = await prom.query(q)
        t.ok(hasNumber(samples), `${panel} ${refId}: ${q} → ${show(samples)}`)
      }
    })
  }

  await t.test('a few dashboard numbers match the traffic', async (t) => {
    const how = selections[0]![1]
    const byTitle = (title: string, refId = 'A') => interpolate(dashboardExprs(dashboard).find((e) => e.panel === title && e.refId === refId)!.expr, dashboard, how)
    const value = async (q: string) => Number((await prom.query(q))[0]?.value[1])
    const ratio = await value(byTitle('5XX error rate'))
    t.ok(ratio > 0 && ratio < 1, `5XX error rate between 0 and 1: ${ratio}`)
    const [p50, p99] = [await value(byTitle('Latency', 'A')), await value(byTitle('Latency', 'C'))]
    t.ok(p50 <= p99, `Latency p50 ${p50} <= p99 ${p99}`)
    const hits = await value(byTitle('Cache hit ratio'))
    t.ok(hits > 0.5 && hits <= 1, `cache hit ratio ${hits}: gold-key calls after the first are hits`)
    const levels = (await prom.query(byTitle('Throttled requests (429) by level'))).map((s) => s.metric.level)
    t.ok(levels.includes('CLIENT'), `throttled by the usage plan: CLIENT level (${levels})`)
    const outcomes = new Set((await prom.query(byTitle('Authorizer outcomes'))).map((s) => s.metric.outcome))
    t.ok(outcomes.size >= 3, `authorizer outcomes: ${[...outcomes]}`)
    const programmed = await prom.query(byTitle('Proxies: programmed vs connected', 'A'))
    t.equal(Number(programmed[0]?.value[1]), 2, 'both proxies programmed')
  })

  await t.test('healthy fleet: the request alerts fire on the test thresholds, the fleet alerts stay quiet', async (t) => {
    await eventually('request alerts evaluated', async () => {
      const states = await prom.rules()
      return ['TollgateHigh5XXErrorRate', 'TollgateHighLatency', 'TollgateThrottlingSpike'].every((n) => active(states.find((r) => r.name === n)))
    }, 10_000).catch(() => {})
    const states = await ruleStates(prom, t)
    for (const name of ['TollgateHigh5XXErrorRate', 'TollgateHighLatency', 'TollgateThrottlingSpike']) {
      t.ok(active(states.get(name)), `${name} is ${states.get(name)?.state}`)
    }
    for (const name of ['TollgateProxyConfigStale', 'TollgateProxyConfigMismatch', 'TollgateConfigRejected', 'TollgateRedisDown', 'TollgateOperatorDown', 'TollgateOperatorNoLeader']) {
      t.equal(states.get(name)?.state, 'inactive', `${name} inactive on a healthy fleet`)
    }
    const errors = await prom.query(alerts.find((a) => a.alert === 'TollgateHigh5XXErrorRate')!.expr)
    t.ok(errors.some((s) => s.metric.api === 'shop' && s.metric.stage === 'prod'), `5XX alert names the stage: ${show(errors)}`)
  })

  // ------------------------------------------------------------------ faults
  // proxy-b refuses the next config, and Redis dies. The config reaches proxy-b's real
  // validation with a field this proxy does not know (as an older proxy would see a newer
  // operator's config): refused, counted, NACKed, the previous config kept.
  const apply = proxyB.gateway.apply.bind(proxyB.gateway)
  proxyB.gateway.apply = (config: unknown) => apply({ ...(config as object), fieldFromANewerOperator: true })
  const old = op.stream.currentHash
  await c.co.patchNamespacedCustomObject(
    { group: G, version: V, namespace: KUBE_NS, plural: 'stages', name: 'shop-prod', body: [{ op: 'replace', path: '/spec/cache/ttlSeconds', value: 120 }] },
  )
  await eventually('proxy-b NACKs the new config, proxy-a ACKs it', () => {
    const ps = op.stream.proxies()
    const hash = op.stream.currentHash
    return hash !== old && ps.find((p) => p.id === 'proxy-a')?.ackedHash === hash && ps.find((p) => p.id === 'proxy-b')?.nack?.hash === hash
  }, 10_000)
  await redis.kill()
  for (let i = 0; i < 3; i++) await send(proxyA, { api: 'shop', path: '/prod/pets', headers: { 'x-api-key': KEYS.gold } })
  await eventually('Prometheus sees Redis down', async () => (await prom.query('min(tollgate_meter_redis_up) < 1')).length > 0, 15_000)
  await prom.scrapes(2)

  await t.test('faults: every alert query (threshold taken off) returns data', async (t) => {
    for (const a of alerts) {
      if (a.query === null) continue
      const samples = await prom.query(a.query)
      t.ok(hasNumber(samples), `${a.alert}: ${a.query} → ${show(samples)}`)
    }
  })

  await t.test('faults: the stale config, mismatch, NACK and Redis alerts return data as written and are active', async (t) => {
    const expect: Record<string, (s: Sample) => boolean> = {
      TollgateProxyConfigStale: (s) => s.metric.proxy === 'proxy-b',
      TollgateProxyConfigMismatch: (s) => s.metric.pod === 'proxy-b',
      TollgateConfigRejected: (s) => s.metric.namespace === NS,
      TollgateRedisDown: (s) => s.metric.pod === 'proxy-a' || s.metric.pod === 'proxy-b',
    }
    const rejected = await prom.query('increase(tollgate_config_rejected_total[5m]) > 0')
    t.same(rejected.map((s) => s.metric.pod), ['proxy-b'], `proxy-b counted the refusal: ${show(rejected)}`)
    for (const [name, match] of Object.entries(expect)) {
      const samples = await prom.query(alerts.find((a) => a.alert === name)!.expr)
      t.ok(samples.some(match), `${name} as written: ${show(samples)}`)
    }
    await eventually('fault alerts evaluated', async () => {
      const states = await prom.rules()
      return Object.keys(expect).every((n) => active(states.find((r) => r.name === n)))
    }, 10_000).catch(() => {})
    const states = await ruleStates(prom, t)
    for (const name of Object.keys(expect)) t.ok(active(states.get(name)), `${name} is ${states.get(name)?.state}`)
    t.equal(states.get('TollgateOperatorDown')?.state, 'inactive', 'the operator is still up')
  })

  // ------------------------------------------------------------------ operator down
  await t.test('operator stopped: TollgateOperatorDown returns data and is active', async (t) => {
    const down = alerts.find((a) => a.alert === 'TollgateOperatorDown')!
    t.same(await prom.query(down.expr), [], 'nothing while the operator is scraped')
    await stopOperator()
    await eventually('the operator target down', async () => (await prom.targets()).some((x) => x.labels.job === 'tollgate-operator' && x.health === 'down'), 10_000)
    await prom.scrapes(1)
    const samples = await prom.query(down.expr)
    t.same(samples.map((s) => [s.metric, s.value[1]]), [[{ namespace: NS }, '1']], `${down.alert} as written`)
    await eventually('TollgateOperatorDown evaluated', async () => active((await prom.rules()).find((r) => r.name === 'TollgateOperatorDown')), 10_000).catch(() => {})
    const states = await ruleStates(prom, t)
    t.ok(active(states.get('TollgateOperatorDown')), `TollgateOperatorDown is ${states.get('TollgateOperatorDown')?.state}`)
  })
})
