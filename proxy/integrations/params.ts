// Applying compiled parameter mappings to a request (integration request side) and to an
// integration response (method response side).
import type { IncomingHttpHeaders } from 'node:http'
import type { RequestContext } from '../context.js'
import type { RequestMapping, ResponseMapping, Source } from './mapping.js'

/** $context.authorizer.NAME: principalId, integrationLatency, or a key of the authorizer's context. */
export function authorizerValue(ctx: RequestContext, name: string): string | undefined {
  const a = ctx.authorizer
  if (a === null) return undefined
  if (name === 'principalId') return a.principalId
  if (name === 'integrationLatency') return String(a.latencyMs)
  const v = Object.hasOwn(a.context, name) ? a.context[name] : undefined
  return v === undefined ? undefined : String(v)
}

/** $context.authorizer.claims.NAME: a claim of the verified token (strings as they are, other values as JSON). */
export function authorizerClaim(ctx: RequestContext, name: string): string | undefined {
  const claims = ctx.authorizer?.claims
  if (claims === null || claims === undefined || !Object.hasOwn(claims, name)) return undefined
  const v = claims[name]
  if (v === undefined || v === null) return undefined
  return typeof v === 'string' ? v : JSON.stringify(v)
}

function requestValue(source: Source, ctx: RequestContext): string | undefined {
  switch (source.kind) {
    case 'static':
      return source.value
    case 'path':
      return ctx.pathParams[source.name]
    case 'querystring':
      return ctx.query(source.name)
    case 'header':
      return ctx.header(source.name)
    case 'context':
      return ctx.contextValue(source.key)
    case 'authorizer':
      return authorizerValue(ctx, source.name)
    case 'authorizerClaim':
      return authorizerClaim(ctx, source.name)
    default:
      return undefined
  }
}

export interface MappedRequest {
  /** integration.request.path.NAME, already percent-encoded for the URI. */
  readonly path: Map<string, string> | null
  /** "k=v&k2=v2", encoded; '' when none. */
  readonly query: string
  readonly headers: Record<string, string>
}

const NO_MAPPINGS: MappedRequest = { path: null, query: '', headers: {} }

/** Evaluates request mappings. Unresolvable sources are left out (API Gateway sends nothing). */
export function mapRequest(mappings: readonly RequestMapping[], ctx: RequestContext): MappedRequest {
  if (mappings.length === 0) return NO_MAPPINGS
  let path: Map<string, string> | null = null
  let query = ''
  const headers: Record<string, string> = {}
  for (const m of mappings) {
    if (m.target === 'path' && m.source.kind === 'path') {
      // A path parameter keeps its normalized encoding (an encoded "/" stays encoded).
      const raw = ctx.rawPathParams[m.source.name]
      if (raw !== undefined) (path ??= new Map()).set(m.name, raw)
      continue
    }
    const value = requestValue(m.source, ctx)
    if (value === undefined) continue
    if (m.target === 'path') (path ??= new Map()).set(m.name, encodeURIComponent(value))
    else if (m.target === 'querystring') query += `${query === '' ? '' : '&'}${encodeURIComponent(m.name)}=${encodeURIComponent(value)}`
    else headers[m.name.toLowerCase()] = value
  }
  return { path, query, headers }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}

/** Evaluates response mappings into `out` (lower-cased header names). */
export function mapResponse(
  mappings: readonly ResponseMapping[],
  ctx: RequestContext,
  upstreamHeaders: IncomingHttpHeaders,
  body: Buffer | null,
  out: Record<string, string | string[] | number>,
): void {
  for (const m of mappings) {
    let value: string | undefined
    switch (m.source.kind) {
      case 'static':
        value = m.source.value
        break
      case 'responseHeader':
        value = headerText(upstreamHeaders[m.source.name])
        break
      case 'responseBody':
        value = body === null ? undefined : body.toString('utf8')
        break
      case 'context':
        value = ctx.contextValue(m.source.key)
        break
      case 'authorizer':
        value = authorizerValue(ctx, m.source.name)
        break
      case 'authorizerClaim':
        value = authorizerClaim(ctx, m.source.name)
        break
      default:
        value = undefined
    }
    if (value !== undefined) out[m.name.toLowerCase()] = value
  }
}
