// The path and query sent to an HTTP or HTTP_PROXY backend: the URI template expanded with
// path parameters (normalized, still encoded) or mapped values, and the query string.
//
// HOT PATH — change with care: compiled once per route; per request one loop over the template
// parts, no closure.
import type { RequestContext } from '../context.js'
import type { CompiledIntegration } from './compile.js'
import type { MappedRequest } from './params.js'

function joinQuery(a: string, b: string): string {
  if (a === '') return b
  if (b === '') return a
  return `${a}&${b}`
}

export type BackendPath = (ctx: RequestContext, mapped: MappedRequest) => string

/** `forwardQuery`: HTTP_PROXY forwards the request's query string; HTTP sends only mapped ones. */
export function compileBackendPath(integration: CompiledIntegration, forwardQuery: boolean): BackendPath {
  const uri = integration.uri!
  const parts = uri.parts
  const fixedQuery = uri.query
  const appendPath = integration.appendPath
  return (ctx, mapped) => {
    let path = ''
    if (appendPath) path = ctx.path
    else {
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!
        path += typeof part === 'string' ? part : (mapped.path?.get(part.param) ?? ctx.rawPathParams[part.param] ?? '')
      }
    }
    const query = joinQuery(forwardQuery ? joinQuery(fixedQuery, ctx.rawQuery) : fixedQuery, mapped.query)
    return query === '' ? path : `${path}?${query}`
  }
}
