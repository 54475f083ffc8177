// Required method request parameters (validateRequestParameters): every
// `method.request.{path|querystring|header}.NAME: true` of the route must be present and not
// blank (API Gateway checks presence only, never type or format). The missing ones are named in
// the order of their keys, which is header, path, querystring, then by name — what AWS answers:
// {"message": "Missing required request parameters: [x-header-param, issuer, qs1]"}.
import type { RequestContext } from '../context.js'

const KEY = /^method\.request\.(path|querystring|header)\.(.+)$/

export interface RequiredParameter {
  readonly location: 'path' | 'querystring' | 'header'
  /** As declared (the message names it so). */
  readonly name: string
  /** What to look up: the header name lower case, the others as declared. */
  readonly lookup: string
}

/** The required parameters of a route's requestParameters, in message order. */
export function requiredParameters(requestParameters: Readonly<Record<string, boolean>>): RequiredParameter[] {
  const out: RequiredParameter[] = []
  for (const key of Object.keys(requestParameters).sort()) {
    const m = KEY.exec(key)
    if (!requestParameters[key] || m === null) continue
    const location = m[1] as RequiredParameter['location']
    const name = m[2]!
    out.push({ location, name, lookup: location === 'header' ? name.toLowerCase() : name })
  }
  return out
}

function own(params: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(params, name) ? params[name] : undefined
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === ''
}

/** The names of the required parameters the request lacks (or sends blank), in message order. */
export function missingParameters(ctx: RequestContext, required: readonly RequiredParameter[]): string[] {
  const missing: string[] = []
  for (const p of required) {
    const value =
      p.location === 'path' ? own(ctx.pathParams, p.lookup) : p.location === 'querystring' ? ctx.query(p.lookup) : Object.hasOwn(ctx.req.headers, p.lookup) ? ctx.header(p.lookup) : undefined
    if (blank(value)) missing.push(p.name)
  }
  return missing
}
