// Parameter mapping expressions, compiled at build time:
//   integration.request.{path|querystring|header}.NAME  <- method.request.{path|querystring|header}.NAME
//                                                          | 'static' | stageVariables.NAME | context.KEY
//                                                          | context.authorizer.NAME | context.authorizer.claims.NAME
//   method.response.header.NAME                         <- integration.response.header.NAME
//                                                          | integration.response.body | 'static'
//                                                          | stageVariables.NAME | context.KEY
//                                                          | context.authorizer.NAME | context.authorizer.claims.NAME
// `context.authorizer.*` reads what the route's authorizer left ($context.authorizer):
// principalId, integrationLatency and the keys of a Lambda authorizer's context; `claims.NAME`
// the claims of a verified JWT (JWT, COGNITO_USER_POOLS). Absent values are left out.
// Stage variables are resolved per stage here, so they cost nothing per request.

export class MappingError extends Error {}

export type Source =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'path'; readonly name: string }
  | { readonly kind: 'querystring'; readonly name: string }
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'context'; readonly key: ContextKey }
  | { readonly kind: 'authorizer'; readonly name: string }
  | { readonly kind: 'authorizerClaim'; readonly name: string }
  | { readonly kind: 'responseHeader'; readonly name: string }
  | { readonly kind: 'responseBody' }

/** The $context variables mappings can read. */
export const CONTEXT_KEYS = [
  'requestId',
  'extendedRequestId',
  'apiId',
  'stage',
  'resourcePath',
  // A stable id of the resource path (resource-id.ts).
  'resourceId',
  'httpMethod',
  'path',
  'protocol',
  'domainName',
  'domainPrefix',
  'requestTime',
  'requestTimeEpoch',
  'identity.sourceIp',
  'identity.userAgent',
  // SigV4 callers (AWS_IAM routes); empty otherwise.
  'identity.accessKey',
  'identity.accountId',
  'identity.userArn',
  'identity.user',
  'identity.caller',
] as const
export type ContextKey = (typeof CONTEXT_KEYS)[number]
const CONTEXT_KEY_SET: ReadonlySet<string> = new Set(CONTEXT_KEYS)

export interface RequestMapping {
  readonly target: 'path' | 'querystring' | 'header'
  readonly name: string
  readonly source: Source
}

export interface ResponseMapping {
  readonly name: string
  readonly source: Source
}

function compileSource(expr: string, variables: Readonly<Record<string, string>>, side: 'request' | 'response'): Source {
  if (expr.length >= 2 && expr.startsWith("'") && expr.endsWith("'")) return { kind: 'static', value: expr.slice(1, -1) }
  if (expr.startsWith('stageVariables.')) {
    const name = expr.slice('stageVariables.'.length)
    const value = variables[name]
    if (value === undefined) throw new MappingError(`stage variable ${name} is not defined`)
    return { kind: 'static', value }
  }
  if (expr.startsWith('context.authorizer.')) {
    const name = expr.slice('context.authorizer.'.length)
    const claim = name.startsWith('claims.') ? name.slice('claims.'.length) : null
    if (name === '' || name === 'claims' || claim === '') throw new MappingError(`invalid mapping expression ${JSON.stringify(expr)}`)
    if (claim !== null) return { kind: 'authorizerClaim', name: claim }
    return { kind: 'authorizer', name }
  }
  if (expr.startsWith('context.')) {
    const key = expr.slice('context.'.length)
    if (!CONTEXT_KEY_SET.has(key)) throw new MappingError(`context variable ${key} is not supported in mappings`)
    return { kind: 'context', key: key as ContextKey }
  }
  if (side === 'request') {
    const m = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(expr)
    if (m !== null) {
      const kind = m[1] as 'path' | 'querystring' | 'header'
      return { kind, name: kind === 'header' ? m[2]!.toLowerCase() : m[2]! }
    }
  } else {
    if (expr === 'integration.response.body') return { kind: 'responseBody' }
    const m = /^integration\.response\.header\.(.+)$/.exec(expr)
    if (m !== null) return { kind: 'responseHeader', name: m[1]!.toLowerCase() }
  }
  throw new MappingError(`invalid mapping expression ${JSON.stringify(expr)}`)
}

export function compileRequestMappings(params: Readonly<Record<string, string>>, variables: Readonly<Record<string, string>>): RequestMapping[] {
  const out: RequestMapping[] = []
  for (const [target, expr] of Object.entries(params)) {
    const m = /^integration\.request\.(path|querystring|header)\.(.+)$/.exec(target)
    if (m === null) throw new MappingError(`invalid mapping target ${JSON.stringify(target)}`)
    out.push({ target: m[1] as RequestMapping['target'], name: m[2]!, source: compileSource(expr, variables, 'request') })
  }
  return out
}

export function compileResponseMappings(params: Readonly<Record<string, string>>, variables: Readonly<Record<string, string>>): ResponseMapping[] {
  const out: ResponseMapping[] = []
  for (const [target, expr] of Object.entries(params)) {
    const m = /^method\.response\.header\.(.+)$/.exec(target)
    if (m === null) throw new MappingError(`invalid response mapping target ${JSON.stringify(target)}`)
    out.push({ name: m[1]!, source: compileSource(expr, variables, 'response') })
  }
  return out
}
