// The response cache store: opaque values (proxy/cache/codec.ts encodes and, for encrypted
// stages, encrypts them) under opaque keys (proxy/cache/key.ts: digests), grouped in spaces —
// one per API stage and flush token. Two implementations with one contract
// (test/stores/cache-contract.ts): MemoryCacheStore (one process) and RedisCacheStore (a fleet).
//
// Semantics every store keeps (docs/adr/0013-response-cache.md):
// - expiry is decided by the store's injected clock (`now`), so TTLs are testable;
// - a space holds at most `capacityBytes` (key length + value length per entry): storing beyond
//   it evicts the least recently used entries (a get counts as a use) until the new one fits;
//   a value larger than the whole capacity is not stored;
// - flush(space) drops every entry of the space in O(1): a generation number is part of the
//   key space, and flushing increments it.
export class CacheUnavailableError extends Error {
  readonly code = 'TG_ERR_CACHE_UNAVAILABLE'
  override readonly name = 'CacheUnavailableError'
}

export interface ResponseCacheStore {
  /** The value stored under `key`, or null: never stored, expired, evicted, deleted or flushed. */
  get(space: string, key: string): Promise<Buffer | null>
  /**
   * The same as `get`, answered synchronously, on stores that hold their entries in this process
   * (memory): the cache stage then serves a hit without a promise. Absent on remote stores. A
   * store that has it returns the same Buffer for an entry until it is replaced, so what is
   * derived from a value can be kept with it (cache/service.ts).
   */
  getNow?(space: string, key: string): Buffer | null
  /** Stores `value` for `ttlMs`; false when it was not stored (larger than the capacity). */
  set(space: string, key: string, value: Buffer, ttlMs: number, capacityBytes: number): Promise<boolean>
  delete(space: string, key: string): Promise<void>
  /** Drops every entry of the space. */
  flush(space: string): Promise<void>
  /** Bytes held by the space (entries not yet found expired included). */
  usedBytes(space: string): Promise<number>
  close(): Promise<void>
}
