// meter: API key, throttling and quota — one store call per request (on Redis, the calls of one
// event-loop turn become one script call per metering domain: docs/adr/0015-batched-decisions.md).
//
// Built per route and stage (at config load):
//   - a route that requires no API key, on a stage without method or stage throttles: null
//     (nothing metered, nothing run);
//   - a route that requires no key but is throttled by the stage: one prebuilt MeterRequest
//     with the buckets [stage method setting, stage default, account];
//   - a route that requires a key: the key is taken from `x-api-key` (apiKeySource HEADER) or
//     from the authorizer's usageIdentifierKey (AUTHORIZER), hashed (SHA-256) and looked up by
//     digest among the keys that have a usage plan on this stage. Missing, unknown, disabled, or
//     not in a plan for this stage: 403 INVALID_API_KEY (`{"message":"Forbidden"}`, as AWS).
//     Otherwise the key's MeterRequest — [plan per-method, plan, stage method setting, stage
//     default, account] in THROTTLE_ORDER, plus the key's quota in the plan — is built on the
//     key's first request on this route and reused (no allocation per request after that).
//
// On a meter in this process (MemoryMeter: standalone mode) the decision is synchronous and the
// stage returns no promise; on Redis it returns a PendingDecision that the meter answers when
// the batch's reply comes (Meter.decideInto: no promise per request and layer).
//
// The decision maps to gateway responses (each denial counted per stage for /metrics:
// tollgate_throttled_total by level, tollgate_quota_exceeded_total): THROTTLED → 429 "Too Many Requests", QUOTA_EXCEEDED
// → 429 "Limit Exceeded", MeterUnavailableError (Redis down, stage fails closed) → 503
// METERING_UNAVAILABLE.
//
// Why the lookup by digest is constant-time with respect to key contents: the proxy never
// compares a presented key with a stored one. It hashes the presented key (SHA-256 runs in
// time that depends only on the length) and looks the digest up in a hash map. What the lookup's
// timing can depend on is the digest, and a digest gives nothing away about the key values
// stored: learning that a stored digest starts with some bytes would take preimages of
// SHA-256 to turn into a key. The config holds digests only, so neither a config leak nor a
// timing probe reveals a key.
//
// HOT PATH — change with care.
import { hash } from 'node:crypto'
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import { clientBucket, clientMethodBucket, quotaAt, quotaSchedule, type KeyOnStage, type StageMetering } from '../metering/index.js'
import { MeterUnavailableError, validateMeterRequest, type Bucket, type Decision, type DecisionSink, type Meter, type MeterRequest } from '../stores/meter.js'
import type { Handler, Pending, PipelineStage } from './types.js'
import { cellOf, type GatewayCounters, type StageDecisions } from '../telemetry/metrics-counters.js'

// Shared error instances: a denial costs no stack capture. They carry no request data.
const INVALID_API_KEY = new GatewayError('TG_ERR_INVALID_API_KEY', 'INVALID_API_KEY', 'API key missing, unknown, disabled, or not in a usage plan for this stage')
const THROTTLED = new GatewayError('TG_ERR_THROTTLED', 'THROTTLED', 'throttled')
const QUOTA_EXCEEDED = new GatewayError('TG_ERR_QUOTA_EXCEEDED', 'QUOTA_EXCEEDED', 'usage plan quota exceeded')
const METER_UNAVAILABLE = new GatewayError('TG_ERR_METER_UNAVAILABLE', 'METERING_UNAVAILABLE', 'metering store unavailable and the stage fails closed')

/** The stage's denial counters (tollgate_throttled_total, tollgate_quota_exceeded_total), found on the first denial. */
type Denials = (counters: GatewayCounters) => StageDecisions

/** Lets an allowed request through; counts and refuses a denied one. */
function enforce(ctx: RequestContext, decision: Decision, denials: Denials): void {
  if (decision.allowed) return
  const counted = denials(ctx.services.counters)
  if (decision.reason === 'THROTTLED') {
    counted.throttled[decision.level]++
    throw THROTTLED
  }
  counted.quotaExceeded++
  throw QUOTA_EXCEEDED
}

function unavailable(err: unknown): never {
  if (err instanceof MeterUnavailableError) throw METER_UNAVAILABLE
  throw err
}

function decideLater(ctx: RequestContext, meter: Meter, request: MeterRequest, denials: Denials): Promise<void> {
  return meter.decide(request).then((decision) => enforce(ctx, decision, denials), unavailable)
}

const WAITING = 0
const ALLOWED = 1
const REFUSED = 2

/**
 * A decision of the shared store (Meter.decideInto) that the pipeline waits for: one object per
 * request in place of a promise per meter layer. The meter may answer before the pipeline calls
 * `then` (the fallback while Redis is down) or after; either way the pipeline goes on, or fails
 * with the refusal, once.
 */
class PendingDecision implements DecisionSink, Pending {
  state = WAITING
  /** The refusal (THROTTLED, QUOTA_EXCEEDED, METER_UNAVAILABLE, or a bug). */
  error: unknown = null
  private resume: (() => void) | null = null
  private fail: ((err: unknown) => void) | null = null

  constructor(
    private readonly ctx: RequestContext,
    private readonly denials: Denials,
  ) {}

  decided(decision: Decision): void {
    try {
      enforce(this.ctx, decision, this.denials)
    } catch (err) {
      return this.settle(REFUSED, err)
    }
    this.settle(ALLOWED, null)
  }

  failed(err: unknown): void {
    this.settle(REFUSED, err instanceof MeterUnavailableError ? METER_UNAVAILABLE : err)
  }

  then(resume: () => void, fail: (err: unknown) => void): void {
    if (this.state === ALLOWED) resume()
    else if (this.state === REFUSED) fail(this.error)
    else {
      this.resume = resume
      this.fail = fail
    }
  }

  private settle(state: number, error: unknown): void {
    if (this.state !== WAITING) return
    this.state = state
    this.error = error
    const next = state === ALLOWED ? this.resume : this.fail
    if (next === null) return
    this.resume = this.fail = null
    // The meter answers a whole batch in a row: a bug past this point must not stop the others.
    try {
      next(error)
    } catch (err) {
      queueMicrotask(() => {
        throw err
      })
    }
  }
}

/** Decides a request on the shared store without a promise (the meter answers `pending`). */
function decideInto(ctx: RequestContext, meter: Meter, request: MeterRequest, denials: Denials): Pending | undefined {
  const pending = new PendingDecision(ctx, denials)
  meter.decideInto!(request, pending)
  // Answered at once (the fallback while Redis is down): go on, or fail, without waiting.
  if (pending.state === ALLOWED) return undefined
  if (pending.state === REFUSED) throw pending.error
  return pending
}

/** Decides a request: synchronously on a meter in this process (no promise), else through the shared store. */
function decide(ctx: RequestContext, request: MeterRequest, denials: Denials): Pending | undefined {
  const meter = ctx.services.meter
  if (meter.decideNow === undefined) return meter.decideInto !== undefined ? decideInto(ctx, meter, request, denials) : decideLater(ctx, meter, request, denials)
  let decision
  try {
    decision = meter.decideNow(request)
  } catch (err) {
    if (err instanceof MeterUnavailableError) throw METER_UNAVAILABLE
    throw err
  }
  enforce(ctx, decision, denials)
  return undefined
}

/** A key's requests on one route: the MeterRequest in force, and the one of the quota's initial period. */
interface KeyRoute {
  readonly request: MeterRequest
  /** In the quota's initial period (offset), until `initialUntil`. */
  readonly initial: MeterRequest | null
  readonly initialUntil: number
}

function keyRoute(sm: StageMetering, routeKey: string, shared: readonly Bucket[], key: KeyOnStage): KeyRoute {
  const buckets: Bucket[] = []
  const perMethod = clientMethodBucket(key.plan, key.id, sm.id, routeKey)
  if (perMethod) buckets.push(perMethod)
  const perClient = clientBucket(key.plan, key.id)
  if (perClient) buckets.push(perClient)
  buckets.push(...shared)
  const schedule = quotaSchedule(key.plan, key.id)
  const base = { domain: key.plan.domain, buckets, failureMode: sm.failureMode }
  const request: MeterRequest = { ...base, quota: schedule ? schedule.regular : null }
  validateMeterRequest(request)
  if (schedule === null || schedule.initial === null) return { request, initial: null, initialUntil: 0 }
  return { request, initial: { ...base, quota: quotaAt(schedule, schedule.initial.until - 1) }, initialUntil: schedule.initial.until }
}

export const meter: PipelineStage = {
  name: 'meter',
  build({ api, stage, route, metering }): Handler | null {
    const sm = metering.stages.get(`${api.id}/${stage.name}`)
    if (sm === undefined) return null
    const denials = cellOf((counters) => counters.stage(api.id, stage.name))
    const shared: Bucket[] = []
    const methodBucket = sm.methodBuckets.get(route.key)
    if (methodBucket) shared.push(methodBucket)
    if (sm.stageBucket) shared.push(sm.stageBucket)

    if (!route.apiKeyRequired) {
      if (shared.length === 0) return null
      shared.push(sm.accountBucket)
      const request: MeterRequest = { domain: sm.domain, buckets: shared, quota: null, failureMode: sm.failureMode }
      validateMeterRequest(request)
      return (ctx) => decide(ctx, request, denials)
    }

    shared.push(sm.accountBucket)
    const keys = sm.keys
    const fromHeader = sm.keySource === 'HEADER'
    const routeKey = route.key
    const byKey = new Map<string, KeyRoute>()
    return (ctx) => {
      const presented = fromHeader ? ctx.req.headers['x-api-key'] : ctx.usageIdentifierKey
      if (typeof presented !== 'string' || presented === '') throw INVALID_API_KEY
      const key = keys.get(hash('sha256', presented, 'hex'))
      if (key === undefined || !key.enabled) throw INVALID_API_KEY
      let kr = byKey.get(key.id)
      if (kr === undefined) {
        kr = keyRoute(sm, routeKey, shared, key)
        byKey.set(key.id, kr)
      }
      ctx.apiKeyId = key.id
      return decide(ctx, kr.initial !== null && ctx.startedAt < kr.initialUntil ? kr.initial : kr.request, denials)
    }
  },
}
