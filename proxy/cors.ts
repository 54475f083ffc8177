// CORS at the proxy: one CorsPolicy per API with `cors` in its config, built at config load
// (proxy/build.ts), shared by the cors stage (actual responses), the gateway responses
// (errors) and, for HTTP APIs, the preflight answered in handle-request.ts before routing.
//
// What it answers follows the fetch standard's CORS protocol and API Gateway:
// - An actual request with an allowed Origin gets Access-Control-Allow-Origin ('*' when any
//   origin is allowed without credentials, else the request's origin, reflected), plus
//   Access-Control-Expose-Headers and Access-Control-Allow-Credentials when configured. A
//   request without Origin, or with one not allowed, gets none of them.
// - When the answer depends on the Origin (a list of origins, or credentials), every response
//   carries `Vary: Origin`, so a shared cache never serves one origin's answer to another.
// - HTTP APIs: a preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered
//   204 No Content, as API Gateway answers it, with Allow-Origin, Allow-Methods, Allow-Headers,
//   Max-Age and Allow-Credentials when the origin, the method and every requested header are
//   allowed; otherwise 204 without them (the browser then refuses the request). '*' in
//   allowMethods/allowHeaders is answered with the requested method/headers (a literal '*'
//   means nothing to browsers when credentials are allowed, and never covers Authorization).
//   The CORS-safelisted methods GET, HEAD and POST are always allowed, as browsers allow them.
// - HTTP APIs ignore the CORS headers of backends (AWS: "API Gateway ignores CORS headers
//   returned from your backend integration"): every Access-Control-* response header of the
//   backend is dropped. REST APIs drop the three this policy decides (Allow-Origin,
//   Allow-Credentials, Expose-Headers) and keep the rest, so the static Allow-Methods/-Headers
//   of OPTIONS MOCK routes (generated or hand-written) pass.
//
// HOT PATH — change with care: `actual` runs once per request of an API with CORS; it returns
// prebuilt objects except when it reflects an allowed origin.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CorsConfig } from './config/schema.js'

const ACAO = 'access-control-allow-origin'
const ACAC = 'access-control-allow-credentials'
const ACEH = 'access-control-expose-headers'
const REST_DECIDED: ReadonlySet<string> = new Set([ACAO, ACAC, ACEH])
const SAFELISTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST'])

/** The CORS headers of one response, and which headers of the backend (or mappings) they replace. */
export class CorsHeaders {
  constructor(
    /** Flat [name, value, ...], lower-case names; `Vary` is not in it (see `vary`). */
    readonly list: readonly string[],
    /** Add `Origin` to Vary (merged with a Vary the response already has). */
    readonly vary: boolean,
    private readonly replaceAll: boolean,
  ) {}

  /** True when a response header of this name (lower case) is dropped in favour of the policy's. */
  drops(name: string): boolean {
    return this.replaceAll ? name.startsWith('access-control-') : REST_DECIDED.has(name)
  }
}

/** Merges `Origin` into a Vary value (absent: just Origin). */
export function varyWithOrigin(existing: string | undefined): string {
  if (existing === undefined || existing === '') return 'Origin'
  if (existing.trim() === '*' || /(^|,)\s*origin\s*(,|$)/i.test(existing)) return existing
  return `${existing}, Origin`
}

/**
 * Applies `cors` to a method response's header object (respond.ts): drops the headers it
 * replaces (any spelling), sets its own, merges Vary.
 */
export function applyCorsHeaders(headers: Record<string, string | string[] | number>, cors: CorsHeaders): void {
  let vary: string | undefined
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase()
    if (cors.drops(lower)) delete headers[name]
    else if (cors.vary && lower === 'vary') {
      const value = headers[name]!
      vary = Array.isArray(value) ? value.join(', ') : String(value)
      delete headers[name]
    }
  }
  const list = cors.list
  for (let i = 0; i < list.length; i += 2) headers[list[i]!] = list[i + 1]!
  if (cors.vary) headers.vary = varyWithOrigin(vary)
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

export class CorsPolicy {
  /** HTTP APIs answer preflights in the gateway (REST APIs route them to OPTIONS MOCK routes). */
  readonly answersPreflight: boolean
  private readonly anyOrigin: boolean
  private readonly origins: ReadonlySet<string>
  private readonly credentials: boolean
  /** Expose-Headers and Allow-Credentials, the same on every allowed actual response. */
  private readonly tail: readonly string[]
  private readonly anyMethod: boolean
  private readonly methods: ReadonlySet<string>
  private readonly methodList: string
  private readonly anyHeader: boolean
  private readonly headers: ReadonlySet<string>
  private readonly headerList: string
  private readonly maxAge: string | null
  private readonly replaceAll: boolean
  /** The answer when the request has no allowed Origin. */
  private readonly refused: CorsHeaders
  /** anyOrigin: the answer to every request with an Origin. */
  private readonly wildcard: CorsHeaders | null

  constructor(config: CorsConfig, protocol: 'REST' | 'HTTP' | 'WEBSOCKET') {
    this.answersPreflight = protocol === 'HTTP'
    this.replaceAll = protocol === 'HTTP'
    this.credentials = config.allowCredentials
    this.anyOrigin = config.allowOrigins.includes('*') && !config.allowCredentials
    this.origins = new Set(config.allowOrigins.filter((o) => o !== '*').map((o) => o.toLowerCase()))
    const tail: string[] = []
    if (config.exposeHeaders.length > 0) tail.push(ACEH, config.exposeHeaders.join(','))
    if (config.allowCredentials) tail.push(ACAC, 'true')
    this.tail = tail
    this.anyMethod = config.allowMethods.includes('*')
    this.methods = new Set(config.allowMethods.map((m) => m.toUpperCase()))
    this.methodList = config.allowMethods.join(',')
    this.anyHeader = config.allowHeaders.includes('*')
    this.headers = new Set(config.allowHeaders.map((h) => h.toLowerCase()))
    this.headerList = config.allowHeaders.join(',')
    this.maxAge = config.maxAge === null ? null : String(config.maxAge)
    this.refused = new CorsHeaders([], !this.anyOrigin, this.replaceAll)
    this.wildcard = this.anyOrigin ? new CorsHeaders([ACAO, '*', ...tail], false, this.replaceAll) : null
  }

  private allowsOrigin(origin: string): boolean {
    return this.anyOrigin || this.origins.has(origin.toLowerCase())
  }

  /** The CORS headers of an actual (non-preflight) response to a request with this Origin. */
  actual(origin: string | string[] | undefined): CorsHeaders {
    const o = single(origin)
    if (o === undefined || o === '') return this.refused
    if (this.wildcard !== null) return this.wildcard
    if (!this.origins.has(o.toLowerCase())) return this.refused
    return new CorsHeaders([ACAO, o, ...this.tail], true, this.replaceAll)
  }

  /** A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
  static isPreflight(req: IncomingMessage): boolean {
    return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined
  }

  /** The headers of the preflight answer to `req` (flat list, lower-case names, Vary included). */
  preflightHeaders(req: IncomingMessage): string[] {
    const out: string[] = []
    const origin = single(req.headers.origin) ?? ''
    const method = (single(req.headers['access-control-request-method']) ?? '').trim().toUpperCase()
    const requested = (single(req.headers['access-control-request-headers']) ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== '')
    if (this.allowsOrigin(origin) && this.allowsMethod(method) && this.allowsHeaders(requested)) {
      out.push(ACAO, this.anyOrigin ? '*' : origin)
      if (this.credentials) out.push(ACAC, 'true')
      const methods = this.anyMethod ? method : this.methodList
      if (methods !== '') out.push('access-control-allow-methods', methods)
      const headers = this.anyHeader ? requested.join(',') : this.headerList
      if (headers !== '') out.push('access-control-allow-headers', headers)
      if (this.maxAge !== null) out.push('access-control-max-age', this.maxAge)
    }
    if (!this.anyOrigin) out.push('vary', 'Origin')
    return out
  }

  private allowsMethod(method: string): boolean {
    return method !== '' && (this.anyMethod || SAFELISTED_METHODS.has(method) || this.methods.has(method))
  }

  private allowsHeaders(requested: readonly string[]): boolean {
    if (this.anyHeader) return true
    for (const h of requested) if (!this.headers.has(h)) return false
    return true
  }

  /** Answers a preflight (HTTP APIs): 204 No Content, as API Gateway. */
  answerPreflight(req: IncomingMessage, res: ServerResponse, extendedRequestId: string, close: boolean): void {
    const headers = this.preflightHeaders(req)
    headers.push('apigw-requestid', extendedRequestId)
    if (close) headers.push('connection', 'close')
    res.writeHead(204, headers)
    res.end()
  }
}

// One policy per CorsConfig object: the stage's build (per route and stage) and the API's
// gateway responses share it.
const policies = new WeakMap<CorsConfig, CorsPolicy>()

/** The CORS policy of an API, or null when it has no CORS configuration. */
export function corsPolicy(api: { readonly cors?: CorsConfig | undefined; readonly protocol: 'REST' | 'HTTP' | 'WEBSOCKET' }): CorsPolicy | null {
  const config = api.cors
  if (config === undefined) return null
  let policy = policies.get(config)
  if (policy === undefined) {
    policy = new CorsPolicy(config, api.protocol)
    policies.set(config, policy)
  }
  return policy
}
