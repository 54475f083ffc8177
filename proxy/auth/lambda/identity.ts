// Identity sources, compiled at config load into readers of the request:
//   method.request.header.NAME | $request.header.NAME | route.request.header.NAME   (case-insensitive)
//   method.request.querystring.NAME | $request.querystring.NAME | route.request.querystring.NAME
//   stageVariables.NAME | $stageVariables.NAME   (resolved per stage at build: a constant)
//   context.NAME | $context.NAME                 (the $context variables mappings can read)
// A source that is missing or empty in a request refuses it with 401 before the function is
// called (API Gateway: "missing, null or empty").
import type { RequestContext } from '../../context.js'
import { CONTEXT_KEYS, type ContextKey } from '../../integrations/mapping.js'

export type IdentityReader = (ctx: RequestContext) => string | undefined

const CONTEXT_KEY_SET: ReadonlySet<string> = new Set(CONTEXT_KEYS)

/** Compiles one identity source; throws (a build problem: the route answers 500) when it is not one. */
export function compileIdentitySource(expr: string, variables: Readonly<Record<string, string>>): IdentityReader {
  const m = /^(?:method\.request|\$request|route\.request)\.(header|querystring)\.(.+)$/.exec(expr)
  if (m !== null) {
    const name = m[2]!
    if (m[1] === 'header') {
      const lower = name.toLowerCase()
      return (ctx) => ctx.header(lower)
    }
    return (ctx) => ctx.query(name)
  }
  const sv = /^\$?stageVariables\.(.+)$/.exec(expr)
  if (sv !== null) {
    const value = variables[sv[1]!]
    return () => value
  }
  const cx = /^\$?context\.(.+)$/.exec(expr)
  if (cx !== null) {
    const key = cx[1]!
    if (!CONTEXT_KEY_SET.has(key)) throw new Error(`identity source ${expr}: context variable ${key} is not supported`)
    return (ctx) => ctx.contextValue(key as ContextKey)
  }
  throw new Error(`identity source ${JSON.stringify(expr)} is not a header, query string, stage variable or context source`)
}

/**
 * Reads every source; null when one is missing or empty (the request is refused with 401).
 * HOT PATH: one small array per request with identity sources.
 */
export function readIdentity(readers: readonly IdentityReader[], ctx: RequestContext): string[] | null {
  const values: string[] = new Array<string>(readers.length)
  for (let i = 0; i < readers.length; i++) {
    const v = readers[i]!(ctx)
    if (v === undefined || v === '') return null
    values[i] = v
  }
  return values
}
