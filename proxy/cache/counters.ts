// CacheHitCount / CacheMissCount per API, stage and route, kept for the gateway's life (across
// configs) for the observability exporters: `rows()` for code, `prometheus()` for /metrics.
// A hit is a response served without calling the backend (from the store, or from a concurrent
// miss it was coalesced with); a miss is a call to the backend on a cached route.

export interface CacheCounter {
  hits: number
  misses: number
}

export interface CacheCounterRow extends CacheCounter {
  readonly api: string
  readonly stage: string
  /** Route key, e.g. "GET /pets/{petId}": the resource label. */
  readonly resource: string
}

export class CacheCounters {
  private readonly byRoute = new Map<string, CacheCounterRow>()

  /** The counter of one route; the same object every time (handlers keep it). */
  of(api: string, stage: string, resource: string): CacheCounter {
    const id = `${api}\u0000${stage}\u0000${resource}`
    let row = this.byRoute.get(id)
    if (row === undefined) {
      row = { api, stage, resource, hits: 0, misses: 0 }
      this.byRoute.set(id, row)
    }
    return row
  }

  rows(): CacheCounterRow[] {
    return [...this.byRoute.values()].map((r) => ({ ...r }))
  }

  prometheus(): string {
    const lines = [
      '# HELP tollgate_cache_hit_count_total CacheHitCount: requests served from the response cache.',
      '# TYPE tollgate_cache_hit_count_total counter',
    ]
    const misses = [
      '# HELP tollgate_cache_miss_count_total CacheMissCount: requests on cached routes served from the backend.',
      '# TYPE tollgate_cache_miss_count_total counter',
    ]
    for (const r of this.byRoute.values()) {
      const labels = `{api="${esc(r.api)}",stage="${esc(r.stage)}",resource="${esc(r.resource)}"}`
      lines.push(`tollgate_cache_hit_count_total${labels} ${r.hits}`)
      misses.push(`tollgate_cache_miss_count_total${labels} ${r.misses}`)
    }
    return `${[...lines, ...misses].join('\n')}\n`
  }
}

function esc(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}
