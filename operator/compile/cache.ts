// A Stage's response cache: spec.cache, the caching fields of spec.methodSettings, the
// encryption key from a Secret and the declarative flush annotation → StageCacheConfig
// (proxy/config/cache.ts). Which routes cache, with what TTL and invalidation rules, is settled
// here once, so the proxy reads one record per route (docs/caching.md).
//
// Rules (API Gateway's, where it has one):
// - nothing is cached unless spec.cache.enabled;
// - GET routes cache by default; methodSettings['*\/*'].cachingEnabled turns that default off
//   (or on) for GET routes; any other method (ANY included) caches only when its own method
//   setting says cachingEnabled: true;
// - TTL: the route's cacheTtlInSeconds, else '*\/*''s, else spec.cache.ttlSeconds, else 300; 0
//   means not cached;
// - requireAuthorizationForCacheControl defaults to true and the strategy to
//   SUCCEED_WITH_RESPONSE_HEADER, as API Gateway's method settings do;
// - HTTP APIs have no cache (as on AWS).
import { hkdfSync } from 'node:crypto'
import { error, warning, type Problem } from '../../crds/problems.js'
import type { StageSpec } from '../../crds/stage.js'
import {
  DEFAULT_CACHE_CAPACITY_BYTES,
  DEFAULT_CACHE_TTL_SECONDS,
  routeKeyOfMethodKey,
  type RouteCacheConfig,
  type RouteConfig,
  type StageCacheConfig,
} from '../../proxy/config/schema.js'
import type { ApiBuild } from './api.js'
import { childField } from './fields.js'
import type { SecretIndex } from './secrets.js'
import type { Entry } from './types.js'

/** Changing this annotation's value flushes the stage's cache. */
export const CACHE_FLUSH_ANNOTATION = 'tollgate.dev/cache-flush'
export const CACHE_FIELDS = ['cachingEnabled', 'cacheTtlInSeconds', 'cacheDataEncrypted', 'requireAuthorizationForCacheControl', 'unauthorizedCacheControlHeaderStrategy'] as const
const ALL_METHODS = '*/*'
const QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/
const UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }

/** A Kubernetes quantity ("512Mi", "0.5Gi", "1G", "1048576") in bytes; undefined when it is not one. */
export function parseCapacity(text: string): number | undefined {
  const m = QUANTITY.exec(text.trim())
  if (!m) return undefined
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2] ?? '']!)
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined
}

/** The AES-256 key of a stage cache: HKDF-SHA256 of the Secret's value, base64. */
export function cacheEncryptionKey(secretValue: string): string {
  return Buffer.from(hkdfSync('sha256', secretValue, 'tollgate.dev/cache', 'aes-256-gcm', 32)).toString('base64')
}

/** `routes`: the routes of the revisions the stage serves (its own and its canary's). */
export function compileStageCache(
  entry: Entry,
  spec: StageSpec,
  api: ApiBuild | undefined,
  routes: readonly RouteConfig[],
  secrets: SecretIndex,
  problems: Problem[],
): StageCacheConfig | undefined {
  const cache = spec.cache
  const settings = spec.methodSettings ?? {}
  if (cache === undefined || !cache.enabled) {
    for (const key of Object.keys(settings).sort()) {
      if (settings[key]!.cachingEnabled === true) {
        problems.push(warning(`${childField('spec.methodSettings', key)}.cachingEnabled`, 'CacheNotEnabled', 'has no effect: the stage has no cache (spec.cache.enabled)'))
      }
    }
    return undefined
  }
  if (api !== undefined && api.protocol !== 'REST') {
    problems.push(warning('spec.cache', 'CacheNotSupported', `${api.protocol} APIs have no response cache (as on API Gateway); only REST APIs do`))
    return undefined
  }
  let capacityBytes = DEFAULT_CACHE_CAPACITY_BYTES
  if (cache.capacity !== undefined) {
    const parsed = parseCapacity(cache.capacity)
    if (parsed === undefined) problems.push(error('spec.cache.capacity', 'InvalidCacheCapacity', `${JSON.stringify(cache.capacity)} is not a size (e.g. 512Mi, 1Gi, 0.5Gi)`))
    else capacityBytes = parsed
  }
  let encryptionKey: string | undefined
  if (cache.encrypted === true) {
    const ref = cache.keySecretRef
    if (ref === undefined) {
      problems.push(error('spec.cache.keySecretRef', 'FieldRequired', 'an encrypted cache needs keySecretRef: the Secret key holding the encryption key'))
    } else {
      const read = secrets.read(entry.ref.namespace, ref.name, ref.key)
      if (!read.ok) problems.push(error('spec.cache.keySecretRef', read.reason, read.message))
      else if (read.value.length < 16) {
        problems.push(error('spec.cache.keySecretRef', 'InvalidSecret', `Secret ${entry.ref.namespace}/${ref.name}: ${ref.key} is shorter than 16 characters; use 32 random bytes`))
      } else encryptionKey = cacheEncryptionKey(read.value)
    }
  } else if (cache.keySecretRef !== undefined) {
    problems.push(warning('spec.cache.keySecretRef', 'FieldIgnored', 'is ignored: the cache is not encrypted (spec.cache.encrypted)'))
  }

  const all = settings[ALL_METHODS] ?? {}
  const cached: Record<string, RouteCacheConfig> = {}
  for (const route of routes) {
    if (Object.hasOwn(cached, route.key)) continue
    const own = ownSetting(settings, route.key)
    const explicit = own?.cachingEnabled
    const enabled = explicit ?? (route.method === 'GET' ? (all.cachingEnabled ?? true) : false)
    if (!enabled) continue
    const ttlSeconds = own?.cacheTtlInSeconds ?? all.cacheTtlInSeconds ?? cache.ttlSeconds ?? DEFAULT_CACHE_TTL_SECONDS
    if (ttlSeconds === 0) continue
    cached[route.key] = {
      ttlSeconds,
      requireAuthorizationForCacheControl: own?.requireAuthorizationForCacheControl ?? all.requireAuthorizationForCacheControl ?? true,
      unauthorizedCacheControlHeaderStrategy: own?.unauthorizedCacheControlHeaderStrategy ?? all.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER',
    }
  }
  for (const key of Object.keys(settings).sort()) {
    if (settings[key]!.cacheDataEncrypted !== undefined && settings[key]!.cacheDataEncrypted !== (cache.encrypted ?? false)) {
      problems.push(warning(`${childField('spec.methodSettings', key)}.cacheDataEncrypted`, 'FieldIgnored', 'is ignored: encryption is set for the whole stage cache (spec.cache.encrypted)'))
    }
  }
  const annotations = (entry.obj.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations
  const flush = annotations?.[CACHE_FLUSH_ANNOTATION]
  const config: StageCacheConfig = { capacityBytes, routes: cached }
  if (encryptionKey !== undefined) config.encryptionKey = encryptionKey
  if (typeof flush === 'string' && flush !== '') config.flushToken = flush.slice(0, 256)
  return config
}

type Settings = NonNullable<StageSpec['methodSettings']>

function ownSetting(settings: Settings, routeKey: string): Settings[string] | undefined {
  for (const key of Object.keys(settings)) if (key !== ALL_METHODS && routeKeyOfMethodKey(key) === routeKey) return settings[key]
  return undefined
}
