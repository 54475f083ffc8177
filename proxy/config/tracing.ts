// The tracing part of the GatewayConfig contract (docs/tracing.md). Compiled from a Stage's
// `tracingEnabled` by operator/compile/tracing.ts; acted on by the proxy's tracing
// (proxy/telemetry/tracing.ts), which wraps the handlers of the stage's routes at config load.
//
// Where spans go (the OTLP endpoint), the service name and the sampling ratio are settings of
// the proxy process (flags, OTEL_* environment), not of the config: a stage only says whether
// its requests are traced. Absent: not traced (configs written before tracing existed mean what
// they meant, and an untraced stage costs nothing per request).
import { Type, type Static } from '@sinclair/typebox'

export const StageTracingConfig = Type.Object({
  /**
   * Requests of the stage get a SERVER span with child spans for the authorizer, the meter,
   * the cache lookup and the integration (a CLIENT span), and W3C trace context (traceparent,
   * tracestate) is sent to the integration. The compiler writes the field only when true.
   */
  enabled: Type.Boolean(),
})
export type StageTracingConfig = Static<typeof StageTracingConfig>
