// The signing keys of JWT issuers: JSON Web Key Sets fetched over HTTP (undici) and cached per
// URL for the life of the gateway process (one store per gateway, kept across config reloads),
// and OpenID Connect discovery ({issuer}/.well-known/openid-configuration → jwks_uri), cached
// the same way. Only URLs derived from the configuration are ever fetched: the verifier checks a
// token's `iss` against the configured issuers before asking for keys.
//
// Rotation: a `kid` the cached set lacks triggers one refetch, at most once per
// `minRefetchIntervalMs` per URL (a flood of made-up kids costs the issuer one request per
// interval); a set older than `maxAgeMs` is refetched in the background on next use, so removed
// keys stop verifying once that refetch is in.
// Failure is closed: a set that could never be fetched verifies nothing (the token is refused);
// a set fetched before keeps verifying with the keys the issuer served while a refresh fails
// (stale-if-error), and a failed fetch is retried no sooner than `failureBackoffMs` later.
import { importJWK, type CryptoKey, type JWK } from 'jose'
import { request, type Dispatcher } from 'undici'
import { keyFits } from './algorithms.js'

export interface KeyStoreOptions {
  /** Whole-request timeout of a JWKS or discovery fetch (default 5000 ms). */
  readonly fetchTimeoutMs?: number
  /** An unknown kid refetches the set at most this often per URL (default 30 s). */
  readonly minRefetchIntervalMs?: number
  /** A set older than this is refetched on next use (default 10 min). */
  readonly maxAgeMs?: number
  /** A failed fetch is not retried sooner than this (default 1 s): requests meanwhile fail fast. */
  readonly failureBackoffMs?: number
  /** Largest JWKS or discovery document accepted (default 512 KiB). */
  readonly maxBytes?: number
  /** undici dispatcher for the fetches (default: undici's global one). */
  readonly dispatcher?: Dispatcher
}

/** Why no key could be found; `description` goes to the client's www-authenticate header. */
export class KeyUnavailable extends Error {
  constructor(readonly description: string) {
    super(description)
    this.name = 'KeyUnavailable'
  }
}

interface Cached<T> {
  value: T | null
  /** Last attempt (success or failure), ms. */
  attemptedAt: number
  /** Last success, ms. */
  okAt: number
  pending: Promise<void> | null
}

interface KeySet extends Cached<readonly JWK[]> {
  /** Imported keys by "kid alg"; cleared when the set is refetched. */
  readonly imported: Map<string, Promise<CryptoKey | Uint8Array>>
}

const NO_KEYS = new KeyUnavailable('signing keys could not be retrieved')
const UNKNOWN_KID = new KeyUnavailable('no signing key matches the token kid')
const UNUSABLE_KEY = new KeyUnavailable('the signing key could not be used')
const NO_DISCOVERY = new KeyUnavailable('the issuer discovery document could not be retrieved')

export class JwtKeyStore {
  private readonly sets = new Map<string, KeySet>()
  private readonly discovery = new Map<string, Cached<string>>()
  private readonly fetchTimeoutMs: number
  private readonly minRefetchIntervalMs: number
  private readonly maxAgeMs: number
  private readonly failureBackoffMs: number
  private readonly maxBytes: number
  private readonly dispatcher: Dispatcher | undefined
  /** How many HTTP fetches were made (tests, metrics). */
  fetches = 0

  constructor(options: KeyStoreOptions = {}) {
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 5000
    this.minRefetchIntervalMs = options.minRefetchIntervalMs ?? 30_000
    this.maxAgeMs = options.maxAgeMs ?? 600_000
    this.failureBackoffMs = options.failureBackoffMs ?? 1000
    this.maxBytes = options.maxBytes ?? 512 * 1024
    this.dispatcher = options.dispatcher
  }

  /** The key of set `uri` with id `kid` that verifies `alg`; throws KeyUnavailable. */
  async key(uri: string, kid: string, alg: string): Promise<CryptoKey | Uint8Array> {
    let set = this.sets.get(uri)
    if (set === undefined) {
      set = { value: null, attemptedAt: -Infinity, okAt: -Infinity, pending: null, imported: new Map() }
      this.sets.set(uri, set)
    }
    const now = Date.now()
    const load = () => this.fetchKeys(uri, set!)
    if (set.value === null) await this.refresh(set, now, load)
    // Stale: refreshed in the background (stale-while-revalidate); the keys in hand answer this one.
    else if (now - set.okAt >= this.maxAgeMs) void this.refresh(set, now, load)
    let jwk = findKey(set.value, kid, alg)
    if (jwk === undefined && set.value !== null && Date.now() - set.attemptedAt >= this.minRefetchIntervalMs) {
      await this.refresh(set, Date.now(), load)
      jwk = findKey(set.value, kid, alg)
    }
    if (set.value === null) throw NO_KEYS
    if (jwk === undefined) throw UNKNOWN_KID
    const id = `${kid} ${alg}`
    let imported = set.imported.get(id)
    if (imported === undefined) {
      // Concurrent callers share one import; a key that cannot be imported is not kept.
      const imports = set.imported
      imported = importJWK(jwk, alg).catch(() => {
        imports.delete(id)
        throw UNUSABLE_KEY
      })
      imports.set(id, imported)
    }
    return imported
  }

  /** The jwks_uri the issuer's OpenID Connect discovery document names; throws KeyUnavailable. */
  async discoveredJwksUri(issuer: string): Promise<string> {
    let entry = this.discovery.get(issuer)
    if (entry === undefined) {
      entry = { value: null, attemptedAt: -Infinity, okAt: -Infinity, pending: null }
      this.discovery.set(issuer, entry)
    }
    if (entry.value === null) {
      const target = entry
      await this.refresh(target, Date.now(), async () => {
        const doc = await this.fetchJson(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`)
        const uri = (doc as { jwks_uri?: unknown } | null)?.jwks_uri
        if (typeof uri !== 'string' || !/^https?:\/\//.test(uri)) throw new Error('no jwks_uri in the discovery document')
        target.value = uri
      })
    }
    if (entry.value === null) throw NO_DISCOVERY
    return entry.value
  }

  /** Runs `load` once for concurrent callers; a failure keeps the old value (stale-if-error). */
  private async refresh(entry: Cached<unknown>, now: number, load: () => Promise<void>): Promise<void> {
    if (entry.pending === null) {
      if (now - entry.attemptedAt < this.failureBackoffMs && entry.attemptedAt > entry.okAt) return
      entry.attemptedAt = now
      entry.pending = load().then(
        () => {
          entry.okAt = Date.now()
          entry.pending = null
        },
        () => {
          entry.pending = null
        },
      )
    }
    await entry.pending
  }

  private async fetchKeys(uri: string, set: KeySet): Promise<void> {
    const doc = await this.fetchJson(uri)
    const keys = (doc as { keys?: unknown } | null)?.keys
    if (!Array.isArray(keys)) throw new Error('not a JSON Web Key Set')
    set.value = keys.filter((k): k is JWK => typeof k === 'object' && k !== null && typeof (k as JWK).kty === 'string')
    set.imported.clear()
  }

  private async fetchJson(url: string): Promise<unknown> {
    this.fetches++
    const res = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.fetchTimeoutMs),
      ...(this.dispatcher !== undefined ? { dispatcher: this.dispatcher } : {}),
    })
    if (res.statusCode !== 200) {
      await res.body.dump()
      throw new Error(`${url} answered ${res.statusCode}`)
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length
      if (size > this.maxBytes) {
        res.body.destroy()
        throw new Error(`${url} is larger than ${this.maxBytes} bytes`)
      }
      chunks.push(chunk as Buffer)
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  }
}

function findKey(keys: readonly JWK[] | null, kid: string, alg: string): JWK | undefined {
  if (keys === null) return undefined
  for (const jwk of keys) if (jwk.kid === kid && keyFits(jwk, alg)) return jwk
  return undefined
}
