// The cache key of a request: method + resource path + stage + revision (a canary's revision
// unless useStageCache; '' otherwise) + the values of the route's cacheKeyParameters + who is
// calling. The parts are JSON-encoded as one array (no delimiter a value could forge: "a|b"
// and ["a","b"] are different keys; an absent parameter, null, differs from an empty one) and
// hashed with SHA-256, so keys hold no parameter values, API keys or tokens in clear.
//
// Who is calling (not in API Gateway's key — Tollgate's rule, docs/caching.md): the API key id
// the meter accepted, the authorizer's principalId and context (Lambda; JWT: the subject), the
// IAM user of a SigV4 caller. A response computed for one caller is never served to another;
// routes without authorization and API keys share entries, as on AWS.
import { hash } from 'node:crypto'
import type { RouteCacheConfig, RouteConfig, StageConfig } from '../config/schema.js'
import type { RequestContext } from '../context.js'

type Part = (ctx: RequestContext) => string | null

const PARAMETER = /^method\.request\.(path|querystring|header)\.(.+)$/

function parameterPart(param: string): Part {
  const m = PARAMETER.exec(param)
  if (!m) throw new Error(`cache key parameter ${param} is not method.request.{path|querystring|header}.NAME`)
  const name = m[2]!
  switch (m[1]) {
    case 'path':
      return (ctx) => ctx.pathParams[name] ?? null
    case 'querystring':
      return (ctx) => ctx.query(name) ?? null
    default: {
      const lower = name.toLowerCase()
      return (ctx) => ctx.header(lower) ?? null
    }
  }
}

export type CacheKeyOf = (ctx: RequestContext) => string

/** Built once per route and stage; `revision`: the canary's revision when it keeps its own entries, else ''. */
export function cacheKeyBuilder(route: RouteConfig, stageName: string, revision = ''): CacheKeyOf {
  const params = (route.integration.cacheKeyParameters ?? []).map(parameterPart)
  const path = route.path
  return (ctx) => {
    const parts: unknown[] = [ctx.method, path, stageName, revision]
    for (const part of params) parts.push(part(ctx))
    const authorizer = ctx.authorizer
    parts.push(ctx.apiKeyId, authorizer === null ? null : [authorizer.principalId, authorizer.context], ctx.identity === null ? null : ctx.identity.userArn)
    return hash('sha256', JSON.stringify(parts), 'hex')
  }
}

/**
 * The store space of a stage's entries: API, stage and the flush token (the
 * tollgate.dev/cache-flush annotation). A new token is a new space: a declarative flush.
 */
export function cacheSpace(apiId: string, stageName: string, flushToken: string | undefined): string {
  return `${apiId}/${stageName}/${flushToken ?? ''}`
}

/** The cache settings of a route on a stage; undefined when the stage does not cache it. */
export function routeCache(stage: StageConfig, route: RouteConfig): RouteCacheConfig | undefined {
  return stage.cache?.routes[route.key]
}
