// CacheHitCount / CacheMissCount (tollgate_cache_hits_total, tollgate_cache_misses_total), kept
// for the gateway's life (across configs): the only count of cache hits and misses there is.
// Series are labelled like the request metrics (telemetry/metrics-labels.ts: api, stage, and
// method and resource when the route has detailed metrics), so hits and misses divide by Count
// series by series. `rows()` for code, `prometheus()` for /metrics.
// A hit is a response served without calling the backend (from the store, or from a concurrent
// miss it was coalesced with); a miss is a call to the backend on a cached route.

export interface CacheCounter {
  hits: number
  misses: number
}

export interface CacheCounterRow extends CacheCounter {
  /** `api="…",stage="…",method="…",resource="…"` */
  readonly labels: string
}

export class CacheCounters {
  private readonly bySeries = new Map<string, CacheCounterRow>()

  /** The counter of one series (prebuilt `labels`); the same object every time (handlers keep it). */
  of(labels: string): CacheCounter {
    let row = this.bySeries.get(labels)
    if (row === undefined) {
      row = { labels, hits: 0, misses: 0 }
      this.bySeries.set(labels, row)
    }
    return row
  }

  rows(): CacheCounterRow[] {
    return [...this.bySeries.values()].map((r) => ({ ...r }))
  }

  prometheus(): string {
    const rows = [...this.bySeries.values()]
    const lines = [
      '# HELP tollgate_cache_hits_total CacheHitCount: requests served from the response cache.',
      '# TYPE tollgate_cache_hits_total counter',
      ...rows.map((r) => `tollgate_cache_hits_total{${r.labels}} ${r.hits}`),
      '# HELP tollgate_cache_misses_total CacheMissCount: requests on cached routes served from the backend.',
      '# TYPE tollgate_cache_misses_total counter',
      ...rows.map((r) => `tollgate_cache_misses_total{${r.labels}} ${r.misses}`),
    ]
    return `${lines.join('\n')}\n`
  }
}
