// Pieces the Lambda proxy events share (event-v1.ts: REST and HTTP API payload 1.0; event-v2.ts:
// HTTP API payload 2.0): what is fixed per route and stage, the request's headers as the function
// sees them, the body, and the authorizer's result.
import { peerIp } from '../../auth/source-ip.js'
import type { ApiConfig, GatewayConfig, RouteConfig, StageConfig } from '../../config/schema.js'
import type { RequestContext } from '../../context.js'
import { HOP_BY_HOP } from '../../hop-by-hop.js'
import { arnSettings } from '../../auth/arn.js'
import { resourceIdOf } from '../../auth/lambda/event.js'
import { bufferRequestBody, hasBody } from '../request-body.js'
import { compileBinaryMediaTypes, type BinaryMatcher } from '../binary-types.js'
import { mediaType } from '../templates.js'

/** What every event of one route on one stage shares, computed at config load. */
export interface EventSettings {
  readonly protocol: 'REST' | 'HTTP'
  readonly accountId: string
  readonly apiId: string
  readonly stage: string
  /** The route's key: "GET /pets/{id}", "$default". */
  readonly routeKey: string
  /** The route's resource path ("/pets/{id}"); null for the $default route of an HTTP API (the request's path stands in). */
  readonly resource: string | null
  /** REST: a short stable id of the resource (as the authorizers' events give it). */
  readonly resourceId: string
  /** Stage variables, or null when the stage has none (AWS sends null). */
  readonly variables: Readonly<Record<string, string>> | null
  /** REST: binaryMediaTypes of the API (request bodies of these types are base64-encoded). */
  readonly binary: BinaryMatcher
  /** Where the accepted API key came from, for identity.apiKey. */
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER'
}

export function eventSettings(api: ApiConfig, stage: StageConfig, route: RouteConfig, gateway: GatewayConfig): EventSettings {
  const resource = route.key === '$default' ? null : route.path
  return {
    protocol: api.protocol === 'REST' ? 'REST' : 'HTTP',
    accountId: arnSettings(gateway).accountId,
    apiId: api.id,
    stage: stage.name,
    routeKey: route.key,
    resource,
    resourceId: resourceIdOf({ apiId: api.id, resource: resource ?? '$default' }),
    variables: Object.keys(stage.variables).length > 0 ? { ...stage.variables } : null,
    binary: compileBinaryMediaTypes(api.binaryMediaTypes),
    apiKeySource: api.apiKeySource ?? 'HEADER',
  }
}

/** Client headers the function never sees: hop-by-hop ones, and the forwarding headers the gateway sets itself. */
const DROPPED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'x-forwarded-port', 'x-forwarded-proto'])

/**
 * The request's headers as the event carries them, as a flat [name, value, ...] list: the
 * client's (hop-by-hop dropped; REST also drops Content-Length, as API Gateway's edge does),
 * then X-Forwarded-For (the client's list with the peer appended), X-Forwarded-Port,
 * X-Forwarded-Proto and X-Amzn-Trace-Id, as API Gateway adds them (and, on traced stages, the
 * invocation's traceparent and tracestate in place of the caller's). `lower`: HTTP APIs send
 * every name in lower case; REST keeps the client's spelling and spells its own as AWS does.
 */
export function eventHeaders(ctx: RequestContext, lower: boolean): string[] {
  const raw = ctx.req.rawHeaders
  const out: string[] = []
  let forwarded: string | null = null
  let traced = false
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    const key = name.toLowerCase()
    if (DROPPED.has(key) || key.startsWith('proxy-') || (!lower && key === 'content-length')) continue
    if (key === 'x-forwarded-for') {
      forwarded = forwarded === null ? raw[i + 1]! : `${forwarded}, ${raw[i + 1]!}`
      continue
    }
    if (key === 'x-amzn-trace-id') traced = true
    else if (ctx.trace !== null && (key === 'traceparent' || key === 'tracestate')) continue
    out.push(lower ? key : name, raw[i + 1]!)
  }
  const ip = peerIp(ctx.req)
  out.push(lower ? 'x-forwarded-for' : 'X-Forwarded-For', forwarded === null ? ip : `${forwarded}, ${ip}`)
  out.push(lower ? 'x-forwarded-port' : 'X-Forwarded-Port', String(ctx.req.socket.localPort ?? ''))
  out.push(lower ? 'x-forwarded-proto' : 'X-Forwarded-Proto', 'http')
  if (!traced) out.push(lower ? 'x-amzn-trace-id' : 'X-Amzn-Trace-Id', ctx.traceId)
  // Traced stages: the invocation's W3C trace context in place of the caller's, where function
  // instrumentation (OpenTelemetry's aws-lambda one) looks for it.
  const trace = ctx.trace
  if (trace !== null) {
    out.push('traceparent', trace.traceparent)
    if (trace.tracestate !== '') out.push('tracestate', trace.tracestate)
  }
  return out
}

/** HTTP APIs pass these request bodies as text; every other one (no Content-Type too) base64-encoded. */
const HTTP_TEXT_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/xml', 'application/javascript'])

/** The request body as the event carries it: null when there is none, base64 when binary. */
export async function eventBody(ctx: RequestContext, s: EventSettings): Promise<{ body: string | null; isBase64Encoded: boolean }> {
  if (!hasBody(ctx)) return { body: null, isBase64Encoded: false }
  const bytes = await bufferRequestBody(ctx)
  if (bytes.length === 0) return { body: null, isBase64Encoded: false }
  const contentType = ctx.req.headers['content-type']
  let binary: boolean
  if (s.protocol === 'REST') binary = s.binary(contentType)
  else {
    const type = mediaType(contentType)
    binary = !(type.startsWith('text/') || HTTP_TEXT_TYPES.has(type))
  }
  return binary ? { body: bytes.toString('base64'), isBase64Encoded: true } : { body: bytes.toString('utf8'), isBase64Encoded: false }
}

/**
 * A claim as API Gateway hands it to functions: strings as they are, numbers and booleans as
 * text, lists as "[a b]"; REST user pool claims also give `exp` and `iat` as dates
 * ("Wed Jan 17 18:19:08 UTC 2018"), as API Gateway's Cognito authorizer does.
 */
export function claimText(name: string, value: unknown, rest: boolean): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  if (rest && (name === 'exp' || name === 'iat') && typeof value === 'number') return javaDate(value * 1000)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')}]`
  return JSON.stringify(value)
}

export function claimsOf(claims: Readonly<Record<string, unknown>>, rest: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const [name, value] of Object.entries(claims)) out[name] = claimText(name, value, rest)
  return out
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** java.util.Date#toString in UTC: "Wed Jan 17 18:19:08 UTC 2018". */
export function javaDate(epochMs: number): string {
  const d = new Date(epochMs)
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}

/** REST: the Lambda authorizer's context values are handed on as text (null stays null). */
export function stringifiedContext(context: Readonly<Record<string, unknown>>): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const [key, value] of Object.entries(context)) out[key] = value === null || value === undefined ? null : String(value)
  return out
}

/** The accepted API key and its id, for identity.apiKey / apiKeyId; nulls when none was accepted. */
export function apiKeyOf(ctx: RequestContext, s: EventSettings): { apiKey: string | null; apiKeyId: string | null } {
  if (ctx.apiKeyId === null) return { apiKey: null, apiKeyId: null }
  const header = ctx.header('x-api-key') ?? null
  return { apiKey: s.apiKeySource === 'AUTHORIZER' ? ctx.usageIdentifierKey : header, apiKeyId: ctx.apiKeyId }
}
