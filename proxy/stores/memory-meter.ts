// MemoryMeter: the metering store of one process (standalone mode, and the fail-open fallback
// of ResilientMeter). Same arithmetic as the Redis script (token-bucket.ts), with an injected
// clock. Entries expire like the Redis keys do and are swept as the store is used, so memory
// stays bounded by the keys active within their expiry.
import { bucketTtlMs, refill, TOKEN, admitsNothing } from './token-bucket.js'
import { dayString, epochDay, parseDay, quotaPeriod, type PeriodBounds, type QuotaPeriodType } from './quota-period.js'
import type { DailyUsage, Decision, Meter, MeterRequest, Quota } from './meter.js'

export interface MemoryMeterOptions {
  /** Epoch milliseconds; Date.now by default. */
  now?: () => number
  /** Days of daily usage kept (default 90, as far back as GetUsage reads). */
  usageRetentionDays?: number
}

interface BucketState {
  tokens: number
  at: number
  expiresAt: number
}
interface QuotaState {
  periodStart: number
  used: number
  expiresAt: number
}
interface DayUsage {
  used: number
  remaining: number | null
}

const SWEEP_EVERY = 1024

/** Map keys of a request's state: "{domain}\n{bucket key}" per bucket, "{domain}\n{quota key}". */
interface StateIds {
  readonly buckets: readonly string[]
  readonly quota: string
}

const ALLOWED_WITHOUT_QUOTA: Decision = Object.freeze({ allowed: true, remaining: null })

export class MemoryMeter implements Meter {
  private readonly now: () => number
  private readonly retentionDays: number
  private readonly buckets = new Map<string, BucketState>()
  private readonly quotas = new Map<string, QuotaState>()
  private readonly usageByKey = new Map<string, Map<number, DayUsage>>()
  private ops = 0
  private readonly ids = new WeakMap<MeterRequest, StateIds>()
  private readonly periods: Record<QuotaPeriodType, PeriodBounds | null> = { DAY: null, WEEK: null, MONTH: null }
  /** Scratch of decideNow: the state found for each bucket, and its level after this request. */
  private readonly found: (BucketState | undefined)[] = []
  private readonly levels: number[] = []

  constructor(opts: MemoryMeterOptions = {}) {
    this.now = opts.now ?? Date.now
    this.retentionDays = opts.usageRetentionDays ?? 90
  }

  // Hot path: called once per request when Tollgate runs without Redis.
  async decide(request: MeterRequest): Promise<Decision> {
    return this.decideNow(request)
  }

  /** `decide`, synchronously (the meter stage calls this: no promise per request). */
  decideNow(request: MeterRequest): Decision {
    const now = this.now()
    if (++this.ops % SWEEP_EVERY === 0) this.sweep(now)
    const ids = this.idsOf(request)

    const quota = request.quota
    let used = 0
    let periodStart = 0
    let periodEnd = 0
    if (quota) {
      const bounds = this.periodOf(now, quota.period)
      periodStart = bounds.start
      periodEnd = bounds.end
      const state = this.quotas.get(ids.quota)
      if (state && state.periodStart === periodStart && state.expiresAt > now) used = state.used
    }
    const remaining = quota ? Math.max(0, quota.limit - used) : null

    // Every bucket first, writing nothing: a denied request consumes nothing.
    const buckets = request.buckets
    const found = this.found
    const levels = this.levels
    const nowUs = now * 1000
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!
      if (admitsNothing(b)) return { allowed: false, reason: 'THROTTLED', level: b.level, remaining }
      const state = this.buckets.get(ids.buckets[i]!)
      const tokens = state && state.expiresAt > now ? refill(state.tokens, state.at, nowUs, b) : b.burst * TOKEN
      if (tokens < TOKEN) return { allowed: false, reason: 'THROTTLED', level: b.level, remaining }
      found[i] = state
      levels[i] = tokens - TOKEN
    }
    if (quota && used >= quota.limit) return { allowed: false, reason: 'QUOTA_EXCEEDED', remaining: 0 }

    // State objects are updated in place (a bucket named twice in one request is written twice
    // with the same value, as when each write was a new object).
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!
      const state = found[i]
      found[i] = undefined
      if (state !== undefined) {
        state.tokens = levels[i]!
        state.at = nowUs
        state.expiresAt = now + bucketTtlMs(b)
      } else {
        this.buckets.set(ids.buckets[i]!, { tokens: levels[i]!, at: nowUs, expiresAt: now + bucketTtlMs(b) })
      }
    }
    if (!quota) return ALLOWED_WITHOUT_QUOTA
    const state = this.quotas.get(ids.quota)
    if (state !== undefined) {
      state.periodStart = periodStart
      state.used = used + 1
      state.expiresAt = periodEnd + 60_000
    } else {
      this.quotas.set(ids.quota, { periodStart, used: used + 1, expiresAt: periodEnd + 60_000 })
    }
    const left = quota.limit - used - 1
    this.recordDay(ids.quota, epochDay(now), 1, left)
    return { allowed: true, remaining: Math.max(0, left) }
  }

  /** The map keys of a request's buckets and quota, built on its first decision (requests are built once per route and key). */
  private idsOf(request: MeterRequest): StateIds {
    let ids = this.ids.get(request)
    if (ids === undefined) {
      ids = { buckets: request.buckets.map((b) => `${request.domain}\n${b.key}`), quota: request.quota ? `${request.domain}\n${request.quota.key}` : '' }
      this.ids.set(request, ids)
    }
    return ids
  }

  /** The quota period containing `now`, kept per period type until `now` leaves it. */
  private periodOf(now: number, period: QuotaPeriodType): PeriodBounds {
    const last = this.periods[period]
    if (last !== null && now >= last.start && now < last.end) return last
    return (this.periods[period] = quotaPeriod(now, period))
  }

  async usage(domain: string, quotaKey: string, from: string, to: string): Promise<DailyUsage[]> {
    const days = this.usageByKey.get(`${domain}\n${quotaKey}`)
    const out: DailyUsage[] = []
    for (let d = parseDay(from), last = parseDay(to); d <= last; d++) {
      const u = days?.get(d)
      out.push({ day: dayString(d), used: u?.used ?? 0, remaining: u?.remaining ?? null })
    }
    return out
  }

  async setRemaining(domain: string, quota: Quota, remaining: number): Promise<void> {
    const now = this.now()
    const bounds = quotaPeriod(now, quota.period)
    const qid = `${domain}\n${quota.key}`
    this.quotas.set(qid, { periodStart: bounds.start, used: quota.limit - remaining, expiresAt: bounds.end + 60_000 })
    this.recordDay(qid, epochDay(now), 0, remaining)
  }

  async close(): Promise<void> {
    this.buckets.clear()
    this.quotas.clear()
    this.usageByKey.clear()
  }

  /** Entries held (for tests and metrics). */
  size(): number {
    return this.buckets.size + this.quotas.size + this.usageByKey.size
  }

  private recordDay(qid: string, day: number, used: number, remaining: number): void {
    let days = this.usageByKey.get(qid)
    if (!days) this.usageByKey.set(qid, (days = new Map()))
    const entry = days.get(day)
    if (entry) {
      entry.used += used
      entry.remaining = remaining
    } else {
      days.set(day, { used, remaining })
      for (const old of days.keys()) if (old <= day - this.retentionDays) days.delete(old)
    }
  }

  private sweep(now: number): void {
    for (const [k, v] of this.buckets) if (v.expiresAt <= now) this.buckets.delete(k)
    for (const [k, v] of this.quotas) if (v.expiresAt <= now) this.quotas.delete(k)
    const oldest = epochDay(now) - this.retentionDays
    for (const [k, days] of this.usageByKey) {
      for (const d of days.keys()) if (d <= oldest) days.delete(d)
      if (days.size === 0) this.usageByKey.delete(k)
    }
  }
}
