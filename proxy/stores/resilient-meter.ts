// ResilientMeter: the shared (Redis) meter with a failure policy per stage. While Redis answers,
// every decision goes to it. When a call fails to reach it, or a heartbeat does, Redis is marked
// down and requests are decided by the stage's FailureMode: OPEN → the local fallback meter
// (per-process buckets and quotas), CLOSED → MeterUnavailableError (503). While down, nothing is
// sent to Redis on the request path; a probe pings it and marks it up when it answers again.
// RedisMeter sends the decisions of one event-loop turn in one call; when that call fails, each
// of its decisions fails here on its own and follows its own stage's failure mode.
//
// Usage while down: quota requests the fallback admits are also counted per quota, period and
// day, and added to Redis once it answers again (SharedMeter.addUsage: one atomic script per
// quota and day, idempotent per batch id, so a retry after a timeout does not count twice). Until
// then usage reports and the remaining quota on Redis miss them; `state().unreported` says how
// many. Batches that fail to reach Redis are kept and retried on the next heartbeat.
//
// Timing (defaults): a call is bounded by the primary (100 ms per call), a heartbeat every
// 500 ms finds a lost Redis without traffic, the probe runs every 250 ms and the client reconnects
// at least every second — so loss is noticed within 1 s and recovery within about 1.5 s.
import { randomBytes } from 'node:crypto'
import { MeterUnavailableError, type DailyUsage, type Decision, type DecisionSink, type Meter, type MeterRequest, type OfflineUsage, type Quota } from './meter.js'
import { epochDay, quotaPeriod } from './quota-period.js'

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
  /** Quota requests the fallback admitted that are not in Redis yet (added once it is back). */
  readonly unreported: number
  /** Quota requests admitted by the fallback and added to Redis since the start. */
  readonly reported: number
}

export interface SharedMeter extends Meter {
  /** A cheap bounded liveness check; rejects with MeterUnavailableError. */
  ping(): Promise<void>
  /** Adds usage admitted while the store was down; once per `usage.id` (false: added before). */
  addUsage(domain: string, quota: Quota, usage: OfflineUsage): Promise<boolean>
}

/** Usage of one quota on one day admitted by the fallback, waiting to be added to Redis. */
interface Unreported {
  readonly domain: string
  /** The quota of the last request counted (its limit is what Redis computes remaining with). */
  quota: Quota
  readonly periodStart: number
  readonly day: number
  used: number
  /** Set when the batch is first sent, and kept for its retries (idempotency). */
  id: string | null
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

const FAILS_CLOSED = 'metering store (Redis) is unavailable and the stage fails closed'

/** A decision of the primary on its way to the caller's sink; a failure to reach Redis goes through the failure mode first. */
class PrimarySink implements DecisionSink {
  constructor(
    private readonly meter: ResilientMeter,
    private readonly request: MeterRequest,
    private readonly sink: DecisionSink,
  ) {}

  decided(decision: Decision): void {
    this.sink.decided(decision)
  }

  failed(err: unknown): void {
    this.meter.primaryFailedInto(err, this.request, this.sink)
  }
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
  /** Fallback usage not in Redis yet, by domain, quota key, period start and day. */
  private unreported = new Map<string, Unreported>()
  /** Batches sent (or being sent) to Redis, with their ids, until Redis confirms them. */
  private sending: Unreported[] = []
  private unreportedCount = 0
  private reported = 0
  private batchSeq = 0
  /** Prefix of this process's batch ids. */
  private readonly instance = randomBytes(8).toString('hex')

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
    return {
      redis: this.up ? 'up' : 'down',
      since: this.since,
      fallbacks: this.fallbacks,
      unavailable: this.unavailable,
      outages: this.outages,
      unreported: this.unreportedCount,
      reported: this.reported,
    }
  }

  // Hot path: while Redis is up, the primary's promise with one handler for its failure.
  decide(request: MeterRequest): Promise<Decision> {
    if (this.up) return this.primary.decide(request).then(undefined, (err: unknown) => this.failed(err, request))
    return this.degraded(request)
  }

  // Hot path of the meter stage on Redis: no promise, one small object per request while Redis
  // is up (the primary answers through it); while down, the failure mode answers at once when
  // the fallback decides synchronously (MemoryMeter).
  decideInto(request: MeterRequest, sink: DecisionSink): void {
    const primary = this.primary
    if (!this.up) this.degradedInto(request, sink)
    else if (primary.decideInto !== undefined) primary.decideInto(request, new PrimarySink(this, request, sink))
    else primary.decide(request).then((d) => sink.decided(d), (err: unknown) => this.primaryFailedInto(err, request, sink))
  }

  /** Called by PrimarySink: `failed` for a sink. */
  primaryFailedInto(err: unknown, request: MeterRequest, sink: DecisionSink): void {
    if (!(err instanceof MeterUnavailableError)) return sink.failed(err)
    this.markDown(err)
    this.degradedInto(request, sink)
  }

  /** A decision while Redis is down: the stage's failure mode (at once when the fallback decides synchronously). */
  private degradedInto(request: MeterRequest, sink: DecisionSink): void {
    if (request.failureMode === 'CLOSED') {
      this.unavailable++
      return sink.failed(new MeterUnavailableError(FAILS_CLOSED))
    }
    this.fallbacks++
    const decideNow = this.fallback.decideNow
    if (decideNow === undefined) {
      this.fallback.decide(request).then((d) => this.fallbackDecided(request, d, sink), (err: unknown) => sink.failed(err))
      return
    }
    let decision: Decision
    try {
      decision = decideNow.call(this.fallback, request)
    } catch (err) {
      return sink.failed(err)
    }
    this.fallbackDecided(request, decision, sink)
  }

  /** A fallback decision: its quota use is recorded for Redis (an admitted request with a quota), then answered. */
  private fallbackDecided(request: MeterRequest, decision: Decision, sink: DecisionSink): void {
    if (decision.allowed && request.quota !== null) this.count(request.domain, request.quota)
    sink.decided(decision)
  }

  private failed(err: unknown, request: MeterRequest): Promise<Decision> {
    if (!(err instanceof MeterUnavailableError)) throw err
    this.markDown(err)
    return this.degraded(request)
  }

  /** `degradedInto` as a promise. */
  private degraded(request: MeterRequest): Promise<Decision> {
    return new Promise((resolve, reject) => this.degradedInto(request, { decided: resolve, failed: reject }))
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
    if (this.up && this.unreportedCount > 0) await this.report()
    await Promise.all([this.primary.close(), this.fallback.close()])
  }

  /** One request admitted by the fallback against a quota. */
  private count(domain: string, quota: Quota): void {
    const now = this.now()
    const periodStart = epochDay(quotaPeriod(now, quota.period).start)
    const day = epochDay(now)
    const id = `${domain}\n${quota.key}\n${periodStart}\n${day}`
    const entry = this.unreported.get(id)
    if (entry === undefined) this.unreported.set(id, { domain, quota, periodStart, day, used: 1, id: null })
    else {
      entry.used++
      entry.quota = quota
    }
    this.unreportedCount++
  }

  /**
   * Adds the fallback's usage to Redis: every batch in parallel, each once (its id is fixed when
   * it is first sent). Batches that fail to reach Redis stay for the next attempt.
   */
  private async report(): Promise<void> {
    for (const entry of this.unreported.values()) {
      entry.id = `${this.instance}-${++this.batchSeq}`
      this.sending.push(entry)
    }
    this.unreported = new Map()
    const batches = this.sending
    this.sending = []
    const results = await Promise.allSettled(
      batches.map((b) => this.primary.addUsage(b.domain, b.quota, { id: b.id!, periodStart: b.periodStart, day: b.day, used: b.used })),
    )
    const kept: Unreported[] = []
    let added = 0
    let dropped = 0
    results.forEach((r, i) => {
      const b = batches[i]!
      if (r.status === 'fulfilled') {
        added += b.used
        return
      }
      if (r.reason instanceof MeterUnavailableError) {
        kept.push(b)
        return
      }
      dropped += b.used // not retried: an error other than "unavailable" would repeat
      this.log(`meter: could not add ${b.used} requests counted while Redis was down to quota ${b.quota.key}: ${(r.reason as Error)?.message ?? String(r.reason)}`)
    })
    this.sending = kept.concat(this.sending)
    this.unreportedCount -= added + dropped
    this.reported += added
    if (added > 0) this.log(`meter: added ${added} requests counted while Redis was down to its quotas${kept.length > 0 ? `; ${kept.length} batches left to retry` : ''}`)
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
      if (this.unreportedCount > 0) await this.report()
    } catch (err) {
      if (err instanceof MeterUnavailableError) this.markDown(err)
      else this.log(`meter: unexpected error from the Redis ping: ${(err as Error)?.message ?? String(err)}`)
    } finally {
      this.checking = false
      this.schedule()
    }
  }
}
