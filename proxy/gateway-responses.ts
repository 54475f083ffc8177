// The one table of the responses the gateway itself generates (never a backend's): AWS API
// Gateway's gateway response types for REST APIs, and the fixed set HTTP APIs answer with.
// Every error exit of the proxy goes through `sendGatewayResponse`, so the status, body and
// headers a client sees for an error are decided here and nowhere else. docs/errors.md lists
// every row; a test fails when a type is missing there.
//
// REST: `{"message": ...}` body (AWS's default template `{"message":$context.error.messageString}`),
// `Content-Type: application/json`, `x-amzn-RequestId`, `x-amz-apigw-id` and, where AWS sends
// one, `x-amzn-ErrorType`. HTTP APIs: the same body shape, `apigw-requestid`, no error type.
//
// APIs with CORS (proxy/cors.ts): every gateway response carries the CORS headers of the
// request's Origin, as `gatewayresponse.header.Access-Control-Allow-Origin` on DEFAULT_4XX and
// DEFAULT_5XX does on AWS.
//
// Seam for per-API customization (Api.spec.gatewayResponses, a later issue): `GatewayResponses`
// is built once per API in build(); today it holds the defaults of the API's protocol.
import type { ServerResponse } from 'node:http'
import type { CorsPolicy } from './cors.js'

export type ResponseType =
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX'
  | 'ACCESS_DENIED'
  | 'API_CONFIGURATION_ERROR'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'AUTHORIZER_FAILURE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'EXPIRED_TOKEN'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'INVALID_API_KEY'
  | 'INVALID_SIGNATURE'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'RESOURCE_NOT_FOUND'
  | 'THROTTLED'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'WAF_FILTERED'
  // Tollgate's own, answered before an API's responses apply (never customizable):
  | 'API_NOT_FOUND'
  | 'MALFORMED_REQUEST'
  | 'METERING_UNAVAILABLE'
  // A resource policy refused the request (AWS answers it with an IAM-style body, `Message`).
  | 'RESOURCE_POLICY_DENIED'
  // What AWS answers SigV4 failures it has no gateway response type for (customizable on AWS
  // only as DEFAULT_4XX): an unknown access key, a malformed signature.
  | 'UNRECOGNIZED_CLIENT'
  | 'INCOMPLETE_SIGNATURE'
  // A function (AWS_PROXY, AWS) failed or returned a malformed proxy result: AWS answers it with
  // its 5XX response (DEFAULT_5XX's body and headers) and status 502 on REST APIs, 500 on HTTP APIs.
  | 'FUNCTION_ERROR'

export interface ResponseDefinition {
  readonly status: number
  /** The `message` of the body; null renders `{"message":null}` as AWS does for authorizer errors. */
  readonly message: string | null
  /** `x-amzn-ErrorType` (REST only); null when AWS sends none. */
  readonly errorType: string | null
  /** The body's key: `message`, or `Message` where AWS spells it so (resource policy denials). */
  readonly messageKey?: 'Message'
}

export interface ResponseRow {
  /** True for AWS's gateway response types; false for Tollgate's own rows. */
  readonly aws: boolean
  readonly rest: ResponseDefinition
  readonly http: ResponseDefinition
}

const r = (status: number, message: string | null, errorType: string | null): ResponseDefinition => ({ status, message, errorType })
const h = (status: number, message: string): ResponseDefinition => ({ status, message, errorType: null })

const HTTP_NOT_FOUND = h(404, 'Not Found')
const HTTP_INTERNAL = h(500, 'Internal Server Error')
const HTTP_UNAVAILABLE = h(503, 'Service Unavailable')
const HTTP_FORBIDDEN = h(403, 'Forbidden')
const HTTP_BAD_REQUEST = h(400, 'Bad Request')
const HTTP_TOO_MANY = h(429, 'Too Many Requests')

/** The table. Statuses and messages per AWS (REST) and as HTTP APIs answer; see docs/errors.md. */
export const GATEWAY_RESPONSES: Readonly<Record<ResponseType, ResponseRow>> = {
  DEFAULT_4XX: { aws: true, rest: r(400, 'Bad Request', 'BadRequestException'), http: HTTP_BAD_REQUEST },
  DEFAULT_5XX: { aws: true, rest: r(500, 'Internal server error', 'InternalServerErrorException'), http: HTTP_INTERNAL },
  ACCESS_DENIED: {
    aws: true,
    rest: r(403, 'User is not authorized to access this resource with an explicit deny', 'AccessDeniedException'),
    http: HTTP_FORBIDDEN,
  },
  API_CONFIGURATION_ERROR: { aws: true, rest: r(500, 'Internal server error', 'InternalServerErrorException'), http: HTTP_INTERNAL },
  AUTHORIZER_CONFIGURATION_ERROR: { aws: true, rest: r(500, null, 'AuthorizerConfigurationException'), http: HTTP_INTERNAL },
  AUTHORIZER_FAILURE: { aws: true, rest: r(500, null, 'AuthorizerFailureException'), http: HTTP_INTERNAL },
  BAD_REQUEST_PARAMETERS: { aws: true, rest: r(400, 'Missing required request parameters', 'BadRequestException'), http: HTTP_BAD_REQUEST },
  BAD_REQUEST_BODY: { aws: true, rest: r(400, 'Invalid request body', 'BadRequestException'), http: HTTP_BAD_REQUEST },
  EXPIRED_TOKEN: {
    aws: true,
    rest: r(403, 'The security token included in the request is expired', 'ExpiredTokenException'),
    http: HTTP_FORBIDDEN,
  },
  INTEGRATION_FAILURE: {
    aws: true,
    rest: r(504, 'Network error communicating with endpoint', 'InternalServerErrorException'),
    http: HTTP_UNAVAILABLE,
  },
  INTEGRATION_TIMEOUT: { aws: true, rest: r(504, 'Endpoint request timed out', 'InternalServerErrorException'), http: HTTP_UNAVAILABLE },
  INVALID_API_KEY: { aws: true, rest: r(403, 'Forbidden', 'ForbiddenException'), http: HTTP_FORBIDDEN },
  INVALID_SIGNATURE: {
    aws: true,
    rest: r(
      403,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      'InvalidSignatureException',
    ),
    http: HTTP_FORBIDDEN,
  },
  MISSING_AUTHENTICATION_TOKEN: {
    aws: true,
    rest: r(403, 'Missing Authentication Token', 'MissingAuthenticationTokenException'),
    http: HTTP_NOT_FOUND,
  },
  QUOTA_EXCEEDED: { aws: true, rest: r(429, 'Limit Exceeded', 'LimitExceededException'), http: HTTP_TOO_MANY },
  // The message names the configured limit (AWS: "... exceeded 10485760 bytes.").
  REQUEST_TOO_LARGE: { aws: true, rest: r(413, 'HTTP content length exceeded {limit} bytes.', null), http: h(413, 'Request Entity Too Large') },
  RESOURCE_NOT_FOUND: { aws: true, rest: r(404, 'Not Found', 'NotFoundException'), http: HTTP_NOT_FOUND },
  THROTTLED: { aws: true, rest: r(429, 'Too Many Requests', 'TooManyRequestsException'), http: HTTP_TOO_MANY },
  UNAUTHORIZED: { aws: true, rest: r(401, 'Unauthorized', 'UnauthorizedException'), http: h(401, 'Unauthorized') },
  UNSUPPORTED_MEDIA_TYPE: { aws: true, rest: r(415, 'Unsupported Media Type', 'BadRequestException'), http: h(415, 'Unsupported Media Type') },
  WAF_FILTERED: { aws: true, rest: r(403, 'Forbidden', 'ForbiddenException'), http: HTTP_FORBIDDEN },
  API_NOT_FOUND: { aws: false, rest: r(403, 'Forbidden', 'ForbiddenException'), http: HTTP_NOT_FOUND },
  MALFORMED_REQUEST: { aws: false, rest: r(400, 'Bad Request', 'BadRequestException'), http: HTTP_BAD_REQUEST },
  // The metering store (Redis) is unreachable and the stage fails closed (Stage meteringFailureMode: CLOSED).
  METERING_UNAVAILABLE: { aws: false, rest: r(503, 'Service Unavailable', 'ServiceUnavailableException'), http: HTTP_UNAVAILABLE },
  // The message names the principal and the methodArn (proxy/auth/resource-policy.ts); HTTP APIs have
  // no resource policies on AWS, Tollgate answers them as HTTP APIs answer a denial.
  RESOURCE_POLICY_DENIED: {
    aws: false,
    rest: { status: 403, message: 'User: anonymous is not authorized to perform: execute-api:Invoke', errorType: 'AccessDeniedException', messageKey: 'Message' },
    http: HTTP_FORBIDDEN,
  },
  // AWS_IAM: the access key is unknown (or a session token was sent: Tollgate issues none).
  UNRECOGNIZED_CLIENT: { aws: false, rest: r(403, 'The security token included in the request is invalid.', 'UnrecognizedClientException'), http: HTTP_FORBIDDEN },
  // AWS_IAM: the signature is malformed (the message, set per request, says what is missing).
  INCOMPLETE_SIGNATURE: { aws: false, rest: r(403, 'Incomplete signature', 'IncompleteSignatureException'), http: HTTP_FORBIDDEN },
  // AWS_PROXY: the function failed (X-Amz-Function-Error, or the emulator's error document) or its
  // result is not a proxy response ("Malformed Lambda proxy response"); AWS, AWS_PROXY: the invoke
  // API answered something that is not JSON. AWS answers these as DEFAULT_5XX with status 502.
  FUNCTION_ERROR: { aws: false, rest: r(502, 'Internal server error', 'InternalServerErrorException'), http: HTTP_INTERNAL },
}

export type Protocol = 'REST' | 'HTTP'

/** A rendered gateway response: status, body bytes and the error type header. */
interface Rendered {
  readonly status: number
  readonly body: Buffer
  readonly errorType: string | null
  readonly messageKey: 'message' | 'Message'
}

function render(def: ResponseDefinition, limit: number): Rendered {
  const message = def.message === null ? null : def.message.replace('{limit}', String(limit))
  const messageKey = def.messageKey ?? 'message'
  return { status: def.status, body: Buffer.from(JSON.stringify({ [messageKey]: message })), errorType: def.errorType, messageKey }
}

/** The gateway responses of one API (or of the gateway, before an API is known). */
export class GatewayResponses {
  private readonly rendered: Record<ResponseType, Rendered>
  /** `cors`: the API's CORS policy, whose headers every response carries (an error a browser cannot read is no answer). */
  constructor(
    readonly protocol: Protocol,
    maxBodyBytes: number,
    private readonly cors: CorsPolicy | null = null,
  ) {
    const out = {} as Record<ResponseType, Rendered>
    for (const [type, row] of Object.entries(GATEWAY_RESPONSES) as [ResponseType, ResponseRow][]) {
      out[type] = render(protocol === 'HTTP' ? row.http : row.rest, maxBodyBytes)
    }
    this.rendered = out
  }

  status(type: ResponseType): number {
    return this.rendered[type].status
  }

  /**
   * Writes the response for `type`. `message` replaces the default message (e.g. the list of
   * missing parameters); `close` asks the client to close the connection (unread request body).
   */
  send(res: ServerResponse, type: ResponseType, ids: ResponseIds, opts?: { message?: string; close?: boolean }): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    const rendered = this.rendered[type]
    const body = opts?.message === undefined ? rendered.body : Buffer.from(JSON.stringify({ [rendered.messageKey]: opts.message }))
    // Header names spelled as AWS sends them.
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
    }
    if (this.protocol === 'REST') {
      headers['x-amzn-RequestId'] = ids.requestId
      if (rendered.errorType !== null) headers['x-amzn-ErrorType'] = rendered.errorType
      headers['x-amz-apigw-id'] = ids.extendedRequestId
    } else {
      headers['apigw-requestid'] = ids.extendedRequestId
    }
    if (this.cors !== null) {
      const cors = this.cors.actual(res.req.headers.origin)
      const list = cors.list
      for (let i = 0; i < list.length; i += 2) headers[list[i]!] = list[i + 1]!
      if (cors.vary) headers.Vary = 'Origin'
    }
    if (opts?.close) headers.Connection = 'close'
    res.writeHead(rendered.status, headers)
    res.end(body)
  }
}

export interface ResponseIds {
  readonly requestId: string
  readonly extendedRequestId: string
}
