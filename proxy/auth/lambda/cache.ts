// The result cache of Lambda authorizers: what a function answered, per authorizer and identity,
// for the authorizer's resultTtlSeconds. One per proxy process, in memory, bounded (least
// recently used entries go first).
//
// What is cached is the function's parsed output (its policy, context, principal and key), never
// a decision: a cached policy is evaluated against each request's methodArn, as API Gateway does.
// Keys are SHA-256 digests of the authorizer's scope (api, stage, authorizer and its settings)
// and the identity values, so two identities never share an entry and no token is held as a key.
import type { AuthorizerOutput } from './output.js'

interface Entry {
  readonly output: AuthorizerOutput
  readonly expiresAt: number
}

export const DEFAULT_CACHE_ENTRIES = 10_000

export class AuthorizerCache {
  private readonly entries = new Map<string, Entry>()
  /** Calls in flight per key: concurrent misses for one identity share one function call. */
  readonly inflight = new Map<string, Promise<AuthorizerOutput>>()

  constructor(readonly maxEntries: number = DEFAULT_CACHE_ENTRIES) {}

  get(key: string, now: number): AuthorizerOutput | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    if (entry.expiresAt <= now) return undefined
    this.entries.set(key, entry) // most recently used last
    return entry.output
  }

  set(key: string, output: AuthorizerOutput, expiresAt: number): void {
    this.entries.delete(key)
    this.entries.set(key, { output, expiresAt })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
  }

  get size(): number {
    return this.entries.size
  }

  clear(): void {
    this.entries.clear()
  }
}
