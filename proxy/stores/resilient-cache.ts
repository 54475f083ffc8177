// ResilientCacheStore: the failure policy of the response cache. The cache is an optimisation,
// so a store that cannot be reached is bypassed, never a failed request: a failed call answers
// "not cached" (get → null, set → false, delete → nothing), marks the store down, and for
// `retryMs` nothing more is sent to it (no request waits on a dead Redis twice in a row); then
// the next call tries again. Each call is also bounded by `timeoutMs` on top of the client's
// command timeout. flush() is an operator's command and reports the failure instead.
import { CacheUnavailableError, type ResponseCacheStore } from './cache.js'

export interface CacheStoreState {
  readonly up: boolean
  /** Calls answered without the store because it was down or failed. */
  readonly bypassed: number
  /** Times the store was marked down. */
  readonly outages: number
}

export interface ResilientCacheStoreOptions {
  /** How long a failed store is left alone (default 1000 ms). */
  readonly retryMs?: number
  /** Bound of one call (default 250 ms). */
  readonly timeoutMs?: number
  readonly now?: () => number
  readonly log?: (line: string) => void
}

export class ResilientCacheStore implements ResponseCacheStore {
  private downUntil = 0
  private bypassed = 0
  private outages = 0
  private readonly retryMs: number
  private readonly timeoutMs: number
  private readonly now: () => number
  private readonly log: (line: string) => void

  constructor(
    private readonly primary: ResponseCacheStore,
    opts: ResilientCacheStoreOptions = {},
  ) {
    this.retryMs = opts.retryMs ?? 1000
    this.timeoutMs = opts.timeoutMs ?? 250
    this.now = opts.now ?? Date.now
    this.log = opts.log ?? (() => {})
  }

  state(): CacheStoreState {
    return { up: this.now() >= this.downUntil, bypassed: this.bypassed, outages: this.outages }
  }

  private async guard<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    if (this.now() < this.downUntil) {
      this.bypassed++
      return fallback
    }
    let timer: NodeJS.Timeout | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CacheUnavailableError(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs)
      })
      return await Promise.race([call(), timeout])
    } catch (err) {
      this.bypassed++
      if (this.now() >= this.downUntil) {
        this.outages++
        this.log(`response cache store unavailable, bypassing it for ${this.retryMs} ms: ${(err as Error).message}`)
      }
      this.downUntil = this.now() + this.retryMs
      return fallback
    } finally {
      clearTimeout(timer)
    }
  }

  get(space: string, key: string): Promise<Buffer | null> {
    return this.guard(() => this.primary.get(space, key), null)
  }

  set(space: string, key: string, value: Buffer, ttlMs: number, capacityBytes: number): Promise<boolean> {
    return this.guard(() => this.primary.set(space, key, value, ttlMs, capacityBytes), false)
  }

  delete(space: string, key: string): Promise<void> {
    return this.guard(() => this.primary.delete(space, key), undefined)
  }

  flush(space: string): Promise<void> {
    return this.primary.flush(space)
  }

  usedBytes(space: string): Promise<number> {
    return this.primary.usedBytes(space)
  }

  close(): Promise<void> {
    return this.primary.close()
  }
}
