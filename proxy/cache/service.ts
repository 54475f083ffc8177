// The response cache of a gateway (Services.cache): the store, the counters, and the misses in
// flight. Concurrent misses for one key in this process are coalesced: the first (the leader)
// calls the backend, the others wait for its response and are served it; when the leader's
// response is not cached (failed, too large) they go to the backend themselves.
//
// Never fails a request: the store given is a ResilientCacheStore (or memory), and anything it
// still throws is a miss.
//
// Hits come back as PreparedResponses (decoded, ready to write: cache/prepared.ts). On a store
// that answers synchronously (getNow: memory) a lookup is a plain call, and a value stored in
// clear is decoded once: the prepared response is kept with the value (a WeakMap on the Buffer
// the store returns for as long as it holds it). Encrypted values are decrypted on every hit, so
// nothing is held in clear.
import type { ResponseCacheStore } from '../stores/cache.js'
import type { CacheCodec, CachedResponse } from './codec.js'
import { CacheCounters } from './counters.js'
import { PreparedResponse } from './prepared.js'

export type Settle = (entry: CachedResponse | null) => void

export class ResponseCache {
  readonly counters = new CacheCounters()
  private readonly inflight = new Map<string, Promise<CachedResponse | null>>()

  private readonly prepared = new WeakMap<Buffer, PreparedResponse>()
  /** True when the store answers synchronously (getNow). */
  readonly synchronous: boolean

  constructor(readonly store: ResponseCacheStore) {
    this.synchronous = typeof store.getNow === 'function'
  }

  async get(space: string, key: string, codec: CacheCodec): Promise<PreparedResponse | null> {
    const data = await this.store.get(space, key).catch(() => null)
    return data === null ? null : this.prepare(data, space, key, codec)
  }

  /**
   * `get` on a synchronous store (check `synchronous` first), without a promise. A store that
   * throws is a miss.
   */
  getNow(space: string, key: string, codec: CacheCodec): PreparedResponse | null {
    let data: Buffer | null
    try {
      data = this.store.getNow!(space, key)
    } catch {
      return null
    }
    if (data === null) return null
    if (codec.encrypted) return this.prepare(data, space, key, codec)
    let prepared = this.prepared.get(data)
    if (prepared === undefined) {
      const decoded = this.prepare(data, space, key, codec)
      if (decoded === null) return null
      this.prepared.set(data, (prepared = decoded))
    }
    return prepared
  }

  private prepare(data: Buffer, space: string, key: string, codec: CacheCodec): PreparedResponse | null {
    const entry = codec.decode(data, `${space}\u0000${key}`)
    return entry === null ? null : new PreparedResponse(entry)
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
