// The response cache of a gateway (Services.cache): the store, the counters, and the misses in
// flight. Concurrent misses for one key in this process are coalesced: the first (the leader)
// calls the backend, the others wait for its response and are served it; when the leader's
// response is not cached (failed, too large) they go to the backend themselves.
//
// Never fails a request: the store given is a ResilientCacheStore (or memory), and anything it
// still throws is a miss.
import type { ResponseCacheStore } from '../stores/cache.js'
import type { CacheCodec, CachedResponse } from './codec.js'
import { CacheCounters } from './counters.js'

export type Settle = (entry: CachedResponse | null) => void

export class ResponseCache {
  readonly counters = new CacheCounters()
  private readonly inflight = new Map<string, Promise<CachedResponse | null>>()

  constructor(readonly store: ResponseCacheStore) {}

  async get(space: string, key: string, codec: CacheCodec): Promise<CachedResponse | null> {
    const data = await this.store.get(space, key).catch(() => null)
    return data === null ? null : codec.decode(data, `${space}\u0000${key}`)
  }

  /** The response of a miss in flight for this key, if there is one. */
  pending(space: string, key: string): Promise<CachedResponse | null> | undefined {
    return this.inflight.get(`${space}\u0000${key}`)
  }

  /** Registers a miss in flight; the returned function settles it (once; later calls do nothing). */
  lead(space: string, key: string): Settle {
    const id = `${space}\u0000${key}`
    let resolve!: Settle
    const promise = new Promise<CachedResponse | null>((r) => (resolve = r))
    this.inflight.set(id, promise)
    let settled = false
    return (entry) => {
      if (settled) return
      settled = true
      if (this.inflight.get(id) === promise) this.inflight.delete(id)
      resolve(entry)
    }
  }

  /** Stores an entry in the background. */
  put(space: string, key: string, entry: CachedResponse, codec: CacheCodec, ttlMs: number, capacityBytes: number): void {
    const data = codec.encode(entry, `${space}\u0000${key}`)
    this.store.set(space, key, data, ttlMs, capacityBytes).catch(() => false)
  }

  invalidate(space: string, key: string): Promise<void> {
    return this.store.delete(space, key).catch(() => undefined)
  }
}
