// What each $context variable of an access log reads at the end of a request: one accessor per
// name (access-log-format.ts lists the names), chosen once per stage and config when the format
// is compiled (access-log.ts). Routed requests read their RequestContext (ctx.contextValue for
// the keys mappings read too); requests answered early read what the EarlyAnswer and the bare
// request say, as gateway response templates do (vtl/request-data.ts bareContext).
//
// HOT PATH — accessors run per request for the variables the format names; they return a
// string, a number or null (no value: logged as `-`) and allocate only the string they return.
//
// Secrets never come out of here: $context.identity.apiKey is the key's last four characters
// behind asterisks (docs/access-logs.md: API Gateway logs the key itself), and no accessor reads
// Authorization, Cookie or a token.
import type { IncomingMessage } from 'node:http'
import { RequestContext } from '../context.js'
import { GATEWAY_RESPONSES, type ResponseType } from '../gateway-responses.js'
import { clfTime } from '../vtl/request-data.js'
import type { EarlyAnswer, RequestEnd } from './observer.js'
import { isKnownVariable, type AccessLogVariable } from './access-log-format.js'

export type Value = string | number | null

/** Reads one variable; `ctx` is end.ctx when the request was routed, else null (end.ctx is an EarlyAnswer). */
export type Accessor = (end: RequestEnd, ctx: RequestContext | null) => Value

/** What is fixed per config. */
export interface AccessLogEnv {
  /** $context.accountId: the account of the gateway's ARNs. */
  readonly accountId: string
}

const early = (end: RequestEnd): EarlyAnswer => end.ctx as EarlyAnswer
const none: Accessor = () => null

function urlPath(req: IncomingMessage): string {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

function host(req: IncomingMessage): string {
  return req.headers.host ?? ''
}

/** Epoch milliseconds of the request's arrival. */
function startedAt(end: RequestEnd, ctx: RequestContext | null): number {
  return ctx !== null ? ctx.startedAt : Math.round(performance.timeOrigin + end.startedHr)
}

// $context.requestTime changes once a second: the last second's text is kept.
let clfSecond = -1
let clfText = ''
function requestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000)
  if (second !== clfSecond) {
    clfSecond = second
    clfText = clfTime(epochMs)
  }
  return clfText
}

/** The response's Content-Length as written in its head; null when it had none (chunked). */
function responseLength(end: RequestEnd): Value {
  const head = (end.res as unknown as { _header?: string | null })._header
  if (typeof head !== 'string') return null
  const m = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head)
  return m === null ? null : Number(m[1])
}

/**
 * Milliseconds from the integration request to its response; a call that failed or timed out
 * before a response counts until the request ended. Null without an integration call (MOCK,
 * refused before it).
 */
export function integrationLatency(end: RequestEnd, ctx: RequestContext | null): Value {
  if (ctx === null || ctx.integrationStartHr === 0) return null
  const to = ctx.integrationEndHr > 0 ? ctx.integrationEndHr : end.endedHr
  return Math.max(0, Math.round(to - ctx.integrationStartHr))
}

/** The backend's status: HTTP_PROXY passes it through as the response's own. */
export function integrationStatus(end: RequestEnd, ctx: RequestContext | null): Value {
  if (ctx === null) return null
  if (ctx.integrationStatus > 0) return ctx.integrationStatus
  return ctx.integrationEndHr > 0 && ctx.route.config.integration.type === 'HTTP_PROXY' ? end.res.statusCode : null
}

/** The response type of the gateway response answered ($context.error.responseType); null when none. */
function responseTypeOf(end: RequestEnd, ctx: RequestContext | null): ResponseType | null {
  return ctx !== null ? (ctx.error?.responseType ?? null) : early(end).responseType
}

/**
 * $context.error.responseType as API Gateway names it: its own types as they are; Tollgate's
 * own rows (API_NOT_FOUND, FUNCTION_ERROR, ...) by their class, DEFAULT_4XX or DEFAULT_5XX, as
 * gateway response templates see them (gateway-responses.ts).
 */
function awsResponseType(type: ResponseType): string {
  const row = GATEWAY_RESPONSES[type]
  return row.aws ? type : row.rest.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'
}

function errorMessage(end: RequestEnd, ctx: RequestContext | null): string | null {
  if (ctx !== null) {
    const error = ctx.error
    if (error === null) return null
    return error.message ?? ctx.stage.responses.message(error.responseType)
  }
  const answer = early(end)
  if (answer.responseType === null) return null
  const responses = answer.api?.responses
  return responses !== undefined ? responses.message(answer.responseType) : GATEWAY_RESPONSES[answer.responseType].rest.message
}

const AUTHORIZER_ERRORS: ReadonlySet<ResponseType> = new Set(['UNAUTHORIZED', 'ACCESS_DENIED', 'AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR'])
/** Refusals of authorization as a whole: the authorizer's, SigV4's (AWS_IAM) and the resource policy's. */
const AUTHORIZE_ERRORS: ReadonlySet<ResponseType> = new Set([
  ...AUTHORIZER_ERRORS,
  'EXPIRED_TOKEN',
  'INVALID_SIGNATURE',
  'UNRECOGNIZED_CLIENT',
  'INCOMPLETE_SIGNATURE',
  'RESOURCE_POLICY_DENIED',
])

/** The error of an authorization step, when the request was refused there; else null. */
function refusal(ctx: RequestContext | null, errors: ReadonlySet<ResponseType>): ResponseType | null {
  const type = ctx?.error?.responseType
  if (type === undefined) return null
  if (type === 'MISSING_AUTHENTICATION_TOKEN' && ctx!.route.config.authorizationType === 'AWS_IAM') return type
  return errors.has(type) ? type : null
}

function hasAuthorizer(ctx: RequestContext): boolean {
  return ctx.route.config.authorizer !== undefined
}

function authorizerStatus(ctx: RequestContext | null): Value {
  if (ctx === null || !hasAuthorizer(ctx)) return null
  if (ctx.authorizer !== null) return 200
  const type = refusal(ctx, AUTHORIZER_ERRORS)
  return type === null ? null : ctx.stage.responses.status(type)
}

function authorizeStatus(ctx: RequestContext | null): Value {
  if (ctx === null || ctx.route.config.authorizationType === 'NONE') return null
  const type = refusal(ctx, AUTHORIZE_ERRORS)
  if (type !== null) return ctx.stage.responses.status(type)
  return ctx.authorizer !== null || ctx.identity !== null ? 200 : null
}

function refusalMessage(ctx: RequestContext | null, errors: ReadonlySet<ResponseType>): Value {
  if (ctx === null || refusal(ctx, errors) === null) return null
  return ctx.error!.message ?? ctx.stage.responses.message(ctx.error!.responseType)
}

const INTEGRATION_ERROR_CODES: ReadonlySet<string> = new Set([
  'TG_ERR_INTEGRATION_TIMEOUT',
  'TG_ERR_INTEGRATION_FAILURE',
  'TG_ERR_FUNCTION_ERROR',
  'TG_ERR_FUNCTION_REFUSED',
  'TG_ERR_FUNCTION_RESULT',
  'TG_ERR_INVALID_ENDPOINT',
])

/** What went wrong calling the backend ($context.integrationErrorMessage); null when nothing did. */
function integrationError(ctx: RequestContext | null): Value {
  const cause = ctx?.error?.cause
  return cause !== undefined && cause !== null && INTEGRATION_ERROR_CODES.has(cause.code) ? cause.message : null
}

/** A secret shown as its last four characters behind asterisks (all asterisks when it is short). */
export function redactSecret(value: string): string {
  return value.length >= 16 ? `****${value.slice(-4)}` : '****'
}

function apiKey(ctx: RequestContext | null): Value {
  if (ctx === null || ctx.apiKeyId === null) return null
  const presented = ctx.usageIdentifierKey ?? ctx.header('x-api-key')
  return presented === undefined ? null : redactSecret(presented)
}

function jsonText(value: unknown): Value {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

function identity(key: 'accessKey' | 'accountId' | 'userArn' | 'user' | 'caller'): Accessor {
  return (_end, ctx) => ctx?.identity?.[key] ?? null
}

const ACCESSORS: Readonly<Record<AccessLogVariable, Accessor>> = {
  // Set per config by `accessorOf` (the env); listed for completeness.
  accountId: none,
  apiId: (end, ctx) => (ctx !== null ? ctx.api.id : (early(end).api?.id ?? null)),
  'authenticate.error': none,
  'authenticate.latency': none,
  'authenticate.status': none,
  'authorize.error': (_end, ctx) => refusalMessage(ctx, AUTHORIZE_ERRORS),
  'authorize.latency': (_end, ctx) => ctx?.authorizer?.latencyMs ?? null,
  'authorize.status': (_end, ctx) => authorizeStatus(ctx),
  'authorizer.error': (_end, ctx) => refusalMessage(ctx, AUTHORIZER_ERRORS),
  'authorizer.integrationLatency': (_end, ctx) => ctx?.authorizer?.latencyMs ?? null,
  'authorizer.integrationStatus': (_end, ctx) => authorizerStatus(ctx),
  'authorizer.latency': (_end, ctx) => ctx?.authorizer?.latencyMs ?? null,
  'authorizer.principalId': (_end, ctx) => ctx?.authorizer?.principalId ?? null,
  'authorizer.requestId': none,
  'authorizer.status': (_end, ctx) => authorizerStatus(ctx),
  awsEndpointRequestId: none,
  awsEndpointRequestId2: none,
  'customDomain.basePathMatched': none,
  'customDomain.routingRuleIdMatched': none,
  dataProcessed: none,
  deploymentId: (_end, ctx) => ctx?.stage.revision ?? null,
  domainName: (end, ctx) => (ctx !== null ? ctx.contextValue('domainName') : host(end.req).replace(/:\d+$/, '')),
  domainPrefix: (end, ctx) => (ctx !== null ? ctx.contextValue('domainPrefix') : (host(end.req).split('.')[0] ?? '')),
  'error.message': (end, ctx) => errorMessage(end, ctx),
  'error.messageString': (end, ctx) => {
    const type = responseTypeOf(end, ctx)
    return type === null ? null : JSON.stringify(errorMessage(end, ctx))
  },
  'error.responseType': (end, ctx) => {
    const type = responseTypeOf(end, ctx)
    return type === null ? null : awsResponseType(type)
  },
  'error.validationErrorString': (_end, ctx) => ctx?.error?.cause?.validationErrorString ?? null,
  extendedRequestId: (end, ctx) => (ctx !== null ? ctx.extendedRequestId : early(end).ids.extendedRequestId),
  httpMethod: (end) => end.req.method ?? 'GET',
  'identity.accessKey': identity('accessKey'),
  'identity.accountId': identity('accountId'),
  'identity.apiKey': (_end, ctx) => apiKey(ctx),
  'identity.apiKeyId': (_end, ctx) => ctx?.apiKeyId ?? null,
  'identity.caller': identity('caller'),
  'identity.clientCert.clientCertPem': none,
  'identity.clientCert.issuerDN': none,
  'identity.clientCert.serialNumber': none,
  'identity.clientCert.subjectDN': none,
  'identity.clientCert.validity.notAfter': none,
  'identity.clientCert.validity.notBefore': none,
  'identity.cognitoAuthenticationProvider': none,
  'identity.cognitoAuthenticationType': none,
  'identity.cognitoIdentityId': none,
  'identity.cognitoIdentityPoolId': none,
  'identity.principalOrgId': none,
  'identity.sourceIp': (end, ctx) => (ctx !== null ? ctx.sourceIp : (end.req.socket.remoteAddress ?? null)),
  'identity.user': identity('user'),
  'identity.userAgent': (end) => end.req.headers['user-agent'] ?? null,
  'identity.userArn': identity('userArn'),
  'identity.vpcId': none,
  'identity.vpceId': none,
  'integration.error': (_end, ctx) => integrationError(ctx),
  'integration.integrationStatus': integrationStatus,
  'integration.latency': integrationLatency,
  'integration.requestId': (_end, ctx) => jsonText(ctx?.integrationResponseHeaders['x-amzn-requestid']),
  'integration.status': integrationStatus,
  integrationErrorMessage: (_end, ctx) => integrationError(ctx),
  integrationLatency,
  integrationStatus,
  isCanaryRequest: (_end, ctx) => {
    if (ctx === null) return null
    const stage = ctx.stage
    return stage.side === 'canary' ? 'true' : stage.canary !== null ? 'false' : null
  },
  path: (end, ctx) => (ctx !== null ? ctx.contextValue('path') : urlPath(end.req)),
  protocol: (end) => `HTTP/${end.req.httpVersion}`,
  requestId: (end, ctx) => (ctx !== null ? ctx.requestId : early(end).ids.requestId),
  requestTime: (end, ctx) => requestTime(startedAt(end, ctx)),
  requestTimeEpoch: (end, ctx) => startedAt(end, ctx),
  resourceId: (_end, ctx) => ctx?.route.resourceId ?? null,
  resourcePath: (_end, ctx) => ctx?.route.config.path ?? null,
  responseLatency: (end) => Math.round(end.endedHr - end.startedHr),
  responseLength: (end) => responseLength(end),
  'responseOverride.status': none,
  routeKey: (_end, ctx) => ctx?.route.key ?? null,
  stage: (end, ctx) => (ctx !== null ? ctx.stage.name : (early(end).stage?.name ?? null)),
  status: (end) => end.res.statusCode,
  'waf.error': none,
  'waf.latency': none,
  'waf.status': none,
  wafResponseCode: none,
  webaclArn: none,
  xrayTraceId: (end, ctx) => (ctx !== null ? ctx.traceId : early(end).ids.traceId),
}

/** The accessor of a variable name (what follows `$context.`); unknown names read nothing. */
export function accessorOf(name: string, env: AccessLogEnv): Accessor {
  if (name === 'accountId') {
    const accountId = env.accountId
    return () => accountId
  }
  if (Object.hasOwn(ACCESSORS, name)) return ACCESSORS[name as AccessLogVariable]
  if (!isKnownVariable(name)) return none
  if (name.startsWith('authorizer.claims.')) {
    const claim = name.slice('authorizer.claims.'.length)
    return (_end, ctx) => jsonText(ctx?.authorizer?.claims?.[claim])
  }
  if (name.startsWith('authorizer.')) {
    const key = name.slice('authorizer.'.length)
    return (_end, ctx) => jsonText(ctx?.authorizer?.context[key])
  }
  // requestOverride.* and responseOverride.header.*: set by mapping templates on AWS; Tollgate's templates do not set them.
  return none
}

/** True when a context is a routed request's (not an early answer). */
export function routedContext(end: RequestEnd): RequestContext | null {
  return end.ctx instanceof RequestContext ? end.ctx : null
}
