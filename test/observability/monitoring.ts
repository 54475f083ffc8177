// The chart's monitoring objects as the tests read them: the dashboard JSON out of its ConfigMap,
// the rule groups out of the PrometheusRule, every PromQL expression of both, Grafana's variable
// interpolation, the threshold split of the alert expressions, and promtool.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { find, ofKind, renderChart, type K8sObject } from '../chart/helpers.js'

export interface Target {
  refId: string
  expr: string
  legendFormat?: string
  instant?: boolean
}

export interface Panel {
  id: number
  type: string
  title: string
  description?: string
  gridPos: { h: number; w: number; x: number; y: number }
  datasource?: { type: string; uid: string }
  targets?: Target[]
  panels?: Panel[]
  fieldConfig?: { defaults?: { unit?: string } }
}

export interface Variable {
  name: string
  type: string
  query: string | { query: string }
  definition?: string
  includeAll?: boolean
  allValue?: string
  multi?: boolean
  datasource?: { type: string; uid: string }
}

export interface Dashboard {
  uid: string
  title: string
  schemaVersion: number
  templating: { list: Variable[] }
  panels: Panel[]
}

export interface Rule {
  alert?: string
  record?: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export interface RuleGroup {
  name: string
  interval?: string
  rules: Rule[]
}

export interface Monitoring {
  objects: K8sObject[]
  configMap: K8sObject
  dashboardText: string
  dashboard: Dashboard
  prometheusRule: K8sObject
  groups: RuleGroup[]
}

/** Values that turn both objects on, merged under the caller's. */
export function monitoringValues(over: Record<string, unknown> = {}): Record<string, unknown> {
  const metrics = (over.metrics ?? {}) as Record<string, Record<string, unknown>>
  return {
    ...over,
    metrics: {
      ...metrics,
      dashboard: { enabled: true, ...metrics.dashboard },
      prometheusRule: { enabled: true, ...metrics.prometheusRule },
    },
  }
}

export function renderMonitoring(values: Record<string, unknown> = {}, release = 'tollgate', namespace = 'tollgate-system'): Monitoring {
  const objects = renderChart(monitoringValues(values), { release, namespace })
  const full = release.includes('tollgate') ? release : `${release}-tollgate`
  const configMap = find(objects, 'ConfigMap', `${full}-dashboard`)
  if (!configMap) throw new Error(`no ConfigMap ${full}-dashboard in the rendered chart`)
  const rules = ofKind(objects, 'PrometheusRule')
  if (rules.length !== 1) throw new Error(`expected one PrometheusRule, got ${rules.length}`)
  const dashboardText = (configMap.data as Record<string, string>)['tollgate.json']!
  return {
    objects,
    configMap,
    dashboardText,
    dashboard: JSON.parse(dashboardText) as Dashboard,
    prometheusRule: rules[0]!,
    groups: (rules[0]!.spec as { groups: RuleGroup[] }).groups,
  }
}

/** Every panel, those inside collapsed rows included. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])])
}

export interface PanelExpr {
  panel: string
  refId: string
  expr: string
}

export function dashboardExprs(d: Dashboard): PanelExpr[] {
  return allPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, refId: t.refId, expr: t.expr })))
}

export function variableQuery(v: Variable): string {
  return typeof v.query === 'string' ? v.query : v.query.query
}

// Grafana's Prometheus data source escaping of variable values in regex matchers (=~): special
// regex characters get a backslash, itself escaped for the PromQL string ("\\$default").
function regexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&')
}

/** A variable's selection: 'All', or the selected values. */
export type Selection = 'All' | string[]

export interface Interpolation {
  /** Selections of the dashboard's query variables (namespace, api, stage). */
  selections: Record<string, Selection>
  /** $__rate_interval, $__range, $__interval. */
  rateInterval: string
  range: string
  interval?: string
}

/** Replaces the variables of an expression as Grafana does before sending it to Prometheus. */
export function interpolate(expr: string, d: Dashboard, how: Interpolation): string {
  let out = expr
    .replaceAll('$__rate_interval', how.rateInterval)
    .replaceAll('$__range', how.range)
    .replaceAll('$__interval', how.interval ?? '1s')
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue
    const sel = how.selections[v.name]
    if (sel === undefined) throw new Error(`no selection for variable $${v.name}`)
    const text = sel === 'All' ? (v.allValue ?? '.*') : sel.length === 1 ? regexEscape(sel[0]!) : `(${sel.map(regexEscape).join('|')})`
    out = out.replace(new RegExp(`\\$\\{${v.name}\\}|\\$${v.name}\\b`, 'g'), () => text)
  }
  const left = /(?<!\\)\$(\{?[A-Za-z_][A-Za-z0-9_]*)/.exec(out)
  if (left) throw new Error(`variable ${left[0]} left in ${out}`)
  return out
}

export interface AlertExpr {
  alert: string
  expr: string
  /** The expression without its threshold comparison; null when it has none. */
  query: string | null
  comparison: string | null
}

/** Comparison operators a last line may hold: "  > 0.05", "  < 1". */
const THRESHOLD_LINE = /\n\s*(>=|<=|==|!=|>|<)\s*(?:bool\s+)?([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)\s*$/i

export function alertExprs(groups: RuleGroup[]): AlertExpr[] {
  return groups.flatMap((g) =>
    g.rules
      .filter((r) => r.alert !== undefined)
      .map((r) => {
        const m = THRESHOLD_LINE.exec(r.expr)
        return {
          alert: r.alert!,
          expr: r.expr,
          query: m ? r.expr.slice(0, m.index).trim() : null,
          comparison: m ? `${m[1]} ${m[2]}` : null,
        }
      }),
  )
}

/** The rule groups as a Prometheus rule file. */
export function ruleFile(groups: RuleGroup[]): string {
  return stringify({ groups })
}

export interface ToolResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs promtool (Debian's prometheus package) in a temporary folder holding `files`. */
export function promtool(args: (dir: string) => string[], files: Record<string, string>): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-promtool-'))
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    const r = spawnSync('promtool', args(dir), { cwd: dir, encoding: 'utf8', timeout: 60_000 })
    if (r.error) throw new Error(`promtool could not run (${r.error.message}): apt-get install prometheus (CI: .ci/run installs it)`)
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
