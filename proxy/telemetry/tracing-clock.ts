// Span times from the gateway's own performance.now() readings (ctx.startedHr,
// ctx.integrationEndHr, the observer's endedHr), on one wall-clock anchor for all spans.
//
// The SDK anchors every span on its own Date.now() (millisecond resolution), so the spans of
// one request can be shifted against each other by up to a millisecond: a child span may seem
// to start before its parent. Converting with one anchor keeps a request's spans consistent.
// The anchor (wall clock − monotonic clock) is re-read once a minute and replaced only when it
// moved by more than the 1 ms a reading can be off by: the wall clock was stepped, or drifted.
import type { HrTime } from '@opentelemetry/api'

const RECHECK_MS = 60_000
const TOLERANCE_MS = 2

export class SpanClock {
  private anchor: number
  private checkedAt: number

  constructor() {
    this.checkedAt = performance.now()
    this.anchor = Date.now() - this.checkedAt
  }

  /** The wall-clock time of a performance.now() reading. */
  at(hr: number): HrTime {
    if (hr - this.checkedAt > RECHECK_MS) this.recheck(hr)
    const ms = this.anchor + hr
    const seconds = Math.floor(ms / 1000)
    return [seconds, Math.min(999_999_999, Math.floor((ms - seconds * 1000) * 1e6))]
  }

  now(): HrTime {
    return this.at(performance.now())
  }

  private recheck(hr: number): void {
    this.checkedAt = hr
    const fresh = Date.now() - performance.now()
    if (Math.abs(fresh - this.anchor) > TOLERANCE_MS) this.anchor = fresh
  }
}
