// A Stage's detailed metrics: the metricsEnabled fields of spec.methodSettings → the route keys
// whose metrics carry their method and resource (StageMetricsConfig, proxy/config/metrics.ts;
// docs/metrics.md). API Gateway's rule: metrics are per API and stage unless detailed metrics
// are enabled; methodSettings['*\/*'].metricsEnabled enables them for every method, a method's
// own setting overrides that for the method.
//
// Keys naming no route are reported by stage.ts (RouteNotFound) with the other method settings.
import type { StageSpec } from '../../crds/stage.js'
import { routeKeyOfMethodKey, type RouteConfig, type StageMetricsConfig } from '../../proxy/config/schema.js'

export const METRICS_FIELDS = ['metricsEnabled'] as const
const ALL_METHODS = '*/*'

/** `routes`: the routes of the revisions the stage serves (its own and its canary's). Undefined: no route is detailed. */
export function compileStageMetrics(spec: StageSpec, routes: readonly RouteConfig[]): StageMetricsConfig | undefined {
  const settings = spec.methodSettings ?? {}
  const all = settings[ALL_METHODS]?.metricsEnabled ?? false
  const own = new Map<string, boolean>()
  for (const [key, setting] of Object.entries(settings)) {
    if (key === ALL_METHODS || setting.metricsEnabled === undefined) continue
    const routeKey = routeKeyOfMethodKey(key)
    if (routeKey !== undefined) own.set(routeKey, setting.metricsEnabled)
  }
  const detailed = new Set<string>()
  for (const route of routes) if (own.get(route.key) ?? all) detailed.add(route.key)
  if (detailed.size === 0) return undefined
  return { detailedRoutes: [...detailed].sort() }
}
