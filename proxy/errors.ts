// Coded errors of the request path. A GatewayError carries the gateway response type it is
// answered with; `code` is stable (TG_ERR_*) for logs and metrics. Anything else thrown on the
// request path is a bug: it is logged and answered with DEFAULT_5XX, never leaked to a client.
import type { ResponseType } from './gateway-responses.js'

export type GatewayErrorCode =
  | 'TG_ERR_INTEGRATION_TIMEOUT'
  | 'TG_ERR_INTEGRATION_FAILURE'
  | 'TG_ERR_FUNCTION_ERROR'
  | 'TG_ERR_FUNCTION_REFUSED'
  | 'TG_ERR_FUNCTION_RESULT'
  | 'TG_ERR_FUNCTION_EVENT'
  | 'TG_ERR_INVALID_ENDPOINT'
  | 'TG_ERR_ROUTE_CONFIGURATION'
  | 'TG_ERR_NO_INTEGRATION_RESPONSE'
  | 'TG_ERR_MOCK_STATUS'
  | 'TG_ERR_TEMPLATE_RENDER'
  | 'TG_ERR_CONTENT_CONVERSION'
  | 'TG_ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'TG_ERR_BODY_TOO_LARGE'
  | 'TG_ERR_BAD_PATH'
  | 'TG_ERR_INVALID_API_KEY'
  | 'TG_ERR_THROTTLED'
  | 'TG_ERR_QUOTA_EXCEEDED'
  | 'TG_ERR_METER_UNAVAILABLE'
  | 'TG_ERR_AUTHORIZER_CONFIGURATION'
  | 'TG_ERR_AUTHORIZER_FAILURE'
  | 'TG_ERR_UNAUTHORIZED'
  | 'TG_ERR_ACCESS_DENIED'
  | 'TG_ERR_BAD_REQUEST_PARAMETERS'
  | 'TG_ERR_BAD_REQUEST_BODY'
  | 'TG_ERR_CACHE_INVALIDATION_DENIED'

export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    readonly responseType: ResponseType,
    message: string,
    /**
     * The `message` of a REST API's response body when it is not the type's default (e.g.
     * ACCESS_DENIED without an explicit deny: "User is not authorized to access this resource").
     * HTTP APIs keep their fixed bodies.
     */
    readonly restMessage?: string,
    /**
     * $context.error.validationErrorString of a request that failed validation (BAD_REQUEST_BODY,
     * BAD_REQUEST_PARAMETERS): what the validator found, for gateway response templates.
     */
    readonly validationErrorString?: string,
  ) {
    super(message)
    this.name = 'GatewayError'
  }
}
