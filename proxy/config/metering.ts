// The metering part of the GatewayConfig contract: API keys (as hashes), usage plans, and the
// throttle settings of stages and of the account. Compiled from ApiKey, UsagePlan, Stage and
// Secret resources by operator/compile (apikeys.ts, usageplans.ts, stage.ts); enforced by the
// proxy's meter stage (proxy/pipeline/meter.ts) through a Meter (proxy/stores/).
//
// Every field added here to an existing node (StageConfig, ApiConfig, GatewayConfig) is
// optional, so a config written before metering existed still validates and means what it
// meant: no keys, no plans, no stage throttles, the account default.
//
// Ids: an ApiKey is identified by "namespace/name" of its resource, a usage plan likewise.
// These ids name the Redis keys of buckets and quotas (docs/adr/0004-metering-domains.md) and
// the items of usage reports; renaming a resource starts its counters afresh.
import { Type, type Static } from '@sinclair/typebox'

const Source = Type.Object({ kind: Type.String(), namespace: Type.String(), name: Type.String() })

/** A token bucket: `rateLimit` requests per second refill a bucket of `burstLimit` requests. */
export const ThrottleConfig = Type.Object({
  /** Steady-state requests per second; may be fractional (0.5 = one request every 2 s). 0 admits nothing. */
  rateLimit: Type.Number({ minimum: 0 }),
  /** Capacity of the bucket: how many requests a full bucket admits at once. 0 admits nothing. */
  burstLimit: Type.Integer({ minimum: 0 }),
})
export type ThrottleConfig = Static<typeof ThrottleConfig>

/** API Gateway's account-level default, used when the config names none. */
export const DEFAULT_ACCOUNT_THROTTLE: ThrottleConfig = Object.freeze({ rateLimit: 10_000, burstLimit: 5_000 })

/** Where a REST API takes API keys from (Api spec.apiKeySource). */
export const ApiKeySource = Type.Union([
  /** The `x-api-key` request header. */
  Type.Literal('HEADER'),
  /** The `usageIdentifierKey` a Lambda authorizer returns (filled in by the authorize stage). */
  Type.Literal('AUTHORIZER'),
])
export type ApiKeySource = Static<typeof ApiKeySource>

/** What the meter does when the shared store (Redis) cannot be reached (Stage spec.meteringFailureMode). */
export const MeteringFailureMode = Type.Union([
  /** Decide with local per-proxy buckets and quotas until Redis is back (default). */
  Type.Literal('OPEN'),
  /** Answer 503 (METERING_UNAVAILABLE) until Redis is back. */
  Type.Literal('CLOSED'),
])
export type MeteringFailureMode = Static<typeof MeteringFailureMode>

/** Metering fields of a stage (added to StageConfig, all optional). */
export const StageMeteringFields = {
  /**
   * Stage default throttle (Stage spec.throttle, or the throttling fields of methodSettings['*\/*']):
   * ONE bucket shared by every method and every client of the stage. Absent: none.
   */
  throttle: Type.Optional(ThrottleConfig),
  /**
   * Stage method settings' throttles, by route key ("GET /pets/{petId}"): one bucket per route,
   * shared by every client. A method setting that gives only one of rate and burst takes the
   * other from the stage default, else from the account throttle. Absent or {}: none.
   */
  methodThrottles: Type.Optional(Type.Record(Type.String(), ThrottleConfig)),
  /** Absent: OPEN. */
  meteringFailureMode: Type.Optional(MeteringFailureMode),
}

/** One API key. Its value is never in the config: only its SHA-256 digest. */
export const ApiKeyConfig = Type.Object({
  /** "namespace/name" of the ApiKey resource: the key id of usage reports and metering keys. */
  id: Type.String(),
  source: Source,
  /**
   * SHA-256 of the key value (its UTF-8 bytes), lowercase hex. The proxy hashes the key a client
   * presents and looks the digest up, so it never holds or compares key values.
   */
  valueSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** A disabled key is refused (403) like an unknown one. */
  enabled: Type.Boolean(),
})
export type ApiKeyConfig = Static<typeof ApiKeyConfig>

/** One API stage a usage plan covers. */
export const PlanApiStageConfig = Type.Object({
  /** apiId of the Api. */
  apiId: Type.String(),
  /** Stage name as in URLs. */
  stage: Type.String(),
  /**
   * Per-client per-method throttles, by route key ("GET /pets/{petId}"), from the plan's
   * '/pets/{petId}/GET' keys: one bucket per (key, route), applied before (and as well as) the
   * plan throttle, so the lower of the two wins.
   */
  methodThrottles: Type.Record(Type.String(), ThrottleConfig),
})
export type PlanApiStageConfig = Static<typeof PlanApiStageConfig>

export const QuotaConfig = Type.Object({
  /** Requests per key per period. */
  limit: Type.Integer({ minimum: 0 }),
  /** UTC calendar period (proxy/stores/quota-period.ts). */
  period: Type.Union([Type.Literal('DAY'), Type.Literal('WEEK'), Type.Literal('MONTH')]),
  /** Requests subtracted from the limit in the initial period (the one containing `since`). */
  offset: Type.Integer({ minimum: 0 }),
  /**
   * When the plan took effect (epoch ms; the UsagePlan's metadata.creationTimestamp), which
   * makes the initial period; null when unknown (files in standalone mode): `offset` then never
   * applies.
   */
  since: Type.Union([Type.Integer(), Type.Null()]),
})
export type QuotaConfig = Static<typeof QuotaConfig>

export const UsagePlanConfig = Type.Object({
  /** "namespace/name" of the UsagePlan resource. */
  id: Type.String(),
  source: Source,
  /** Per-client throttle: one bucket per key across every stage of the plan. null: none. */
  throttle: Type.Union([ThrottleConfig, Type.Null()]),
  /** Per-client quota across every stage of the plan. null: none. */
  quota: Type.Union([QuotaConfig, Type.Null()]),
  /** Stages the plan covers, sorted by apiId then stage. A key of the plan may call only these. */
  apiStages: Type.Array(PlanApiStageConfig),
  /** Ids of the plan's ApiKeys (enabled or not), sorted. A key is in at most one plan per stage. */
  apiKeys: Type.Array(Type.String()),
})
export type UsagePlanConfig = Static<typeof UsagePlanConfig>

export const MeteringConfig = Type.Object({
  /** Account-wide default throttle: the last bucket of every metered request (per metering domain, ADR 0004). */
  accountThrottle: ThrottleConfig,
  /** Sorted by id. */
  apiKeys: Type.Array(ApiKeyConfig),
  /** Sorted by id. */
  usagePlans: Type.Array(UsagePlanConfig),
})
export type MeteringConfig = Static<typeof MeteringConfig>

/** Route key of a plan or stage method key: '/pets/{petId}/GET' → 'GET /pets/{petId}'; '//GET' → 'GET /'. */
export function routeKeyOfMethodKey(methodKey: string): string | undefined {
  const slash = methodKey.lastIndexOf('/')
  if (slash < 0) return undefined
  const method = methodKey.slice(slash + 1)
  const path = methodKey.slice(0, slash)
  if (!/^[A-Z]+$/.test(method) || !path.startsWith('/')) return undefined
  return `${method} ${path === '/' ? '/' : path}`
}
