// The metering store: one call per request decides every applicable throttle bucket and the
// quota together. Two implementations share this contract (test/stores/meter-contract.ts):
// MemoryMeter (one process) and RedisMeter (a fleet: atomic scripts, the decisions requested
// in one event-loop turn batched into one script call per metering domain, ADR 0015), and
// ResilientMeter puts the Redis one in front of a local fallback with a per-stage failure mode.
//
// What the caller (the pipeline's meter stage) does: at build time it turns the usage plan and
// the stage settings of a route into Buckets, in THROTTLE_ORDER, and picks the route's metering
// domain; per request it fills in the API key and calls `decide`. A denial maps to a gateway
// response: THROTTLED → 429 "Too Many Requests", QUOTA_EXCEEDED → 429 "Limit Exceeded", and a
// MeterUnavailableError (Redis down and the stage fails closed) → 503.
import type { QuotaPeriodType } from './quota-period.js'

export type { QuotaPeriodType } from './quota-period.js'

/** Throttle levels, named after what AWS calls them. */
export type ThrottleLevel =
  /** Usage plan, per API key and method (apiStages[].throttle['/path/GET']). */
  | 'CLIENT_METHOD'
  /** Usage plan, per API key (the plan's throttle), across the stages of the plan. */
  | 'CLIENT'
  /** Stage method settings (per method, shared by all clients). */
  | 'METHOD'
  /** Stage default throttle (shared by all clients and methods of the stage). */
  | 'STAGE'
  /** Account-wide default (10,000 rps, burst 5,000 unless configured). */
  | 'ACCOUNT'

/** The order API Gateway applies throttles in; buckets of a request are evaluated in this order. */
export const THROTTLE_ORDER: readonly ThrottleLevel[] = ['CLIENT_METHOD', 'CLIENT', 'METHOD', 'STAGE', 'ACCOUNT']

/** API Gateway's account-level default throttle. */
export const ACCOUNT_DEFAULT_THROTTLE = { rate: 10_000, burst: 5_000 } as const

/** One token bucket. State is shared by every request that names the same domain and key. */
export interface Bucket {
  readonly level: ThrottleLevel
  /**
   * Stable name of the bucket within its domain, built at config load from stable ids, e.g.
   * `client:{plan}:{apiKeyId}`, `method:{apiId}/{stage}/GET /pets`. Changing the rate or burst
   * keeps the key (and the state); changing the key starts a full bucket.
   */
  readonly key: string
  /** Steady-state refill in tokens (requests) per second; may be fractional, e.g. 0.5. */
  readonly rate: number
  /** Capacity in tokens; a full bucket admits `burst` requests at once. */
  readonly burst: number
}

/** The quota of one API key in one usage plan. */
export interface Quota {
  /** Stable name of the counter within its domain, e.g. `{planNamespace}/{plan}/{apiKeyId}`. */
  readonly key: string
  /** Requests allowed per period (after `effectiveQuotaLimit` for the initial period). */
  readonly limit: number
  /** Calendar period in UTC (quota-period.ts). */
  readonly period: QuotaPeriodType
}

/** What to do when the shared store (Redis) cannot be reached, per stage. */
export type FailureMode =
  /** Decide with local per-process buckets and quotas (MemoryMeter) until Redis is back. */
  | 'OPEN'
  /** Answer MeterUnavailableError (the stage maps it to 503). */
  | 'CLOSED'

export interface MeterRequest {
  /**
   * The metering domain: every key of the request lives in it and it is the Redis Cluster hash
   * tag, so one script sees all of them. All routes whose requests can share a bucket or a quota
   * must use the same domain (docs/adr/0004-metering-domains.md; `meteringDomains` computes it).
   * No `{` or `}`.
   */
  readonly domain: string
  /** Buckets to pass, in THROTTLE_ORDER; the first empty one denies. */
  readonly buckets: readonly Bucket[]
  /** The key's quota, or null (no usage plan quota, or no API key). */
  readonly quota: Quota | null
  /** Used by ResilientMeter only. */
  readonly failureMode: FailureMode
}

/** The outcome of one decision. A denied request consumed nothing (no token, no quota). */
export type Decision =
  | { readonly allowed: true; readonly remaining: number | null }
  | { readonly allowed: false; readonly reason: 'THROTTLED'; readonly level: ThrottleLevel; readonly remaining: number | null }
  | { readonly allowed: false; readonly reason: 'QUOTA_EXCEEDED'; readonly remaining: 0 }

/** One day of one key's usage, as GetUsage reports it ([used, remaining] per day). */
export interface DailyUsage {
  /** 'YYYY-MM-DD', UTC. */
  readonly day: string
  /** Requests admitted that day. */
  readonly used: number
  /** Quota remaining at that day's last admitted request or adjustment; null when nothing was recorded. */
  readonly remaining: number | null
}

/**
 * Requests a quota admitted without the shared store (the local fallback while Redis was down),
 * to be added to it afterwards (ResilientMeter → SharedMeter.addUsage).
 */
export interface OfflineUsage {
  /** Unique per batch: adding the same id twice adds once (retries after a timeout are safe). */
  readonly id: string
  /** Start of the quota period the requests were admitted in (epoch day, UTC). */
  readonly periodStart: number
  /** Day they were admitted (epoch day, UTC). */
  readonly day: number
  /** Requests admitted. */
  readonly used: number
}

/**
 * Receives one decision of `Meter.decideInto`. A sink must not throw: a meter calls the sinks of
 * a whole batch in a row.
 */
export interface DecisionSink {
  decided(decision: Decision): void
  /** MeterUnavailableError when the store could not be reached (or fails closed), else a bug. */
  failed(err: unknown): void
}

export interface Meter {
  /** Decide one request: take a token from every bucket and one from the quota, or nothing. */
  decide(request: MeterRequest): Promise<Decision>
  /**
   * `decide`, answered synchronously, on meters that keep their state in this process
   * (MemoryMeter): the meter stage then decides without a promise. Absent on shared meters.
   */
  readonly decideNow?: (request: MeterRequest) => Decision
  /**
   * `decide`, answered through `sink` instead of a promise, on shared meters (RedisMeter, and
   * ResilientMeter and CountingMeter over it): the meter stage then waits for a decision on
   * Redis with one object per request instead of a promise per layer. Exactly one of the sink's
   * methods is called, once: usually later (RedisMeter answers when its batch's call does), but
   * possibly before `decideInto` returns (ResilientMeter while Redis is down). Absent where the
   * meter has no such path; callers then use `decide`.
   */
  readonly decideInto?: (request: MeterRequest, sink: DecisionSink) => void
  /** Daily usage of a quota key, `from` to `to` inclusive ('YYYY-MM-DD', UTC), oldest first. */
  usage(domain: string, quotaKey: string, from: string, to: string): Promise<DailyUsage[]>
  /**
   * UpdateUsage (`op: replace, path: /remaining`): set the remaining quota of the current period.
   * Stored as used = limit - remaining, so a remaining above the limit is an extension.
   */
  setRemaining(domain: string, quota: Quota, remaining: number): Promise<void>
  close(): Promise<void>
}

/** The shared store could not be reached in time. `code` is stable for logs and metrics. */
export class MeterUnavailableError extends Error {
  readonly code = 'TG_ERR_METER_UNAVAILABLE'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MeterUnavailableError'
  }
}

/** Throws on a domain that cannot be a hash tag, or a malformed bucket. Run at config load. */
export function validateMeterRequest(request: MeterRequest): void {
  if (!request.domain || /[{}]/.test(request.domain)) throw new RangeError(`metering domain must be non-empty without { or }: ${JSON.stringify(request.domain)}`)
  let last = -1
  for (const b of request.buckets) {
    const at = THROTTLE_ORDER.indexOf(b.level)
    if (at < last) throw new RangeError(`bucket ${b.key}: level ${b.level} out of THROTTLE_ORDER`)
    last = at
    if (!(b.rate >= 0) || !(b.burst >= 0) || !Number.isFinite(b.rate) || !Number.isInteger(b.burst)) {
      throw new RangeError(`bucket ${b.key}: rate must be a finite number >= 0 and burst an integer >= 0`)
    }
  }
  if (request.quota && (!Number.isInteger(request.quota.limit) || request.quota.limit < 0)) {
    throw new RangeError(`quota ${request.quota.key}: limit must be an integer >= 0`)
  }
}
