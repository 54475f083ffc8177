// An Api's spec.cors: its checks, the normalized `ApiConfig.cors`, and (REST APIs) the OPTIONS
// MOCK routes that answer preflights.
//
// REST APIs: API Gateway's way is an OPTIONS method with a MOCK integration on every resource,
// whose integration response sets Access-Control-Allow-{Headers,Methods,Origin} as static
// values (what the console's "Enable CORS" creates). From spec.cors the compiler adds that
// route to the revision for every resource path that has no OPTIONS route of its own (a
// hand-written one is kept as written), with Allow-Methods, Allow-Headers and Max-Age as static
// response parameters. What depends on the request's Origin (Allow-Origin, reflected when
// credentials are allowed; Vary) and what every response carries (Expose-Headers,
// Allow-Credentials, on gateway errors too) comes from `ApiConfig.cors` at the proxy.
//
// HTTP APIs: `ApiConfig.cors` only; the proxy answers preflights itself (AWS corsConfiguration).
import { error, type Problem } from '../../crds/problems.js'
import type { ApiSpec } from '../../crds/api.js'
import type { CorsConfig, RouteConfig } from '../../proxy/config/schema.js'
import { DEFAULT_TIMEOUT_MS } from './integration.js'

type CorsSpec = NonNullable<ApiSpec['cors']>

/** The methods ANY stands for (API Gateway's seven). */
const ANY_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']
/** A serialized origin: scheme "://" host [":" port], nothing after it (no path, no trailing slash). */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i
/** An HTTP header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export interface CompiledCors {
  config: CorsConfig | undefined
  problems: Problem[]
}

export function compileCors(spec: CorsSpec | undefined): CompiledCors {
  if (spec === undefined) return { config: undefined, problems: [] }
  const problems: Problem[] = []
  const f = 'spec.cors'
  const origins = spec.allowOrigins ?? []
  origins.forEach((o, i) => {
    if (o !== '*' && !ORIGIN.test(o)) {
      problems.push(
        error(`${f}.allowOrigins[${i}]`, 'InvalidCorsConfiguration', `${JSON.stringify(o)} is not '*' or an origin (scheme://host[:port], no path or trailing slash)`),
      )
    }
  })
  if (spec.allowCredentials === true && origins.includes('*')) {
    problems.push(
      error(
        `${f}.allowCredentials`,
        'InvalidCorsConfiguration',
        "allowCredentials cannot be true when allowOrigins contains '*' (browsers refuse credentials with a wildcard origin); list the origins",
      ),
    )
  }
  ;(spec.allowMethods ?? []).forEach((m, i) => {
    if (m !== '*' && !ANY_METHODS.includes(m.toUpperCase())) {
      problems.push(error(`${f}.allowMethods[${i}]`, 'InvalidCorsConfiguration', `${JSON.stringify(m)} is not '*' or one of ${ANY_METHODS.join(', ')}`))
    }
  })
  for (const key of ['allowHeaders', 'exposeHeaders'] as const) {
    ;(spec[key] ?? []).forEach((h, i) => {
      if (!TOKEN.test(h)) problems.push(error(`${f}.${key}[${i}]`, 'InvalidCorsConfiguration', `${JSON.stringify(h)} is not '*' or a header name`))
    })
  }
  return {
    config: {
      allowOrigins: origins.map((o) => o.toLowerCase()),
      allowMethods: (spec.allowMethods ?? []).map((m) => m.toUpperCase()),
      allowHeaders: (spec.allowHeaders ?? []).map((h) => h.toLowerCase()),
      exposeHeaders: [...(spec.exposeHeaders ?? [])],
      maxAge: spec.maxAge ?? null,
      allowCredentials: spec.allowCredentials ?? false,
    },
    problems,
  }
}

/**
 * REST APIs: `routes` plus an OPTIONS MOCK route for every resource path without an OPTIONS
 * route, sorted by key like the compiled routes.
 */
export function withPreflightRoutes(routes: readonly RouteConfig[], cors: CorsConfig): RouteConfig[] {
  const methodsByPath = new Map<string, Set<string>>()
  for (const r of routes) {
    const methods = methodsByPath.get(r.path) ?? new Set<string>()
    for (const m of r.method === 'ANY' ? ANY_METHODS : [r.method]) methods.add(m)
    methodsByPath.set(r.path, methods)
  }
  const out = [...routes]
  for (const [path, methods] of methodsByPath) {
    if (path === '' || routes.some((r) => r.path === path && r.method === 'OPTIONS')) continue
    methods.add('OPTIONS')
    out.push(preflightRoute(path, [...methods].sort(), cors))
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

function preflightRoute(path: string, resourceMethods: readonly string[], cors: CorsConfig): RouteConfig {
  // '*' or no methods: the methods of the resource, as the console's "Enable CORS" lists them.
  const methods = cors.allowMethods.length === 0 || cors.allowMethods.includes('*') ? resourceMethods : cors.allowMethods
  const headers: Record<string, string> = { 'method.response.header.Access-Control-Allow-Methods': `'${methods.join(',')}'` }
  if (cors.allowHeaders.length > 0) headers['method.response.header.Access-Control-Allow-Headers'] = `'${cors.allowHeaders.join(',')}'`
  if (cors.maxAge !== null) headers['method.response.header.Access-Control-Max-Age'] = `'${cors.maxAge}'`
  return {
    key: `OPTIONS ${path}`,
    method: 'OPTIONS',
    path,
    authorizationType: 'NONE',
    apiKeyRequired: false,
    requestParameters: {},
    integration: {
      type: 'MOCK',
      httpMethod: '',
      uri: '',
      timeoutMs: DEFAULT_TIMEOUT_MS,
      requestParameters: {},
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'WHEN_NO_MATCH',
      contentHandling: null,
      responses: [{ statusCode: '200', selectionPattern: null, responseParameters: headers, responseTemplates: {}, contentHandling: null }],
    },
    methodResponses: [
      {
        statusCode: '200',
        responseParameters: Object.fromEntries(Object.keys(headers).map((k) => [k, false])),
        responseModels: {},
      },
    ],
  }
}
