// MemoryCacheStore: the response cache of one process. Per space a Map in least-recently-used
// order (a get moves the entry to the end), a byte count, and expiry on the injected clock.
// Flushing replaces the space's map (O(1)); the old one is left to the garbage collector.
import type { ResponseCacheStore } from './cache.js'

interface Entry {
  readonly value: Buffer
  readonly expiresAt: number
  readonly size: number
}

interface Space {
  entries: Map<string, Entry>
  used: number
  /** The key last moved to the end of `entries` (set or used), or null: repeated hits on one key move nothing. */
  last: string | null
}

export interface MemoryCacheStoreOptions {
  readonly now?: () => number
}

export class MemoryCacheStore implements ResponseCacheStore {
  private readonly spaces = new Map<string, Space>()
  private readonly now: () => number

  constructor(opts: MemoryCacheStoreOptions = {}) {
    this.now = opts.now ?? Date.now
  }

  private space(name: string): Space {
    let space = this.spaces.get(name)
    if (space === undefined) {
      space = { entries: new Map(), used: 0, last: null }
      this.spaces.set(name, space)
    }
    return space
  }

  private remove(space: Space, key: string, entry: Entry): void {
    space.entries.delete(key)
    space.used -= entry.size
    if (space.last === key) space.last = null
  }

  get(name: string, key: string): Promise<Buffer | null> {
    return Promise.resolve(this.getNow(name, key))
  }

  getNow(name: string, key: string): Buffer | null {
    const space = this.spaces.get(name)
    if (space === undefined) return null
    const entries = space.entries
    const entry = entries.get(key)
    if (entry === undefined) return null
    if (this.now() >= entry.expiresAt) {
      this.remove(space, key, entry)
      return null
    }
    // Least recently used first: a use moves the entry to the end (unless it is there already).
    if (space.last !== key) {
      entries.delete(key)
      entries.set(key, entry)
      space.last = key
    }
    return entry.value
  }

  set(name: string, key: string, value: Buffer, ttlMs: number, capacityBytes: number): Promise<boolean> {
    const size = key.length + value.length
    if (size > capacityBytes) return Promise.resolve(false)
    const space = this.space(name)
    const old = space.entries.get(key)
    if (old !== undefined) this.remove(space, key, old)
    const now = this.now()
    // Expired entries go first, then the least recently used.
    if (space.used + size > capacityBytes) {
      for (const [k, e] of space.entries) if (now >= e.expiresAt) this.remove(space, k, e)
    }
    for (const [k, e] of space.entries) {
      if (space.used + size <= capacityBytes) break
      this.remove(space, k, e)
    }
    space.entries.set(key, { value, expiresAt: now + ttlMs, size })
    space.used += size
    space.last = key
    return Promise.resolve(true)
  }

  delete(name: string, key: string): Promise<void> {
    const space = this.spaces.get(name)
    const entry = space?.entries.get(key)
    if (space !== undefined && entry !== undefined) this.remove(space, key, entry)
    return Promise.resolve()
  }

  flush(name: string): Promise<void> {
    this.spaces.delete(name)
    return Promise.resolve()
  }

  usedBytes(name: string): Promise<number> {
    return Promise.resolve(this.spaces.get(name)?.used ?? 0)
  }

  close(): Promise<void> {
    this.spaces.clear()
    return Promise.resolve()
  }
}
