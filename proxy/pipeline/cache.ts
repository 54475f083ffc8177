// cache: the stage's response cache on the routes it covers (StageConfig.cache.routes; built
// to null elsewhere, so uncached routes pay nothing). After validate, before transform-request.
//
// Per request:
//   1. Cache-Control: max-age=0 asks to invalidate the entry. Allowed when the route does not
//      require authorization for it, or the caller is a SigV4 identity whose policies allow
//      execute-api:InvalidateCache on the methodArn (and none denies). Otherwise the route's
//      strategy: FAIL_WITH_403 → 403 (ACCESS_DENIED); SUCCEED_WITH_RESPONSE_HEADER → the header
//      is ignored and a Warning header says so; SUCCEED_WITHOUT_RESPONSE_HEADER → ignored.
//      An allowed invalidation skips the lookup: the backend answers and its response
//      replaces the entry.
//   2. Lookup (cache/key.ts for the key): a hit writes the stored response (with this
//      request's ids and CORS headers) and ends the chain. On a store in this process (memory)
//      the lookup is synchronous: a hit is served, and a miss goes on down the chain, without
//      a promise; the response is written from its prepared header list (cache/prepared.ts)
//      unless CORS headers, the invalidation warning or an unread request body call for
//      writeMethodResponse.
//   3. A miss: when another request is already fetching this key, wait for its response and
//      serve it; otherwise lead: respond records the method response (ctx.cache.fill), which
//      is stored in the background when it is at most 1 MB and carries no Set-Cookie, and is
//      handed to the waiting requests. The leader's response ending any other way (a gateway
//      error, a client gone) releases them to the backend.
// The store never fails a request (cache/service.ts): a store that cannot be reached is a miss.
import { identitiesOf } from '../auth/sigv4/identities.js'
import { methodArn, methodArnPrefix } from '../auth/arn.js'
import { evaluatePolicy, type PolicyDecision } from '../auth/policy.js'
import { CacheCodec, type CachedResponse } from '../cache/codec.js'
import type { CacheCounter } from '../cache/counters.js'
import { cacheKeyBuilder, cacheSpace, routeCache } from '../cache/key.js'
import type { CacheMiss } from '../cache/miss.js'
import { MAX_CACHED_RESPONSE_BYTES, type RouteCacheConfig } from '../config/schema.js'
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import { unreadChunkedBody } from '../integrations/request-body.js'
import { PreparedResponse } from '../cache/prepared.js'
import { writeMethodResponse } from './respond.js'
import type { Handler, PipelineStage, StageInput } from './types.js'
import { routeSeriesLabels } from '../telemetry/metrics-labels.js'

export const INVALIDATE_ACTION = 'execute-api:InvalidateCache'

const INVALIDATION_DENIED = new GatewayError(
  'TG_ERR_CACHE_INVALIDATION_DENIED',
  'ACCESS_DENIED',
  'Cache-Control: max-age=0 from a caller not allowed execute-api:InvalidateCache (FAIL_WITH_403)',
  'User is not authorized to access this resource',
)

/** True when the request asks for a fresh response: a Cache-Control max-age=0 directive. */
export function asksToInvalidate(value: string | undefined): boolean {
  if (value === undefined) return false
  for (const directive of value.split(',')) {
    const [name, arg] = directive.split('=', 2)
    if (name!.trim().toLowerCase() === 'max-age' && arg !== undefined && arg.trim().replace(/^"|"$/g, '') === '0') return true
  }
  return false
}

type Invalidation = 'INVALIDATE' | 'IGNORE' | 'WARN'

function invalidationOf(input: StageInput, cfg: RouteCacheConfig): (ctx: RequestContext) => Invalidation {
  if (!cfg.requireAuthorizationForCacheControl) return () => 'INVALIDATE'
  const identities = identitiesOf(input.gateway)
  const prefix = methodArnPrefix(input.gateway, input.api.id, input.stage.name)
  const strategy = cfg.unauthorizedCacheControlHeaderStrategy
  return (ctx) => {
    const caller = ctx.identity === null ? undefined : identities.get(ctx.identity.accessKey)
    if (caller !== undefined) {
      const arn = methodArn(prefix, ctx)
      let decision: PolicyDecision = 'NONE'
      for (const policy of caller.policies) {
        const d = evaluatePolicy(policy, INVALIDATE_ACTION, arn)
        if (d === 'DENY') {
          decision = d
          break
        }
        if (d === 'ALLOW') decision = d
      }
      if (decision === 'ALLOW') return 'INVALIDATE'
    }
    if (strategy === 'FAIL_WITH_403') throw INVALIDATION_DENIED
    return strategy === 'SUCCEED_WITH_RESPONSE_HEADER' ? 'WARN' : 'IGNORE'
  }
}

const WARN_ONLY: CacheMiss = { warn: true, fill: null }

function cacheable(entry: CachedResponse): boolean {
  if (entry.body.length > MAX_CACHED_RESPONSE_BYTES) return false
  for (const name of Object.keys(entry.headers)) if (name.toLowerCase() === 'set-cookie') return false
  return true
}

export const cache: PipelineStage = {
  name: 'cache',
  build(input): Handler | null {
    const { api, stage, route } = input
    const stageCache = stage.cache
    const cfg = routeCache(stage, route)
    if (stageCache === undefined || cfg === undefined) return null
    const space = cacheSpace(api.id, stage.name, stageCache.flushToken)
    const capacity = stageCache.capacityBytes
    const ttlMs = cfg.ttlSeconds * 1000
    const codec = new CacheCodec(stageCache.encryptionKey)
    const keyOf = cacheKeyBuilder(route, stage.name, input.cacheRevision ?? '')
    const invalidation = invalidationOf(input, cfg)
    const rest = api.protocol === 'REST'
    // CacheHitCount / CacheMissCount go to the route's request metrics series.
    const labels = routeSeriesLabels(api, stage, route, input.canary ? 'canary' : 'stage')
    let counter: CacheCounter | null = null

    function serve(ctx: RequestContext, entry: CachedResponse, warn: boolean): void {
      counter!.hits++
      if (!warn && ctx.corsHeaders === null && entry instanceof PreparedResponse && (ctx.bodyConsumed || !unreadChunkedBody(ctx.req))) {
        entry.write(ctx, rest)
        return
      }
      ctx.status = entry.status
      ctx.responseHeaders = { ...entry.headers }
      ctx.responseBody = entry.body
      ctx.cache = warn ? WARN_ONLY : null
      writeMethodResponse(ctx, rest)
    }

    /** Becomes the request that fetches this key: respond records its response. */
    function lead(ctx: RequestContext, key: string, warn: boolean): void {
      counter!.misses++
      const settle = ctx.services.cache.lead(space, key)
      ctx.res.once('close', () => settle(null))
      ctx.cache = {
        warn,
        fill: (entry) => {
          if (!cacheable(entry)) return settle(null)
          settle(new PreparedResponse(entry))
          ctx.services.cache.put(space, key, entry, codec, ttlMs, capacity)
        },
      }
    }

    /** After a miss in the store: wait for the same key's miss in flight, or lead. */
    function missed(ctx: RequestContext, key: string, warn: boolean): Promise<void> | undefined {
      const pending = ctx.services.cache.pending(space, key)
      if (pending === undefined) {
        lead(ctx, key, warn)
        return undefined
      }
      return pending.then((entry) => {
        if (entry !== null) serve(ctx, entry, warn)
        else lead(ctx, key, warn)
      })
    }

    /** A store in this process answers at once: a hit is served without a promise. */
    function lookupNow(ctx: RequestContext, key: string, warn: boolean): Promise<void> | undefined {
      const stored = ctx.services.cache.getNow(space, key, codec)
      if (stored === null) return missed(ctx, key, warn)
      serve(ctx, stored, warn)
      return undefined
    }

    async function lookup(ctx: RequestContext, key: string, warn: boolean): Promise<void> {
      const stored = await ctx.services.cache.get(space, key, codec)
      if (stored !== null) return serve(ctx, stored, warn)
      return missed(ctx, key, warn)
    }

    async function invalidate(ctx: RequestContext, key: string): Promise<void> {
      await ctx.services.cache.invalidate(space, key)
      lead(ctx, key, false)
    }

    return (ctx) => {
      const responses = ctx.services.cache
      if (counter === null) counter = responses.counters.of(labels)
      const key = keyOf(ctx)
      let warn = false
      const cacheControl = ctx.req.headers['cache-control']
      if (cacheControl !== undefined && asksToInvalidate(ctx.header('cache-control'))) {
        const decision = invalidation(ctx)
        if (decision === 'INVALIDATE') return invalidate(ctx, key)
        warn = decision === 'WARN'
      }
      return responses.synchronous ? lookupNow(ctx, key, warn) : lookup(ctx, key, warn)
    }
  },
}
