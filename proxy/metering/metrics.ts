// Metering in Prometheus text format, part of /metrics on the admin listener
// (telemetry/metrics-endpoint.ts): whether Redis answers, the outages and what the failure modes
// did meanwhile (ResilientMeter.state()), and the decisions by outcome. The request metrics with
// API Gateway's names (Count, 4XXError, …) and the per-stage throttle and quota denials are in
// proxy/telemetry/; these are the meter's own.
import { MeterUnavailableError, THROTTLE_ORDER, type DailyUsage, type Decision, type DecisionSink, type Meter, type MeterRequest, type Quota, type ThrottleLevel } from '../stores/meter.js'
import type { ResilientMeter } from '../stores/resilient-meter.js'

/** A decision of the inner meter, counted on its way to the caller's sink. */
class CountingSink implements DecisionSink {
  constructor(
    private readonly counts: CountingMeter,
    private readonly sink: DecisionSink,
  ) {}

  decided(decision: Decision): void {
    this.sink.decided(this.counts.count(decision))
  }

  failed(err: unknown): void {
    this.counts.failure(err)
    this.sink.failed(err)
  }
}

/** A Meter that counts its decisions by outcome (one increment per call). */
export class CountingMeter implements Meter {
  allowed = 0
  quotaExceeded = 0
  unavailable = 0
  readonly throttled: Record<ThrottleLevel, number> = { CLIENT_METHOD: 0, CLIENT: 0, METHOD: 0, STAGE: 0, ACCOUNT: 0 }

  /** Present when the inner meter has it (MemoryMeter). */
  readonly decideNow?: (request: MeterRequest) => Decision
  /** Present when the inner meter has it (ResilientMeter, RedisMeter). */
  readonly decideInto?: (request: MeterRequest, sink: DecisionSink) => void

  constructor(private readonly inner: Meter) {
    const decideNow = inner.decideNow
    if (decideNow !== undefined) {
      this.decideNow = (request) => {
        let d: Decision
        try {
          d = decideNow.call(inner, request)
        } catch (err) {
          this.failure(err)
          throw err
        }
        return this.count(d)
      }
    }
    const decideInto = inner.decideInto
    if (decideInto !== undefined) this.decideInto = (request, sink) => decideInto.call(inner, request, new CountingSink(this, sink))
  }

  decide(request: MeterRequest): Promise<Decision> {
    return this.inner.decide(request).then(this.counted, this.failed)
  }

  private readonly counted = (d: Decision): Decision => this.count(d)
  private readonly failed = (err: unknown): never => {
    this.failure(err)
    throw err
  }

  /** Counts a failed decision when the store was unavailable (CountingSink calls it too). */
  failure(err: unknown): void {
    if (err instanceof MeterUnavailableError) this.unavailable++
  }

  /** Counts one decision (CountingSink calls it too). */
  count(d: Decision): Decision {
    if (d.allowed) this.allowed++
    else if (d.reason === 'QUOTA_EXCEEDED') this.quotaExceeded++
    else this.throttled[d.level]++
    return d
  }

  usage(domain: string, quotaKey: string, from: string, to: string): Promise<DailyUsage[]> {
    return this.inner.usage(domain, quotaKey, from, to)
  }

  setRemaining(domain: string, quota: Quota, remaining: number): Promise<void> {
    return this.inner.setRemaining(domain, quota, remaining)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

/** The metering metrics as Prometheus text. */
export function meteringMetrics(counts: CountingMeter, resilient: ResilientMeter | null): string {
  const lines: string[] = []
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
  }
  metric('tollgate_meter_decisions_total', 'counter', 'Metering decisions by outcome (throttled: by the throttle level that denied).', [
    ['{outcome="allowed"}', counts.allowed],
    ...THROTTLE_ORDER.map((level): [string, number] => [`{outcome="throttled",level="${level}"}`, counts.throttled[level]]),
    ['{outcome="quota_exceeded"}', counts.quotaExceeded],
    ['{outcome="unavailable"}', counts.unavailable],
  ])
  if (resilient !== null) {
    const s = resilient.state()
    metric('tollgate_meter_redis_up', 'gauge', '1 while the metering store (Redis) answers, 0 while it is down.', [['', s.redis === 'up' ? 1 : 0]])
    metric('tollgate_meter_redis_outages_total', 'counter', 'Times Redis was found down.', [['', s.outages]])
    metric('tollgate_meter_fallback_decisions_total', 'counter', 'Decisions made with local buckets because Redis was down (stages that fail open).', [['', s.fallbacks]])
    metric('tollgate_meter_unavailable_total', 'counter', 'Requests answered 503 because Redis was down (stages that fail closed).', [['', s.unavailable]])
    metric('tollgate_meter_unreported_requests', 'gauge', 'Quota requests admitted with local buckets while Redis was down and not added to Redis yet.', [['', s.unreported]])
    metric('tollgate_meter_reported_requests_total', 'counter', 'Quota requests admitted with local buckets while Redis was down and added to Redis afterwards.', [['', s.reported]])
    metric('tollgate_meter_redis_state_since_seconds', 'gauge', 'Unix time of the last change of tollgate_meter_redis_up.', [['', Math.floor(s.since / 1000)]])
  }
  return `${lines.join('\n')}\n`
}
