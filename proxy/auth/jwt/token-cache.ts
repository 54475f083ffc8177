// Verified tokens by their exact string, so a repeated token costs a map lookup instead of a
// signature check. Bounded (least recently used goes first) and each entry ends when its token
// expires. Only successes are kept: a refused token is checked again each time (its key may have
// appeared since), and nothing a caller sends can evict more than one entry per verification.
//
// HOT PATH — change with care: `get` is on every request of a JWT-protected route.
export class TokenCache<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly until: number }>()

  constructor(private readonly capacity: number) {}

  /** The value cached for `token` while `now` (ms) is before its end; refreshes its recency. */
  get(token: string, now: number): T | undefined {
    const entry = this.entries.get(token)
    if (entry === undefined) return undefined
    this.entries.delete(token)
    if (now >= entry.until) return undefined
    this.entries.set(token, entry)
    return entry.value
  }

  /** Caches `value` for `token` until `until` (ms). */
  set(token: string, value: T, until: number): void {
    if (this.capacity <= 0) return
    this.entries.delete(token)
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
    this.entries.set(token, { value, until })
  }

  get size(): number {
    return this.entries.size
  }
}
