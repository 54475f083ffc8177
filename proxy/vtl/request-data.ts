// Adapts the proxy's RequestContext to the engine's MappingData: $input.params() (path,
// querystring — last value wins —, headers as the client spelled them), $context (the REST key
// set: the keys parameter mappings read, plus identity and authorizer), $stageVariables.
//
// Gateway responses (gateway-response-custom.ts) add $context.error.*; an error answered before
// a route is known has no RequestContext: `bareMappingData` builds the same shape from the bare
// request and what is known of it (the stage, if any), with the route's keys empty.
import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '../context.js'
import { CONTEXT_KEYS } from '../integrations/mapping.js'
import type { StageRuntime } from '../runtime.js'
import type { MappingData } from './apigateway.js'

/** $context.error of a gateway response (AWS: only gateway response templates and access logs read it). */
export interface ErrorVariables {
  /** The response's message ('' when it has none). */
  readonly message: string
  /** The message as a JSON string literal, quotes included (`null` when there is none). */
  readonly messageString: string
  /** The gateway response type, e.g. MISSING_AUTHENTICATION_TOKEN. */
  readonly responseType: string
  /** What a request validator found ('' for other errors). */
  readonly validationErrorString: string
}

function headers(ctx: RequestContext): Record<string, string> {
  return headersOf(ctx.req)
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  const byLower = new Map<string, string>()
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    const lower = name.toLowerCase()
    const seen = byLower.get(lower)
    if (seen === undefined) {
      byLower.set(lower, name)
      out[name] = raw[i + 1]!
    } else out[seen] = `${out[seen]},${raw[i + 1]!}`
  }
  return out
}

function querystring(ctx: RequestContext): Record<string, string> {
  return queryOf(ctx.rawQuery)
}

function queryOf(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (rawQuery !== '') for (const [k, v] of new URLSearchParams(rawQuery)) out[k] = v
  return out
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** $context.requestTime as API Gateway formats it (CLF): 29/Nov/2026:21:33:15 +0000. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]!}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
}

/** $context.authorizer: principalId, the Lambda authorizer's context keys, and claims (JWT / user pools). */
function authorizer(ctx: RequestContext): Record<string, unknown> {
  const result = ctx.authorizer
  if (result === null) return { principalId: '' }
  const out: Record<string, unknown> = { ...result.context, principalId: result.principalId, integrationLatency: result.latencyMs }
  if (result.claims !== null) out.claims = result.claims
  return out
}

function identity(ctx: RequestContext): Record<string, unknown> {
  const id = ctx.identity
  return {
    sourceIp: ctx.sourceIp,
    userAgent: ctx.contextValue('identity.userAgent'),
    apiKeyId: ctx.apiKeyId ?? '',
    accessKey: id?.accessKey ?? '',
    accountId: id?.accountId ?? '',
    caller: id?.caller ?? '',
    user: id?.user ?? '',
    userArn: id?.userArn ?? '',
    cognitoAuthenticationProvider: '',
    cognitoAuthenticationType: '',
    cognitoIdentityId: '',
    cognitoIdentityPoolId: '',
  }
}

/** What templates read that is fixed per config, not per request. */
export interface TemplateEnv {
  /** $context.accountId: the account of the gateway's ARNs. */
  readonly accountId: string
}

export function mappingData(ctx: RequestContext, body: string, env: TemplateEnv, error?: ErrorVariables): MappingData {
  const context: Record<string, unknown> = { accountId: env.accountId }
  for (const key of CONTEXT_KEYS) if (!key.includes('.')) context[key] = ctx.contextValue(key)
  context.requestTime = clfTime(ctx.startedAt)
  context.requestTimeEpoch = ctx.startedAt
  context.identity = identity(ctx)
  context.authorizer = authorizer(ctx)
  if (error !== undefined) context.error = { ...error }
  return {
    body,
    path: ctx.pathParams,
    querystring: querystring(ctx),
    header: headers(ctx),
    context,
    stageVariables: ctx.stage.variables,
  }
}

/** What is known of a request answered before its route was: its ids, and its stage once selected. */
export interface BareRequest {
  readonly requestId: string
  readonly extendedRequestId: string
  readonly stage?: StageRuntime | undefined
}

/**
 * $context of a request that has no RequestContext (no route matched, or the request was
 * refused before routing): the same keys as mappingData's, from the request line and headers;
 * the route's keys (resourcePath, resourceId) and the authorizer's are empty.
 */
export function bareContext(req: IncomingMessage, known: BareRequest, env: TemplateEnv, now: number): Record<string, unknown> {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const host = req.headers.host ?? ''
  const stage = known.stage
  const userAgent = req.headers['user-agent'] ?? ''
  return {
    accountId: env.accountId,
    requestId: known.requestId,
    extendedRequestId: known.extendedRequestId,
    apiId: stage?.api.id ?? '',
    stage: stage?.name ?? '',
    resourcePath: '',
    resourceId: '',
    httpMethod: req.method ?? 'GET',
    path: q === -1 ? url : url.slice(0, q),
    protocol: `HTTP/${req.httpVersion}`,
    domainName: host.replace(/:\d+$/, ''),
    domainPrefix: host.split('.')[0] ?? '',
    requestTime: clfTime(now),
    requestTimeEpoch: now,
    identity: {
      sourceIp: req.socket.remoteAddress ?? '',
      userAgent,
      apiKeyId: '',
      accessKey: '',
      accountId: '',
      caller: '',
      user: '',
      userArn: '',
      cognitoAuthenticationProvider: '',
      cognitoAuthenticationType: '',
      cognitoIdentityId: '',
      cognitoIdentityPoolId: '',
    },
    authorizer: { principalId: '' },
  }
}

/** MappingData of a request without RequestContext (see bareContext); the body is never read. */
export function bareMappingData(req: IncomingMessage, known: BareRequest, env: TemplateEnv, now: number, error: ErrorVariables): MappingData {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const context = bareContext(req, known, env, now)
  context.error = { ...error }
  return {
    body: '',
    path: {},
    querystring: q === -1 ? {} : queryOf(url.slice(q + 1)),
    header: headersOf(req),
    context,
    stageVariables: known.stage?.variables ?? {},
  }
}
