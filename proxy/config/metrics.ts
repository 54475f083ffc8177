// The metrics part of the GatewayConfig contract (docs/metrics.md): which routes of a stage
// export detailed metrics. Compiled from the Stage's methodSettings metricsEnabled by
// operator/compile/metrics.ts; read by the proxy's request metrics (proxy/telemetry/) and the
// cache counters, which label a route's series with its method and resource only when it is
// listed here (API Gateway's "detailed CloudWatch metrics"). Every other request of the stage
// counts in the stage's series, method and resource "".
//
// Optional on StageConfig, absent meaning "no detailed metrics", so configs written before it
// existed validate and mean what they meant.
import { Type, type Static } from '@sinclair/typebox'

export const StageMetricsConfig = Type.Object({
  /**
   * Route keys ("GET /pets/{petId}", "$default") with detailed metrics, sorted: the routes of
   * the revisions the stage serves (its own and its canary's) whose method setting, or else
   * methodSettings['*\/*'], says metricsEnabled: true.
   */
  detailedRoutes: Type.Array(Type.String()),
})
export type StageMetricsConfig = Static<typeof StageMetricsConfig>
