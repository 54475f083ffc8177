// The CORS part of the GatewayConfig contract: `ApiConfig.cors`, compiled from the Api's
// `spec.cors` by operator/compile/cors.ts and applied by the proxy (proxy/cors.ts, the cors
// stage, the gateway responses). Absent: the API has no CORS configuration, and the proxy adds
// and removes no CORS header (a REST API's hand-written OPTIONS routes work as any route).
//
// Values are normalized by the compiler, so the proxy compares without folding case again:
// origins lower case, methods upper case, header names lower case, '*' kept as the wildcard.
// An origin list with '*' never comes with allowCredentials (the compiler refuses it, as AWS
// does); the proxy reflects the origin whenever credentials are allowed regardless.
//
// REST APIs: the preflight is answered by OPTIONS MOCK routes, which the compiler adds to the
// revision for every resource without its own OPTIONS route (their integration response sets
// Access-Control-Allow-Methods/-Headers/-Max-Age as static values, as API Gateway's "Enable
// CORS" does); this block gives what depends on the request's Origin and what is API-wide:
// Allow-Origin, Allow-Credentials, Expose-Headers on every response, gateway errors included.
// HTTP APIs: the gateway answers every preflight itself from this block (AWS corsConfiguration).
import { Type, type Static } from '@sinclair/typebox'

export const CorsConfig = Type.Object({
  /** Allowed origins ("https://app.example.com", lower case), or '*' for any. Empty: none. */
  allowOrigins: Type.Array(Type.String()),
  /** Methods allowed in preflights (upper case), or '*' for any. */
  allowMethods: Type.Array(Type.String()),
  /** Request headers allowed in preflights (lower case), or '*' for any. */
  allowHeaders: Type.Array(Type.String()),
  /** Access-Control-Expose-Headers of actual responses ('*' kept as given). */
  exposeHeaders: Type.Array(Type.String()),
  /** Access-Control-Max-Age of preflight responses, seconds; null: not sent. */
  maxAge: Type.Union([Type.Integer({ minimum: 0, maximum: 86400 }), Type.Null()]),
  /** Send Access-Control-Allow-Credentials: true (and reflect the origin, never '*'). */
  allowCredentials: Type.Boolean(),
})
export type CorsConfig = Static<typeof CorsConfig>
