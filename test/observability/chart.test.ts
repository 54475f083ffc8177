// The chart's dashboard and alerts without a running Prometheus: the dashboard ConfigMap carries
// the JSON file unchanged for Grafana's sidecar, the dashboard is well formed (variables, data
// source, layout, every query filtered by the variables), every PromQL expression parses
// (promtool), `promtool check rules` passes on the rule groups of the rendered PrometheusRule,
// values reach the rules, and `promtool test rules` shows each alert firing on the series that
// should fire it and staying quiet on healthy ones. test/observability/prometheus.test.ts runs
// the same expressions against a real Prometheus scraping a real fleet.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { chartDir, schemaProblems, strictFieldProblems } from '../chart/helpers.js'
import { alertExprs, allPanels, dashboardExprs, interpolate, promtool, renderMonitoring, ruleFile, variableQuery, type RuleGroup } from './monitoring.js'

t.setTimeout(15 * 60_000) // the first chart render may build minihelm

const NS = 'tollgate-system'
const m = renderMonitoring()
const file = readFileSync(join(chartDir, 'dashboards/tollgate.json'), 'utf8')

t.test('the objects are valid monitoring.coreos.com/v1 and core/v1 objects', async (t) => {
  t.same(schemaProblems([m.configMap, m.prometheusRule]), [])
  t.same(strictFieldProblems([m.configMap, m.prometheusRule]), [])
})

t.test('the dashboard ConfigMap: the JSON file unchanged, the sidecar label, size', async (t) => {
  t.equal(m.dashboardText, file.trim(), 'data["tollgate.json"] is charts/tollgate/dashboards/tollgate.json')
  t.equal(m.configMap.metadata.labels?.grafana_dashboard, '1', 'grafana_dashboard: "1" by default')
  t.equal(m.configMap.metadata.namespace, NS)
  // kubectl apply keeps the object in an annotation limited to 256 KiB.
  t.ok(Buffer.byteLength(m.dashboardText) < 256 * 1024, `${Buffer.byteLength(m.dashboardText)} bytes`)
  const custom = renderMonitoring({ metrics: { dashboard: { labels: { grafana_dashboard: 'tollgate' }, annotations: { grafana_folder: 'Gateways' }, namespace: 'monitoring' } } })
  t.equal(custom.configMap.metadata.labels?.grafana_dashboard, 'tollgate', 'the sidecar label value from values')
  t.equal(custom.configMap.metadata.annotations?.grafana_folder, 'Gateways', 'annotations from values')
  t.equal(custom.configMap.metadata.namespace, 'monitoring', 'namespace from values')
})

t.test('the dashboard is well formed', async (t) => {
  const d = m.dashboard
  t.equal(d.uid, 'tollgate')
  t.equal(d.title, 'Tollgate')
  const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v]))
  t.equal(vars.datasource?.type, 'datasource')
  t.equal(vars.datasource?.query, 'prometheus', 'a Prometheus data source variable')
  for (const name of ['namespace', 'api', 'stage']) {
    const v = vars[name]
    t.equal(v?.type, 'query', `$${name} is a query variable`)
    t.ok(v?.multi && v?.includeAll, `$${name}: multi-value with All`)
    t.equal(v?.allValue, '.*', `$${name}: All matches any value, an absent label too`)
    t.match(variableQuery(v!), /^label_values\(/, `$${name} lists label values`)
    t.same(v?.datasource, { type: 'prometheus', uid: '${datasource}' })
  }
  t.match(variableQuery(vars.api!), /namespace=~"\$namespace"/, '$api depends on $namespace')
  t.match(variableQuery(vars.stage!), /api=~"\$api"/, '$stage depends on $api')

  const panels = allPanels(d)
  const ids = panels.map((p) => p.id)
  t.same(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'panel ids are unique')
  const cells = new Map<string, string>()
  for (const p of panels) {
    const g = p.gridPos
    t.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24, `${p.title}: within the 24 columns`)
    for (let x = g.x; x < g.x + g.w; x++) {
      for (let y = g.y; y < g.y + g.h; y++) {
        const other = cells.get(`${x},${y}`)
        if (other) t.fail(`${p.title} overlaps ${other}`)
        cells.set(`${x},${y}`, p.title)
      }
    }
    if (p.type === 'row') continue
    t.ok(p.description, `${p.title}: says what it shows`)
    t.same(p.datasource, { type: 'prometheus', uid: '${datasource}' }, `${p.title}: the data source variable`)
    t.ok(p.targets?.length, `${p.title}: has queries`)
    const refs = (p.targets ?? []).map((x) => x.refId)
    t.equal(new Set(refs).size, refs.length, `${p.title}: refIds unique`)
  }

  // The API Gateway console's panels, and the rest of the list.
  const titles = panels.map((p) => p.title)
  for (const title of [
    'API calls (Count)', 'Latency', 'Integration latency', '4XX errors (4XXError)', '5XX errors (5XXError)', 'Cache hit ratio',
    'Throttled requests (429) by level', 'Quota exceeded (429)', 'Authorizer outcomes', 'Redis up', 'Failure-mode decisions',
    'Proxies: programmed vs connected', 'Config age', 'Convergence time', 'Config ACK / NACK',
  ]) t.ok(titles.includes(title), `panel "${title}"`)
  const latency = panels.find((p) => p.title === 'Latency')!
  t.same(latency.targets!.map((x) => x.expr.match(/histogram_quantile\(([0-9.]+),/)?.[1]), ['0.5', '0.9', '0.99'], 'Latency: p50, p90, p99 from the histogram')
})

t.test('every dashboard query is filtered by the variables', async (t) => {
  const requestMetric = /tollgate_(requests|4xx_errors|5xx_errors|latency_seconds|integration_latency_seconds|cache_hits|cache_misses|data_processed_bytes|throttled|quota_exceeded|authorizer_requests)_/
  for (const { panel, refId, expr } of dashboardExprs(m.dashboard)) {
    const selectors = expr.match(/\{[^{}]*\}/g) ?? []
    t.ok(selectors.length > 0, `${panel} ${refId}: selects series`)
    for (const s of selectors) t.match(s, /namespace=~"\$namespace"/, `${panel} ${refId}: ${s} filters by $namespace`)
    if (requestMetric.test(expr)) {
      for (const s of selectors) t.match(s, /api=~"\$api", stage=~"\$stage"/, `${panel} ${refId}: ${s} filters by $api and $stage`)
    }
  }
})

t.test('every dashboard query is valid PromQL (promtool parses it)', async (t) => {
  const exprs = dashboardExprs(m.dashboard)
  const how = { selections: { namespace: 'All' as const, api: ['shop', 'pets'], stage: ['prod', '$default'] }, rateInterval: '1m', range: '1h' }
  const record = exprs.map((e, i) => ({ record: `tollgate:dashboard_query_${i}`, expr: interpolate(e.expr, m.dashboard, how) }))
  t.match(record[0]!.expr, /api=~"\(shop\|pets\)", stage=~"\(prod\|\\\\\$default\)"/, 'multi-value selections interpolated as Grafana does')
  const r = promtool((dir) => ['check', 'rules', join(dir, 'queries.yaml')], { 'queries.yaml': stringify({ groups: [{ name: 'dashboard', rules: record }] }) })
  t.equal(r.status, 0, `promtool check rules: ${r.stdout}${r.stderr}`)
  t.match(r.stdout, `SUCCESS: ${exprs.length} rules found`)
})

t.test('promtool check rules passes on the rendered PrometheusRule', async (t) => {
  const alerts = alertExprs(m.groups)
  t.same(alerts.map((a) => a.alert), [
    'TollgateHigh5XXErrorRate', 'TollgateHighLatency', 'TollgateThrottlingSpike',
    'TollgateProxyConfigStale', 'TollgateProxyConfigMismatch', 'TollgateConfigRejected', 'TollgateRedisDown', 'TollgateOperatorDown', 'TollgateOperatorNoLeader',
  ])
  const r = promtool((dir) => ['check', 'rules', join(dir, 'rules.yaml')], { 'rules.yaml': ruleFile(m.groups) })
  t.equal(r.status, 0, `promtool check rules: ${r.stdout}${r.stderr}`)
  t.match(r.stdout, `SUCCESS: ${alerts.length} rules found`)
  for (const g of m.groups) {
    for (const rule of g.rules) {
      t.ok(rule.labels?.severity, `${rule.alert}: severity`)
      t.ok(rule.annotations?.summary && rule.annotations?.description, `${rule.alert}: summary and description`)
      t.notMatch(rule.expr, /namespace="(?!tollgate-system")/, `${rule.alert}: scoped to the release namespace`)
    }
  }
  // The threshold split the Prometheus test relies on.
  const split = Object.fromEntries(alerts.map((a) => [a.alert, a.comparison]))
  t.same(split, {
    TollgateHigh5XXErrorRate: '> 0.05', TollgateHighLatency: '> 2.5', TollgateThrottlingSpike: '> 0.1',
    TollgateProxyConfigStale: '< 1', TollgateProxyConfigMismatch: null, TollgateConfigRejected: '> 0', TollgateRedisDown: '< 1',
    TollgateOperatorDown: null, TollgateOperatorNoLeader: '< 1',
  }, 'thresholds from the default values, last in each expression')
})

t.test('values reach the rules: thresholds, for, severity, labels, selector, disabled alerts', async (t) => {
  const custom = renderMonitoring({
    metrics: {
      prometheusRule: {
        labels: { release: 'kube-prometheus' },
        alertLabels: { team: 'platform' },
        selector: 'cluster="eu-1", namespace="gw"',
        alerts: {
          serverErrorRate: { threshold: 0.2, minRequestRate: 1, for: '2m', severity: 'page' },
          latencyP99: { threshold: 0.75 },
          noLeader: { enabled: false },
        },
      },
    },
  }, 'edge', 'gw')
  t.equal(custom.prometheusRule.metadata.labels?.release, 'kube-prometheus')
  const rules = custom.groups.flatMap((g: RuleGroup) => g.rules)
  const byName = Object.fromEntries(rules.map((r) => [r.alert, r]))
  t.notOk(byName.TollgateOperatorNoLeader, 'a disabled alert is left out')
  t.equal(rules.length, 8)
  const errors = byName.TollgateHigh5XXErrorRate!
  t.match(errors.expr, /> 1\)\n\s*> 0.2$/, 'minRequestRate and threshold')
  t.equal(errors.for, '2m')
  t.equal(errors.labels?.severity, 'page')
  t.match(byName.TollgateHighLatency!.expr, /> 0.75$/)
  for (const r of rules) {
    t.equal(r.labels?.team, 'platform', `${r.alert}: alert labels`)
    for (const s of r.expr.match(/\{[^{}]*\}/g) ?? []) t.match(s, 'cluster="eu-1", namespace="gw"', `${r.alert}: ${s} has the selector`)
  }
  const r = promtool((dir) => ['check', 'rules', join(dir, 'rules.yaml')], { 'rules.yaml': ruleFile(custom.groups) })
  t.equal(r.status, 0, `promtool check rules: ${r.stdout}${r.stderr}`)
})

// ---------------------------------------------------------------------------------------------
// promtool test rules: synthetic series (1 minute apart) that should and should not fire each alert.

const sel = (labels: Record<string, string>) => `{${Object.entries({ namespace: NS, ...labels }).map(([k, v]) => `${k}="${v}"`).join(', ')}}`
const series = (name: string, labels: Record<string, string>, values: string) => ({ series: `${name}${sel(labels)}`, values })
const alerts = (name: string, at: string, firing: Array<Record<string, string>>, severity: string) => ({
  expr: `ALERTS{alertname="${name}", alertstate="firing"}`,
  eval_time: at,
  exp_samples: firing.map((labels) => ({ labels: `ALERTS${sel({ alertname: name, alertstate: 'firing', severity, ...labels })}`, value: 1 })),
})
const stage = { api: 'shop', stage: 'prod' }
const latencyBuckets = (labels: Record<string, string>, slow: boolean) => [
  series('tollgate_latency_seconds_bucket', { ...labels, le: '0.1' }, slow ? '0+0x30' : '0+60x30'),
  series('tollgate_latency_seconds_bucket', { ...labels, le: '5' }, '0+60x30'),
  series('tollgate_latency_seconds_bucket', { ...labels, le: '+Inf' }, '0+60x30'),
]

const unitTests = [
  {
    name: '5XX rate: 10% of 1 req/s fires after 5 minutes; 1%, or 10% of a trickle, does not',
    input_series: [
      series('tollgate_requests_total', stage, '0+60x30'),
      series('tollgate_5xx_errors_total', stage, '0+6x30'),
      series('tollgate_requests_total', { api: 'shop', stage: 'beta' }, '0+60x30'),
      series('tollgate_5xx_errors_total', { api: 'shop', stage: 'beta' }, '0+0.6x30'),
      series('tollgate_requests_total', { api: 'quiet', stage: 'prod' }, '0+3x30'),
      series('tollgate_5xx_errors_total', { api: 'quiet', stage: 'prod' }, '0+3x30'),
    ],
    promql_expr_test: [alerts('TollgateHigh5XXErrorRate', '3m', [], 'critical'), alerts('TollgateHigh5XXErrorRate', '20m', [stage], 'critical')],
  },
  {
    name: 'p99 latency above 2.5 s for 10 minutes fires; a fast stage does not',
    input_series: [...latencyBuckets(stage, true), ...latencyBuckets({ api: 'fast', stage: 'prod' }, false)],
    promql_expr_test: [alerts('TollgateHighLatency', '8m', [], 'warning'), alerts('TollgateHighLatency', '20m', [stage], 'warning')],
  },
  {
    name: 'throttling: half the requests refused for 10 minutes fires; 5% does not',
    input_series: [
      series('tollgate_requests_total', stage, '0+60x30'),
      series('tollgate_throttled_total', { ...stage, level: 'CLIENT' }, '0+20x30'),
      series('tollgate_throttled_total', { ...stage, level: 'STAGE' }, '0+10x30'),
      series('tollgate_requests_total', { api: 'calm', stage: 'prod' }, '0+60x30'),
      series('tollgate_throttled_total', { api: 'calm', stage: 'prod', level: 'METHOD' }, '0+3x30'),
    ],
    promql_expr_test: [alerts('TollgateThrottlingSpike', '20m', [stage], 'warning')],
  },
  {
    name: 'stale config: a proxy not programmed for 5 minutes fires; a programmed one does not',
    input_series: [
      series('tollgate_operator_proxy_programmed', { pod: 'op-1', proxy: 'proxy-a' }, '1x30'),
      series('tollgate_operator_proxy_programmed', { pod: 'op-1', proxy: 'proxy-b' }, '1x4 0x26'),
      series('tollgate_operator_leader', { pod: 'op-1' }, '1x30'),
    ],
    promql_expr_test: [alerts('TollgateProxyConfigStale', '7m', [], 'warning'), alerts('TollgateProxyConfigStale', '12m', [{ proxy: 'proxy-b' }], 'warning')],
  },
  {
    name: 'config mismatch: a proxy on a hash no operator publishes fires; none while no operator publishes',
    input_series: [
      series('tollgate_config_info', { pod: 'proxy-a', hash: 'new' }, '1x30'),
      series('tollgate_config_info', { pod: 'proxy-b', hash: 'old' }, '1x30'),
      series('tollgate_operator_config_info', { pod: 'op-1', hash: 'new' }, '1x20'),
      series('tollgate_operator_leader', { pod: 'op-1' }, '1x20'),
    ],
    promql_expr_test: [
      alerts('TollgateProxyConfigMismatch', '10m', [], 'warning'),
      alerts('TollgateProxyConfigMismatch', '18m', [{ pod: 'proxy-b', hash: 'old' }], 'warning'),
      // The operator gone (stale after 5 minutes): TollgateOperatorDown says so, not this one.
      alerts('TollgateProxyConfigMismatch', '28m', [], 'warning'),
    ],
  },
  {
    name: 'a NACK fires at once and clears 10 minutes later',
    input_series: [
      series('tollgate_operator_proxy_acks_total', { pod: 'op-1', result: 'ack' }, '0+1x30'),
      series('tollgate_operator_proxy_acks_total', { pod: 'op-1', result: 'nack' }, '0 0 0 1x27'),
      series('tollgate_operator_leader', { pod: 'op-1' }, '1x30'),
    ],
    promql_expr_test: [
      alerts('TollgateConfigRejected', '2m', [], 'warning'),
      alerts('TollgateConfigRejected', '4m', [{}], 'warning'),
      alerts('TollgateConfigRejected', '20m', [], 'warning'),
    ],
  },
  {
    name: 'Redis down for a minute fires per proxy (metering or cache store); Redis up does not',
    input_series: [
      series('tollgate_meter_redis_up', { pod: 'proxy-a' }, '1x5 0x25'),
      series('tollgate_cache_store_up', { pod: 'proxy-a' }, '1x30'),
      series('tollgate_meter_redis_up', { pod: 'proxy-b' }, '1x30'),
      series('tollgate_cache_store_up', { pod: 'proxy-b' }, '1x10 0x20'),
      series('tollgate_meter_redis_up', { pod: 'proxy-c' }, '1x30'),
      series('tollgate_cache_store_up', { pod: 'proxy-c' }, '1x30'),
    ],
    promql_expr_test: [
      alerts('TollgateRedisDown', '5m', [], 'critical'),
      alerts('TollgateRedisDown', '8m', [{ pod: 'proxy-a' }], 'critical'),
      alerts('TollgateRedisDown', '15m', [{ pod: 'proxy-a' }, { pod: 'proxy-b' }], 'critical'),
    ],
  },
  {
    name: 'operator down: no operator metrics for 5 minutes fires; a non-leader replica is up but no leader fires the other alert',
    input_series: [
      series('tollgate_operator_leader', { pod: 'op-1' }, '1x5 0x10'),
      series('tollgate_operator_leader', { pod: 'op-2' }, '0x15'),
    ],
    promql_expr_test: [
      alerts('TollgateOperatorDown', '10m', [], 'critical'),
      alerts('TollgateOperatorNoLeader', '8m', [], 'warning'),
      alerts('TollgateOperatorNoLeader', '13m', [{}], 'warning'),
      // The series end at 15m and go stale 5 minutes later; absent() then fires after its `for`.
      alerts('TollgateOperatorDown', '23m', [], 'critical'),
      alerts('TollgateOperatorDown', '27m', [{}], 'critical'),
    ],
  },
]

t.test('promtool test rules: each alert fires on the series that should fire it, and only then', async (t) => {
  const tests = { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests: unitTests.map(({ name: _n, ...rest }) => ({ interval: '1m', ...rest })) }
  const r = promtool((dir) => ['test', 'rules', join(dir, 'tests.yaml')], { 'rules.yaml': ruleFile(m.groups), 'tests.yaml': stringify(tests) })
  t.equal(r.status, 0, `promtool test rules:\n${r.stdout}${r.stderr}`)
  t.match(r.stdout, 'SUCCESS')
})

t.test('the annotations render with Prometheus templates (Helm left them alone)', async (t) => {
  const rule = m.groups.flatMap((g) => g.rules).find((r) => r.alert === 'TollgateHigh5XXErrorRate')!
  const tests = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: [series('tollgate_requests_total', stage, '0+60x30'), series('tollgate_5xx_errors_total', stage, '0+6x30')],
      alert_rule_test: [{
        eval_time: '20m',
        alertname: 'TollgateHigh5XXErrorRate',
        exp_alerts: [{
          exp_labels: { severity: 'critical', namespace: NS, ...stage },
          exp_annotations: { summary: 'Stage shop/prod answers 10% of its requests with 5XX.', description: rule.annotations!.description },
        }],
      }],
    }],
  }
  const r = promtool((dir) => ['test', 'rules', join(dir, 'tests.yaml')], { 'rules.yaml': ruleFile(m.groups), 'tests.yaml': stringify(tests) })
  t.equal(r.status, 0, `promtool test rules:\n${r.stdout}${r.stderr}`)
})
