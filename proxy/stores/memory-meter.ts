// MemoryMeter: the metering store of one process (standalone mode, and the fail-open fallback
// of ResilientMeter). Same arithmetic as the Redis script (token-bucket.ts), with an injected
// clock. Entries expire like the Redis keys do and are swept as the store is used, so memory
// stays bounded by the keys active within their expiry.
import { bucketTtlMs, refill, TOKEN, admitsNothing } from './token-bucket.js'
import { dayString, epochDay, parseDay, quotaPeriod } from './quota-period.js'
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

export class MemoryMeter implements Meter {
  private readonly now: () => number
  private readonly retentionDays: number
  private readonly buckets = new Map<string, BucketState>()
  private readonly quotas = new Map<string, QuotaState>()
  private readonly usageByKey = new Map<string, Map<number, DayUsage>>()
  private ops = 0

  constructor(opts: MemoryMeterOptions = {}) {
    this.now = opts.now ?? Date.now
    this.retentionDays = opts.usageRetentionDays ?? 90
  }

  // Hot path: called once per request when Tollgate runs without Redis.
  async decide(request: MeterRequest): Promise<Decision> {
    const now = this.now()
    if (++this.ops % SWEEP_EVERY === 0) this.sweep(now)

    const quota = request.quota
    const qid = quota ? `${request.domain}\n${quota.key}` : ''
    let used = 0
    let periodStart = 0
    let periodEnd = 0
    if (quota) {
      const bounds = quotaPeriod(now, quota.period)
      periodStart = bounds.start
      periodEnd = bounds.end
      const state = this.quotas.get(qid)
      if (state && state.periodStart === periodStart && state.expiresAt > now) used = state.used
    }
    const remaining = quota ? Math.max(0, quota.limit - used) : null

    // Every bucket first, writing nothing: a denied request consumes nothing.
    const levels: number[] = []
    const nowUs = now * 1000
    for (const b of request.buckets) {
      if (admitsNothing(b)) return { allowed: false, reason: 'THROTTLED', level: b.level, remaining }
      const state = this.buckets.get(`${request.domain}\n${b.key}`)
      const tokens = state && state.expiresAt > now ? refill(state.tokens, state.at, nowUs, b) : b.burst * TOKEN
      if (tokens < TOKEN) return { allowed: false, reason: 'THROTTLED', level: b.level, remaining }
      levels.push(tokens - TOKEN)
    }
    if (quota && used >= quota.limit) return { allowed: false, reason: 'QUOTA_EXCEEDED', remaining: 0 }

    request.buckets.forEach((b, i) => {
      this.buckets.set(`${request.domain}\n${b.key}`, { tokens: levels[i]!, at: nowUs, expiresAt: now + bucketTtlMs(b) })
    })
    if (!quota) return { allowed: true, remaining: null }
    this.quotas.set(qid, { periodStart, used: used + 1, expiresAt: periodEnd + 60_000 })
    const left = quota.limit - used - 1
    this.recordDay(qid, epochDay(now), 1, left)
    return { allowed: true, remaining: Math.max(0, left) }
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
