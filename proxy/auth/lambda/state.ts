// The per-process state of Lambda authorizers, shared by every config the gateway serves (a new
// config keeps the cache: entries are scoped by the authorizer's settings, so a changed
// authorizer never reads the old one's results): the result cache, the call timeout, and the
// counters /metrics exposes. Created once per gateway (gateway.ts) and reached through
// ctx.services.
import { AuthorizerCache, DEFAULT_CACHE_ENTRIES } from './cache.js'
import { DEFAULT_INVOKE_TIMEOUT_MS } from './invoke.js'

export interface LambdaAuthorizerOptions {
  /** How long a function may take (default 10 s, as API Gateway). */
  readonly timeoutMs?: number
  /** Cached results held at most (default 10 000). */
  readonly cacheEntries?: number
}

export type CallOutcome = 'allow' | 'deny' | 'unauthorized' | 'error'

/** Counters of one authorizer ("namespace/name"). */
export interface AuthorizerCounters {
  readonly calls: Record<CallOutcome, number>
  cacheHits: number
  cacheMisses: number
  /** Requests refused with 401 without a call (identity source missing or not validated). */
  refused: number
}

export class LambdaAuthorizerState {
  readonly cache: AuthorizerCache
  readonly timeoutMs: number
  private readonly counters = new Map<string, AuthorizerCounters>()

  constructor(options: LambdaAuthorizerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS
    this.cache = new AuthorizerCache(options.cacheEntries ?? DEFAULT_CACHE_ENTRIES)
  }

  /** The counters of an authorizer (made at config load, so requests only increment). */
  countersOf(name: string): AuthorizerCounters {
    let c = this.counters.get(name)
    if (c === undefined) {
      c = { calls: { allow: 0, deny: 0, unauthorized: 0, error: 0 }, cacheHits: 0, cacheMisses: 0, refused: 0 }
      this.counters.set(name, c)
    }
    return c
  }

  /** Prometheus text: function calls by outcome, cache hits and misses, refusals without a call. */
  metrics(): string {
    const lines: string[] = []
    const metric = (name: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`)
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
    }
    const entries = [...this.counters.entries()].sort(([a], [b]) => a.localeCompare(b))
    const label = (name: string) => `authorizer="${name.replace(/["\\\n]/g, '_')}"`
    metric(
      'tollgate_authorizer_calls_total',
      'Lambda authorizer function calls by outcome (allow/deny: the decision for the request that made the call).',
      entries.flatMap(([name, c]) => (Object.keys(c.calls) as CallOutcome[]).map((o): [string, number] => [`{${label(name)},outcome="${o}"}`, c.calls[o]])),
    )
    metric('tollgate_authorizer_cache_hits_total', 'Lambda authorizer results served from the cache (no call).', entries.map(([n, c]) => [`{${label(n)}}`, c.cacheHits]))
    metric('tollgate_authorizer_cache_misses_total', 'Lambda authorizer cache lookups that found nothing (a call followed).', entries.map(([n, c]) => [`{${label(n)}}`, c.cacheMisses]))
    metric('tollgate_authorizer_refused_total', 'Requests refused with 401 without calling the function (identity source missing, empty or not validated).', entries.map(([n, c]) => [`{${label(n)}}`, c.refused]))
    return `${lines.join('\n')}\n`
  }
}
