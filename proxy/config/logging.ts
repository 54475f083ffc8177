// The logging part of the GatewayConfig contract (docs/access-logs.md): a Stage's access log
// format (accessLogSettings.format) and the execution logging of its routes (methodSettings
// loggingLevel and dataTraceEnabled, '*\/*' and per method). Compiled by
// operator/compile/logging.ts; written by the proxy's observers (proxy/telemetry/access-log.ts,
// proxy/telemetry/execution-log.ts).
//
// Optional on StageConfig, absent meaning "no access log, execution logging OFF", so configs
// written before logging existed validate and mean what they meant.
import { Type, type Static } from '@sinclair/typebox'

/** Execution logging of one route: ERROR (failures only) or INFO (every request); OFF routes are not listed. */
export const RouteLoggingConfig = Type.Object({
  level: Type.Union([Type.Literal('ERROR'), Type.Literal('INFO')]),
  /** Add the method and integration requests and responses (headers redacted, bodies truncated). */
  dataTrace: Type.Boolean(),
})
export type RouteLoggingConfig = Static<typeof RouteLoggingConfig>

export const StageLoggingConfig = Type.Object({
  /**
   * The access log format: one line of text with $context variables, checked by the compiler
   * (single line, names $context.requestId or $context.extendedRequestId). Absent: no access log.
   */
  accessLogFormat: Type.Optional(Type.String({ minLength: 1, maxLength: 65536 })),
  /** Execution logging by route key ("GET /pets/{petId}", "$default"); a route not listed logs nothing. */
  routes: Type.Record(Type.String(), RouteLoggingConfig),
})
export type StageLoggingConfig = Static<typeof StageLoggingConfig>

