// The gateway-response part of the GatewayConfig contract: `ApiConfig.gatewayResponses`, compiled
// from the Api's `spec.gatewayResponses` by operator/compile/gateway-responses.ts and applied by
// the proxy (proxy/gateway-responses.ts, proxy/gateway-response-custom.ts). REST APIs only; the
// compiler refuses it on HTTP APIs, which have no gateway responses on AWS.
//
// Absent, or a type without an entry: the type answers with its default (or, for a type whose
// class default DEFAULT_4XX / DEFAULT_5XX has an entry, with that entry: AWS's inheritance).
// The compiler has checked every key and expression, so the proxy trusts them; a key it does
// not know (a newer compiler's type) is ignored.
import { Type, type Static } from '@sinclair/typebox'

export const GatewayResponseConfig = Type.Object({
  /** Status to answer with ("404"). Absent: the type's own status (DEFAULT_4XX / DEFAULT_5XX: each inheriting type's own). */
  statusCode: Type.Optional(Type.String({ pattern: '^[2-5][0-9][0-9]$' })),
  /**
   * gatewayresponse.header.NAME -> 'static value' | method.request.{header|querystring|path}.NAME
   * | stageVariables.NAME | context.KEY | context.authorizer.NAME | context.authorizer.claims.NAME.
   */
  responseParameters: Type.Record(Type.String(), Type.String()),
  /** Body templates by media type ("application/json"), rendered by the VTL engine. Empty: the default body. */
  responseTemplates: Type.Record(Type.String(), Type.String()),
})
export type GatewayResponseConfig = Static<typeof GatewayResponseConfig>

/** By response type ("DEFAULT_4XX", "MISSING_AUTHENTICATION_TOKEN", ...), keys sorted. */
export const GatewayResponsesConfig = Type.Record(Type.String(), GatewayResponseConfig)
export type GatewayResponsesConfig = Static<typeof GatewayResponsesConfig>
