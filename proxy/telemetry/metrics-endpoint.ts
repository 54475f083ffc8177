// /metrics of a proxy (`tollgate proxy`) and of standalone mode (`tollgate run`): every series
// of docs/metrics.md in one Prometheus text exposition (format 0.0.4), composed at scrape time.
// Nothing here runs per request: the request path only adds to numbers (metrics-requests.ts,
// metrics-counters.ts, cache/counters.ts); this reads them.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Gateway } from '../gateway.js'
import type { ResponseCacheStore } from '../stores/cache.js'
import { ResilientCacheStore } from '../stores/resilient-cache.js'
import { ProcessMetrics } from './metrics-process.js'
import { RequestMetrics } from './metrics-requests.js'

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export interface MetricsSources {
  readonly gateway: Gateway
  /** The metering metrics (proxy/metering/metrics.ts: decisions, Redis up, fail-mode fallbacks); absent: none. */
  readonly metering?: () => string
  /** The response cache store: behind ResilientCacheStore (Redis), its state is exported. */
  readonly cacheStore?: ResponseCacheStore
}

/**
 * The metrics of one proxy process. Made before the gateway: `requests` is one of the gateway's
 * observers (createGateway({ observers: [metrics.requests] })); then `attach` the gateway.
 */
export class ProxyMetrics {
  readonly requests = new RequestMetrics()
  readonly process = new ProcessMetrics()
  private sources: MetricsSources | null = null

  attach(sources: MetricsSources): void {
    this.sources = sources
    this.process.track(sources.gateway.server)
    this.process.track(sources.gateway.privateServer)
  }

  /** The whole exposition. */
  async text(): Promise<string> {
    const lines: string[] = []
    const s = this.sources
    this.requests.render(lines)
    if (s !== null) {
      s.gateway.counters.render(lines)
      const store = s.cacheStore
      if (store instanceof ResilientCacheStore) {
        const state = store.state()
        lines.push(
          '# HELP tollgate_cache_store_up 1 while the response cache store (Redis) answers, 0 while it is bypassed.',
          '# TYPE tollgate_cache_store_up gauge',
          `tollgate_cache_store_up ${state.up ? 1 : 0}`,
          '# HELP tollgate_cache_store_bypassed_total Cache calls answered without the store because it was down (served as misses).',
          '# TYPE tollgate_cache_store_bypassed_total counter',
          `tollgate_cache_store_bypassed_total ${state.bypassed}`,
          '# HELP tollgate_cache_store_outages_total Times the response cache store was found down.',
          '# TYPE tollgate_cache_store_outages_total counter',
          `tollgate_cache_store_outages_total ${state.outages}`,
        )
      }
      this.process.render(s.gateway.config?.hash, s.gateway.configHistory, lines)
    }
    const parts = [`${lines.join('\n')}\n`]
    if (s !== null) {
      parts.push(s.gateway.cache.counters.prometheus(), s.gateway.authorizerMetrics())
      if (s.metering !== undefined) parts.push(s.metering())
    }
    parts.push(await this.process.registry.metrics())
    return parts.join('')
  }
}

/** GET /metrics on an admin listener; false for any other path. */
export function metricsRoute(metrics: ProxyMetrics): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return false
    metrics.text().then(
      (body) => {
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
        res.end(body)
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(`metrics failed: ${(err as Error).message}\n`)
      },
    )
    return true
  }
}
