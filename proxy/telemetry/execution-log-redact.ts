// What execution logs never write: credentials. Header values of Authorization, Cookie,
// Set-Cookie, x-api-key, the AWS session token and the route's authorizer identity sources are
// replaced; so are query parameters that are identity sources or whose name says they hold a
// credential (token, key, secret, password, signature, ...). API keys are shown as their last
// four characters, as API Gateway's own execution logs show them.
import type { ApiConfig, AuthorizerConfig, RouteConfig } from '../config/schema.js'
import { redactSecret } from './access-log-variables.js'

export const REDACTED = '[REDACTED]'

/** Header names (lower case) whose values are credentials wherever they appear. */
const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-amz-security-token',
]
/** Parameter or header names that say they hold a credential. */
const SECRET_NAME = /token|secret|passw|signature|credential|session|api[-_]?key|^key$|auth|cookie/i

export interface Redactor {
  /** Header names (lower case) whose values are not logged. */
  readonly headers: ReadonlySet<string>
  /** Query parameter names (as written) whose values are not logged. */
  readonly query: ReadonlySet<string>
}

/** Header and query names an authorizer reads its credential from. */
function identitySourceNames(authorizer: AuthorizerConfig, headers: Set<string>, query: Set<string>): void {
  const sources = authorizer.identitySources.length > 0 ? authorizer.identitySources : ['method.request.header.Authorization']
  for (const source of sources) {
    const m = /^(?:method\.request|\$request)\.(header|querystring)\.(.+)$/.exec(source.trim())
    if (m === null) continue
    if (m[1] === 'header') headers.add(m[2]!.toLowerCase())
    else query.add(m[2]!)
  }
}

/** The redactor of one route: the fixed names plus its authorizer's identity sources. */
export function routeRedactor(api: ApiConfig | undefined, route: RouteConfig): Redactor {
  const headers = new Set(SECRET_HEADERS)
  const query = new Set<string>()
  const authorizer = route.authorizer === undefined ? undefined : api?.authorizers?.find((a) => a.name === route.authorizer)
  if (authorizer !== undefined) identitySourceNames(authorizer, headers, query)
  return { headers, query }
}

function secretHeader(redactor: Redactor, lower: string): boolean {
  return redactor.headers.has(lower) || SECRET_NAME.test(lower)
}

/** A header value as logged: API keys by their last four characters, other credentials not at all. */
function headerValue(redactor: Redactor, lower: string, value: string): string {
  if (!secretHeader(redactor, lower)) return value
  return lower === 'x-api-key' ? redactSecret(value) : REDACTED
}

/** Headers as a flat [name, value, ...] list (rawHeaders, HTTP_PROXY integration headers) → a logged object. */
export function redactFlatHeaders(redactor: Redactor, flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!
    const value = headerValue(redactor, name.toLowerCase(), flat[i + 1]!)
    out[name] = Object.hasOwn(out, name) ? `${out[name]},${value}` : value
  }
  return out
}

/** Headers as an object (IncomingHttpHeaders, mapped integration headers) → a logged object. */
export function redactHeaderObject(redactor: Redactor, headers: Readonly<Record<string, string | string[] | number | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue
    const value = Array.isArray(raw) ? raw.join(',') : String(raw)
    out[name] = headerValue(redactor, name.toLowerCase(), value)
  }
  return out
}

/** A path with its query string, the values of credential parameters replaced. */
export function redactPathQuery(redactor: Redactor, pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?')
  if (q === -1) return pathAndQuery
  return `${pathAndQuery.slice(0, q)}?${redactQuery(redactor, pathAndQuery.slice(q + 1))}`
}

/** A raw query string, the values of credential parameters replaced (names and order kept). */
export function redactQuery(redactor: Redactor, query: string): string {
  if (query === '') return query
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      if (eq === -1) return pair
      let name = pair.slice(0, eq)
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '))
      } catch {
        // A malformed escape: judge the name as written.
      }
      return redactor.query.has(name) || SECRET_NAME.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair
    })
    .join('&')
}
