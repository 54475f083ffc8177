// The response cache part of the GatewayConfig contract (docs/caching.md). Compiled from a
// Stage's `cache` and `methodSettings` and a Secret (the encryption key) by
// operator/compile/cache.ts; enforced by the proxy's cache stage (proxy/pipeline/cache.ts)
// through a ResponseCache (proxy/stores/cache.ts).
//
// Every field is optional on existing nodes, absent meaning "no cache", so configs written
// before caching existed validate and mean what they meant.
import { Type, type Static } from '@sinclair/typebox'

/** What an unauthorized `Cache-Control: max-age=0` gets (API Gateway's three strategies). */
export const UnauthorizedCacheControlStrategy = Type.Union([
  /** Refuse the request: 403. */
  Type.Literal('FAIL_WITH_403'),
  /** Ignore the header, serve the request, add a warning header to the response. */
  Type.Literal('SUCCEED_WITH_RESPONSE_HEADER'),
  /** Ignore the header, serve the request, say nothing. */
  Type.Literal('SUCCEED_WITHOUT_RESPONSE_HEADER'),
])
export type UnauthorizedCacheControlStrategy = Static<typeof UnauthorizedCacheControlStrategy>

/** The effective cache settings of one cached route (stage cache + methodSettings '*\/*' + the route's own). */
export const RouteCacheConfig = Type.Object({
  /** Time to live of an entry in seconds (1..3600; a TTL of 0 means the route is not cached and is not listed). */
  ttlSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** Only callers allowed execute-api:InvalidateCache (IAM policies) may invalidate with Cache-Control: max-age=0. */
  requireAuthorizationForCacheControl: Type.Boolean(),
  /** What the other callers get when `requireAuthorizationForCacheControl` is set. */
  unauthorizedCacheControlHeaderStrategy: UnauthorizedCacheControlStrategy,
})
export type RouteCacheConfig = Static<typeof RouteCacheConfig>

/** The response cache of a stage. */
export const StageCacheConfig = Type.Object({
  /** Bytes the stage's entries may take in the store (keys and values); least recently used entries are evicted beyond it. */
  capacityBytes: Type.Integer({ minimum: 1 }),
  /**
   * AES-256-GCM key (base64 of 32 bytes) derived from the Secret named by the Stage's
   * cache.keySecretRef (HKDF-SHA256). Absent: entries are stored in clear. Secret material:
   * never logged, never in a status.
   */
  encryptionKey: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' })),
  /**
   * The Stage's tollgate.dev/cache-flush annotation: part of the stage's key space, so a new
   * value leaves every entry behind (a declarative flush). Absent: ''.
   */
  flushToken: Type.Optional(Type.String({ maxLength: 256 })),
  /** Cached routes by route key ("GET /pets/{petId}"); a route not listed is not cached. */
  routes: Type.Record(Type.String(), RouteCacheConfig),
})
export type StageCacheConfig = Static<typeof StageCacheConfig>

/** The largest method response that is cached (API Gateway: 1048576 bytes). */
export const MAX_CACHED_RESPONSE_BYTES = 1_048_576
/** API Gateway's default TTL. */
export const DEFAULT_CACHE_TTL_SECONDS = 300
/** Default capacity: API Gateway's smallest cache cluster, 0.5 GB. */
export const DEFAULT_CACHE_CAPACITY_BYTES = 512 * 1024 * 1024
