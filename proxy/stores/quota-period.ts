// Quota periods as API Gateway counts them: calendar periods in UTC. Pure: the clock is an
// argument. The Redis script computes the same boundaries from the Redis server's clock
// (redis-meter-script.ts); test/stores/quota-period.test.ts keeps the two in step.
//
// - DAY starts at 00:00 UTC.
// - WEEK starts on Sunday 00:00 UTC (AWS documented `offset: 0` as "starts on Sunday"; see the
//   note on `offset` below).
// - MONTH starts on the 1st at 00:00 UTC and ends at the next month's 1st (28 to 31 days).
//
// `offset` does not move these boundaries. AWS's current API reference and CloudFormation define
// QuotaSettings.offset as "the number of requests subtracted from the given limit in the initial
// time period" (older SDK doc strings called it the day a week starts); Tollgate's UsagePlan CRD
// uses the current meaning. It is applied by `effectiveQuotaLimit`, not here.

export type QuotaPeriodType = 'DAY' | 'WEEK' | 'MONTH'

/** A quota period: [start, end) in epoch milliseconds, UTC. */
export interface PeriodBounds {
  readonly start: number
  readonly end: number
}

export const DAY_MS = 86_400_000

/** Whole days since 1970-01-01 (UTC) of an epoch-milliseconds instant. */
export function epochDay(ms: number): number {
  return Math.floor(ms / DAY_MS)
}

/** 'YYYY-MM-DD' of an epoch day. */
export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** Epoch day of 'YYYY-MM-DD' (UTC); throws on anything else. */
export function parseDay(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`)
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  if (dayString(epochDay(ms)) !== date) throw new RangeError(`not a date: ${date}`)
  return epochDay(ms)
}

/** The quota period that contains `now`. */
export function quotaPeriod(now: number, period: QuotaPeriodType): PeriodBounds {
  const day = epochDay(now)
  switch (period) {
    case 'DAY':
      return { start: day * DAY_MS, end: (day + 1) * DAY_MS }
    case 'WEEK': {
      // 1970-01-01 was a Thursday: (day + 4) mod 7 is the weekday with Sunday = 0.
      const sunday = day - ((((day + 4) % 7) + 7) % 7)
      return { start: sunday * DAY_MS, end: (sunday + 7) * DAY_MS }
    }
    case 'MONTH': {
      const d = new Date(now)
      return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) }
    }
  }
}

/**
 * The limit in force in the period that contains `now`: `limit - offset` in the initial period
 * (the one containing `since`, when the plan took effect for the key), `limit` afterwards.
 * Without `since` there is no known initial period and the full limit applies.
 */
export function effectiveQuotaLimit(limit: number, offset: number, period: QuotaPeriodType, now: number, since?: number): number {
  if (!offset || since === undefined) return limit
  const current = quotaPeriod(now, period)
  return since >= current.start && since < current.end ? Math.max(0, limit - offset) : limit
}
