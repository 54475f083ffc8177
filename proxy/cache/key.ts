// The cache key of a request: method + resource path + stage + revision (a canary's revision
// unless useStageCache; '' otherwise) + the values of the route's cacheKeyParameters + who is
// calling. The parts are JSON-encoded as one array (no delimiter a value could forge: "a|b"
// and ["a","b"] are different keys; an absent parameter, null, differs from an empty one) and
// hashed with SHA-256, so keys hold no parameter values, API keys or tokens in clear.
//
// HOT PATH — runs for every request of a cached route, hits included.
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

/**
 * JSON of one part, as it appears in the key's array (undefined like null, as in an array):
 * JSON.stringify's output, quoted directly when nothing in the value needs escaping (quote,
 * backslash, control characters, surrogates: JSON.stringify escapes lone ones).
 */
function json(value: string | null | undefined): string {
  if (value == null) return 'null'
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(value)
  }
  return `"${value}"`
}

// Digests of key texts seen lately, per route: a repeated request costs one Map lookup instead
// of a SHA-256 call. Texts longer than this are hashed every time (they are rare and would make
// the memo large); a memo is dropped whole when full (a churn of distinct keys just hashes).
// Anonymous requests (no API key, authorizer or IAM caller) on a route with one key parameter,
// the common case, are looked up by that parameter's value alone (per method), without
// building the text.
const MEMO_TEXT_MAX = 512
const MEMO_ENTRIES = 1024

function remember<K>(memo: Map<K, string>, key: K, digest: string): void {
  if (memo.size >= MEMO_ENTRIES) memo.clear()
  memo.set(key, digest)
}

/**
 * Built once per route and stage; `revision`: the canary's revision when it keeps its own
 * entries, else ''. The text hashed is exactly `JSON.stringify([method, path, stage, revision,
 * ...parameters, apiKeyId, [principalId, context] | null, userArn | null])`, built by
 * concatenation from a precomputed middle part (the same keys as before: entries on a shared
 * Redis stay valid across versions).
 */
export function cacheKeyBuilder(route: RouteConfig, stageName: string, revision = ''): CacheKeyOf {
  const params = (route.integration.cacheKeyParameters ?? []).map(parameterPart)
  const fixed = `,${JSON.stringify(route.path)},${JSON.stringify(stageName)},${JSON.stringify(revision)}`
  const memo = new Map<string, string>()
  const single = params.length === 1 ? params[0]! : null
  /** Anonymous requests of the current method by their one parameter's value. */
  const byValue = new Map<string | null, string>()
  let method = ''
  let methodJson = ''

  /** The digest of the request's text; `value`: the one parameter's value, already read (routes with one). */
  function digestOf(ctx: RequestContext, value: string | null): string {
    let text = `[${methodJson}${fixed}`
    if (single !== null) text += `,${json(value)}`
    else for (const part of params) text += `,${json(part(ctx))}`
    const authorizer = ctx.authorizer
    text += `,${json(ctx.apiKeyId)},${authorizer === null ? 'null' : JSON.stringify([authorizer.principalId, authorizer.context])},${json(ctx.identity === null ? null : ctx.identity.userArn)}]`
    if (text.length > MEMO_TEXT_MAX) return hash('sha256', text, 'hex')
    let digest = memo.get(text)
    if (digest === undefined) remember(memo, text, (digest = hash('sha256', text, 'hex')))
    return digest
  }

  return (ctx) => {
    if (ctx.method !== method) {
      method = ctx.method
      methodJson = json(method)
      byValue.clear()
    }
    if (single === null) return digestOf(ctx, null)
    const value = single(ctx)
    if (ctx.apiKeyId !== null || ctx.authorizer !== null || ctx.identity !== null) return digestOf(ctx, value)
    let digest = byValue.get(value)
    if (digest === undefined) {
      digest = digestOf(ctx, value)
      if (value === null || value.length <= MEMO_TEXT_MAX) remember(byValue, value, digest)
    }
    return digest
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
