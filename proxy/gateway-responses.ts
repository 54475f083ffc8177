// The one table of the responses the gateway itself generates (never a backend's): AWS API
// Gateway's gateway response types for REST APIs, and the fixed set HTTP APIs answer with.
// Every error exit of the proxy goes through `GatewayResponses.send`, so the status, body and
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
// Per-API customization (ApiConfig.gatewayResponses, REST APIs; docs/gateway-responses.md):
// `GatewayResponses` is built once per API in build(). A type answers with its own customization,
// else with DEFAULT_4XX's or DEFAULT_5XX's by the class of its default status, else with its
// default (AWS: "If the response type is unspecified, this response defaults to the DEFAULT_4XX
// type"; changing DEFAULT_4XX's status changes the status of every 4XX type that has no
// customization of its own). A customization replaces the default whole: its status (or the
// type's own), its headers (added to the standard ones; a mapped header wins over a standard or
// CORS header of the same name), its templates (none: the default body). Rows marked `aws: false`
// are Tollgate's own and never customized, except the two SigV4 refusals AWS answers without a
// type of their own, which follow DEFAULT_4XX as every unnamed 4XX does on AWS.
//
// HOT PATH (errors) — an API without customization (or a type without one) answers from the
// prebuilt buffers below, as before customization existed; only customized types render.
import type { ServerResponse } from 'node:http'
import type { CorsPolicy } from './cors.js'
import { mappedHeaders, renderBody, type CustomResponse, type ResponseSubject } from './gateway-response-custom.js'
import type { ErrorVariables, TemplateEnv } from './vtl/request-data.js'

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
  /** The default message, `{limit}` filled in ($context.error.message). */
  readonly message: string | null
}

function render(def: ResponseDefinition, limit: number): Rendered {
  const message = def.message === null ? null : def.message.replace('{limit}', String(limit))
  const messageKey = def.messageKey ?? 'message'
  return { status: def.status, body: Buffer.from(JSON.stringify({ [messageKey]: message })), errorType: def.errorType, messageKey, message }
}

/**
 * Answers AWS gives without a gateway response type of their own, so customizable on AWS only
 * through DEFAULT_4XX / DEFAULT_5XX: the SigV4 refusals, and a failed function (AWS_PROXY).
 */
const FOLLOWS_DEFAULT_CLASS: ReadonlySet<ResponseType> = new Set(['UNRECOGNIZED_CLIENT', 'INCOMPLETE_SIGNATURE', 'FUNCTION_ERROR'])

/** The response types an Api may customize (spec.gatewayResponses keys): AWS's. */
export const CUSTOMIZABLE_TYPES: readonly ResponseType[] = (Object.keys(GATEWAY_RESPONSES) as ResponseType[]).filter((t) => GATEWAY_RESPONSES[t].aws)

/** An API's customizations (compiled by gateway-response-custom.ts) and what their templates read. */
export interface Customization {
  /** By response type; keys that are not customizable types are ignored. */
  readonly responses: Readonly<Record<string, CustomResponse>>
  readonly env: TemplateEnv
}

/** The customization a type answers with. */
interface Applied {
  readonly custom: CustomResponse
  readonly status: number
  /** $context.error.responseType. */
  readonly responseType: string
}

function applied(type: ResponseType, responses: Readonly<Record<string, CustomResponse>>): Applied | null {
  const row = GATEWAY_RESPONSES[type]
  const own = row.aws && Object.hasOwn(responses, type) ? responses[type]! : null
  if (own !== null) return { custom: own, status: own.status ?? row.rest.status, responseType: type }
  if (!row.aws && !FOLLOWS_DEFAULT_CLASS.has(type)) return null
  if (type === 'DEFAULT_4XX' || type === 'DEFAULT_5XX') return null
  const fallback = row.rest.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'
  const inherited = Object.hasOwn(responses, fallback) ? responses[fallback]! : null
  if (inherited === null) return null
  return { custom: inherited, status: inherited.status ?? row.rest.status, responseType: row.aws ? type : fallback }
}

/** The gateway responses of one API (or of the gateway, before an API is known). */
export class GatewayResponses {
  private readonly rendered: Record<ResponseType, Rendered>
  /** The customization of each type; null when the API customizes none (HTTP APIs never do). */
  private readonly applied: Record<ResponseType, Applied | null> | null
  private readonly env: TemplateEnv | null
  /** True when some type is customized: callers then pass what they know of the request (its stage). */
  readonly customized: boolean
  /**
   * `cors`: the API's CORS policy, whose headers every response carries (an error a browser
   * cannot read is no answer). `customization`: the API's gatewayResponses (REST APIs only).
   */
  constructor(
    readonly protocol: Protocol,
    maxBodyBytes: number,
    private readonly cors: CorsPolicy | null = null,
    customization: Customization | null = null,
  ) {
    const out = {} as Record<ResponseType, Rendered>
    const custom = {} as Record<ResponseType, Applied | null>
    let customized = false
    for (const [type, row] of Object.entries(GATEWAY_RESPONSES) as [ResponseType, ResponseRow][]) {
      out[type] = render(protocol === 'HTTP' ? row.http : row.rest, maxBodyBytes)
      custom[type] = protocol === 'REST' && customization !== null ? applied(type, customization.responses) : null
      if (custom[type] !== null) customized = true
    }
    this.rendered = out
    this.applied = customized ? custom : null
    this.env = customized ? customization!.env : null
    this.customized = customized
  }

  status(type: ResponseType): number {
    return this.applied?.[type]?.status ?? this.rendered[type].status
  }

  /** The default message of a type ($context.error.message), `{limit}` filled in; null when it has none. */
  message(type: ResponseType): string | null {
    return this.rendered[type].message
  }

  /**
   * Writes the response for `type`. `ids`: the request's ids, with its stage once known (a
   * RequestContext inside the pipeline), which customized responses read. `message` replaces the
   * default message (e.g. the list of missing parameters); `validationErrorString` is what a
   * request validator found; `close` asks the client to close the connection (unread request body).
   */
  send(res: ServerResponse, type: ResponseType, ids: ResponseSubject, opts?: SendOptions): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    const applied = this.applied === null ? null : this.applied[type]
    if (applied !== null) {
      this.sendCustomized(res, type, applied, ids, opts)
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

  /** A customized type (REST): status, mapped headers, rendered template. */
  private sendCustomized(res: ServerResponse, type: ResponseType, applied: Applied, subject: ResponseSubject, opts: SendOptions | undefined): void {
    const rendered = this.rendered[type]
    const req = res.req
    const message = opts?.message !== undefined ? opts.message : rendered.message
    const error: ErrorVariables = {
      message: message ?? '',
      messageString: JSON.stringify(message),
      responseType: applied.responseType,
      // JSON-escaped (not quoted), so the usual `"$context.error.validationErrorString"` inside a
      // JSON template stays JSON: `[object has missing required properties ([\"name\"])]`.
      validationErrorString: opts?.validationErrorString === undefined ? '' : JSON.stringify(opts.validationErrorString).slice(1, -1),
    }
    const env = this.env!
    const { body: templated, contentType } = renderBody(applied.custom, req, subject, env, error)
    const body = templated ?? (opts?.message === undefined ? rendered.body : Buffer.from(JSON.stringify({ [rendered.messageKey]: opts.message })))
    const headers: Record<string, string | number> = {
      'Content-Type': contentType ?? 'application/json',
      'Content-Length': body.length,
      'x-amzn-RequestId': subject.requestId,
    }
    if (rendered.errorType !== null) headers['x-amzn-ErrorType'] = rendered.errorType
    headers['x-amz-apigw-id'] = subject.extendedRequestId
    if (this.cors !== null) {
      const cors = this.cors.actual(req.headers.origin)
      const list = cors.list
      for (let i = 0; i < list.length; i += 2) headers[list[i]!] = list[i + 1]!
      if (cors.vary) headers.Vary = 'Origin'
    }
    // Mapped headers win over the standard and CORS ones of the same name (any spelling).
    for (const [mapping, value] of mappedHeaders(applied.custom, req, subject, env)) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === mapping.lower) delete headers[name]
      headers[mapping.name] = value
    }
    if (opts?.close) headers.Connection = 'close'
    res.writeHead(applied.status, headers)
    res.end(body)
  }
}

export interface SendOptions {
  readonly message?: string
  readonly validationErrorString?: string
  readonly close?: boolean
}

export type { ResponseSubject }

export interface ResponseIds {
  readonly requestId: string
  readonly extendedRequestId: string
}
