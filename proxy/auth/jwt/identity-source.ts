// Where a JWT authorizer reads the token: a request header or query string parameter, named by
// the authorizer's identity source in REST (method.request.header.NAME), HTTP API
// ($request.header.NAME) or WebSocket (route.request.header.NAME) syntax. Parsed at config load.
import type { RequestContext } from '../../context.js'

export type TokenReader = (ctx: RequestContext) => string | undefined

const SOURCE = /^(?:method\.request|route\.request|\$request)\.(header|querystring)\.(.+)$/

/** A reader for `source`; throws (the route then answers 500) for a source a JWT cannot come from. */
export function tokenReader(source: string): TokenReader {
  const m = SOURCE.exec(source.trim())
  if (m === null) throw new Error(`identity source ${source} cannot carry a JWT: use a header or query string parameter`)
  const name = m[2]!
  if (m[1] === 'header') {
    // Header names are case-insensitive; Node lower-cases them.
    const lower = name.toLowerCase()
    return (ctx) => ctx.header(lower)
  }
  return (ctx) => ctx.query(name)
}

/** The token without the optional "Bearer " prefix (AWS accepts both forms). */
export function withoutBearer(value: string): string {
  return value.length > 7 && (value.charCodeAt(6) === 32 || value.charCodeAt(6) === 9) && value.slice(0, 6).toLowerCase() === 'bearer' ? value.slice(7).trim() : value.trim()
}
