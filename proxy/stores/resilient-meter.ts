// ResilientMeter: the shared (Redis) meter with a failure policy per stage. While Redis answers,
// every decision goes to it. When a call fails to reach it, or a heartbeat does, Redis is marked
// down and requests are decided by the stage's FailureMode: OPEN → the local fallback meter
// (per-process buckets and quotas), CLOSED → MeterUnavailableError (503). While down, nothing is
// sent to Redis on the request path; a probe pings it and marks it up when it answers again.
//
// Timing (defaults): a call is bounded by the primary (100 ms command timeout), a heartbeat every
// 500 ms finds a lost Redis without traffic, the probe runs every 250 ms and the client reconnects
// at least every second — so loss is noticed within 1 s and recovery within about 1.5 s.
import { MeterUnavailableError, type DailyUsage, type Decision, type Meter, type MeterRequest, type Quota } from './meter.js'

/** What metrics read: see `state()`. */
export interface MeterState {
  readonly redis: 'up' | 'down'
  /** Epoch ms of the last transition (or of creation). */
  readonly since: number
  /** Decisions made by the fallback because Redis was down (fail open). */
  readonly fallbacks: number
  /** Decisions refused with MeterUnavailableError because Redis was down (fail closed). */
  readonly unavailable: number
  /** Times Redis was marked down. */
  readonly outages: number
}

export interface SharedMeter extends Meter {
  /** A cheap bounded liveness check; rejects with MeterUnavailableError. */
  ping(): Promise<void>
}

export interface ResilientMeterOptions {
  readonly primary: SharedMeter
  readonly fallback: Meter
  /** Ping period while up (default 500 ms; 0 disables the heartbeat). */
  readonly heartbeatMs?: number
  /** Ping period while down (default 250 ms). */
  readonly probeMs?: number
  readonly log?: (line: string) => void
  readonly now?: () => number
}

export class ResilientMeter implements Meter {
  private readonly primary: SharedMeter
  private readonly fallback: Meter
  private readonly heartbeatMs: number
  private readonly probeMs: number
  private readonly log: (line: string) => void
  private readonly now: () => number
  private up = true
  private since: number
  private fallbacks = 0
  private unavailable = 0
  private outages = 0
  private timer: NodeJS.Timeout | undefined
  private checking = false
  private closed = false

  constructor(opts: ResilientMeterOptions) {
    this.primary = opts.primary
    this.fallback = opts.fallback
    this.heartbeatMs = opts.heartbeatMs ?? 500
    this.probeMs = opts.probeMs ?? 250
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`))
    this.now = opts.now ?? Date.now
    this.since = this.now()
    this.schedule()
  }

  state(): MeterState {
    return { redis: this.up ? 'up' : 'down', since: this.since, fallbacks: this.fallbacks, unavailable: this.unavailable, outages: this.outages }
  }

  // Hot path.
  async decide(request: MeterRequest): Promise<Decision> {
    if (this.up) {
      try {
        return await this.primary.decide(request)
      } catch (err) {
        if (!(err instanceof MeterUnavailableError)) throw err
        this.markDown(err)
      }
    }
    if (request.failureMode === 'CLOSED') {
      this.unavailable++
      throw new MeterUnavailableError('metering store (Redis) is unavailable and the stage fails closed')
    }
    this.fallbacks++
    return this.fallback.decide(request)
  }

  /** Usage and adjustments are administrative: they need Redis and fail when it is down. */
  usage(domain: string, quotaKey: string, from: string, to: string): Promise<DailyUsage[]> {
    return this.primary.usage(domain, quotaKey, from, to)
  }

  setRemaining(domain: string, quota: Quota, remaining: number): Promise<void> {
    return this.primary.setRemaining(domain, quota, remaining)
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    await Promise.all([this.primary.close(), this.fallback.close()])
  }

  private markDown(err: Error): void {
    if (!this.up) return
    this.up = false
    this.since = this.now()
    this.outages++
    this.log(`meter: Redis down (${err.message}); stages that fail open use local buckets, stages that fail closed answer 503`)
    this.schedule()
  }

  private markUp(): void {
    if (this.up) return
    this.up = true
    const downMs = this.now() - this.since
    this.since = this.now()
    this.log(`meter: Redis back after ${downMs} ms; ${this.fallbacks} decisions fell back and ${this.unavailable} were refused so far`)
    this.schedule()
  }

  private schedule(): void {
    clearTimeout(this.timer)
    if (this.closed) return
    const every = this.up ? this.heartbeatMs : this.probeMs
    if (every <= 0) return
    this.timer = setTimeout(() => void this.check(), every)
    this.timer.unref()
  }

  private async check(): Promise<void> {
    if (this.checking || this.closed) return
    this.checking = true
    try {
      await this.primary.ping()
      this.markUp()
    } catch (err) {
      if (err instanceof MeterUnavailableError) this.markDown(err)
      else this.log(`meter: unexpected error from the Redis ping: ${(err as Error)?.message ?? String(err)}`)
    } finally {
      this.checking = false
      this.schedule()
    }
  }
}
