// Upstream connection pools, one undici Pool per origin, shared by every config that calls
// the origin. A runtime acquires its origins when it is applied and releases them once it is
// retired and its last in-flight request has finished; a pool is closed when no runtime holds
// it any more (never under a request still using it).
import { Pool } from 'undici'

export interface PoolOptions {
  /** Connections per origin (the bound on concurrent upstream requests to one origin). */
  readonly connections: number
  readonly keepAliveTimeoutMs: number
  readonly connectTimeoutMs: number
}

export const DEFAULT_POOL_OPTIONS: PoolOptions = { connections: 256, keepAliveTimeoutMs: 4_000, connectTimeoutMs: 10_000 }

interface Entry {
  readonly pool: Pool
  refs: number
}

export class UpstreamPools {
  private readonly entries = new Map<string, Entry>()
  constructor(private readonly options: PoolOptions = DEFAULT_POOL_OPTIONS) {}

  acquire(origins: Iterable<string>): void {
    for (const origin of origins) {
      const entry = this.entries.get(origin)
      if (entry !== undefined) entry.refs++
      else {
        const pool = new Pool(origin, {
          connections: this.options.connections,
          keepAliveTimeout: this.options.keepAliveTimeoutMs,
          connect: { timeout: this.options.connectTimeoutMs },
          // Timeouts are the integration's (upstream.ts); undici's own are disabled.
          headersTimeout: 0,
          bodyTimeout: 0,
        })
        this.entries.set(origin, { pool, refs: 1 })
      }
    }
  }

  release(origins: Iterable<string>): void {
    for (const origin of origins) {
      const entry = this.entries.get(origin)
      if (entry === undefined) continue
      if (--entry.refs === 0) {
        this.entries.delete(origin)
        void entry.pool.close().catch(() => entry.pool.destroy())
      }
    }
  }

  /** The pool of an origin the current runtime holds. */
  get(origin: string): Pool {
    const entry = this.entries.get(origin)
    if (entry === undefined) throw new Error(`no upstream pool for ${origin}`)
    return entry.pool
  }

  has(origin: string): boolean {
    return this.entries.has(origin)
  }

  get size(): number {
    return this.entries.size
  }

  async closeAll(): Promise<void> {
    const pools = [...this.entries.values()].map((e) => e.pool)
    this.entries.clear()
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())))
  }
}
