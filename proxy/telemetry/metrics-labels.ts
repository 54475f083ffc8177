// The labels of the request metrics (docs/metrics.md): api, stage, method, resource. Built once
// per route and stage when a config is built (build.ts), never per request; the cache counters
// (cache/counters.ts) and the request metrics (metrics-requests.ts) use the same strings, so
// CacheHitCount lines up with Count series by series.
//
// Bounded cardinality: every value comes from the config (API ids, stage names, route keys),
// never from a request. A route's series carries its method and resource only when the stage
// lists it in `metrics.detailedRoutes` (API Gateway's detailed metrics); otherwise both are ''
// and the route counts in its stage's series.
import type { ApiConfig, RouteConfig, StageConfig } from '../config/schema.js'

/** A label value escaped for the Prometheus text format (backslash, double quote, newline). */
export function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** `api="…",stage="…",method="…",resource="…"`: the label set of one request series, without braces. */
export function seriesLabels(api: string, stage: string, method: string, resource: string): string {
  return `api="${labelValue(api)}",stage="${labelValue(stage)}",method="${labelValue(method)}",resource="${labelValue(resource)}"`
}

/**
 * The stage label of a side of a stage: its name, or "{name}/Canary" for the canary side of a
 * stage with a canary release (as API Gateway reports a canary's requests apart from the stage's).
 */
export function stageLabel(stage: StageConfig, side: 'stage' | 'canary'): string {
  return side === 'canary' ? `${stage.name}/Canary` : stage.name
}

/** The label set of a stage's own series (requests of routes without detailed metrics, early answers). */
export function stageSeriesLabels(api: ApiConfig, stage: StageConfig, side: 'stage' | 'canary' = 'stage'): string {
  return seriesLabels(api.id, stageLabel(stage, side), '', '')
}

/**
 * The label set of a route's requests on a stage: its own series (method; resource = the path
 * template on REST APIs, the route key on HTTP APIs) when the stage details it, else the stage's.
 */
export function routeSeriesLabels(api: ApiConfig, stage: StageConfig, route: RouteConfig, side: 'stage' | 'canary' = 'stage'): string {
  if (stage.metrics === undefined || !stage.metrics.detailedRoutes.includes(route.key)) return stageSeriesLabels(api, stage, side)
  return seriesLabels(api.id, stageLabel(stage, side), route.method, api.protocol === 'HTTP' ? route.key : route.path)
}
