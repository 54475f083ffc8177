// Applying compiled parameter mappings to a request (integration request side) and to an
// integration response (method response side).
import type { IncomingHttpHeaders } from 'node:http'
import type { RequestContext } from '../context.js'
import type { RequestMapping, ResponseMapping, Source } from './mapping.js'

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
      default:
        value = undefined
    }
    if (value !== undefined) out[m.name.toLowerCase()] = value
  }
}
