// The path and query sent to an HTTP or HTTP_PROXY backend: the URI template expanded with
// path parameters (normalized, still encoded) or mapped values, and the query string.
import type { RequestContext } from '../context.js'
import { expandPath } from '../uri-template.js'
import type { CompiledIntegration } from './compile.js'
import type { MappedRequest } from './params.js'

function joinQuery(a: string, b: string): string {
  if (a === '') return b
  if (b === '') return a
  return `${a}&${b}`
}

/** `forwardQuery`: HTTP_PROXY forwards the request's query string; HTTP sends only mapped ones. */
export function backendPath(integration: CompiledIntegration, ctx: RequestContext, mapped: MappedRequest, forwardQuery: boolean): string {
  const uri = integration.uri!
  const path = integration.appendPath
    ? ctx.path
    : expandPath(uri, (name) => mapped.path?.get(name) ?? ctx.rawPathParams[name] ?? '')
  const query = joinQuery(joinQuery(uri.query, forwardQuery ? ctx.rawQuery : ''), mapped.query)
  return query === '' ? path : `${path}?${query}`
}
