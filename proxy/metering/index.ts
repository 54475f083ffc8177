// The metering index: what the meter stage needs, built once per config (pure, at build time).
// Per stage: its metering domain (ADR 0004), failure mode, key source, shared buckets, and the
// API keys that may call it (by SHA-256 digest) with the one usage plan each has there.
// Per route the meter stage (pipeline/meter.ts) adds the route's buckets.
//
// Bucket and quota names are built here from stable ids, so a config change that keeps the ids
// keeps the state (a changed rate or limit applies to the same counters):
//
//   cm:{plan}:{key}:{apiId}/{stage}:{route}   per-client per-method  (usage plan apiStages[].throttle)
//   c:{plan}:{key}                            per-client             (usage plan throttle; every stage of the plan)
//   m:{apiId}/{stage}:{route}                 per-method             (stage method settings)
//   s:{apiId}/{stage}                         stage default          (stage throttle)
//   account                                   account-wide default   (one per metering domain)
//   quota {plan}/{key}                        the key's quota in the plan (every stage of the plan)
//
// with plan and key ids "namespace/name" and route keys "GET /pets/{petId}".
import type { GatewayConfig, MeteringFailureMode, QuotaConfig, ThrottleConfig, UsagePlanConfig } from '../config/schema.js'
import { DEFAULT_ACCOUNT_THROTTLE } from '../config/schema.js'
import type { Bucket, Quota } from '../stores/meter.js'
import { meteringDomains } from '../stores/metering-domain.js'
import { quotaPeriod } from '../stores/quota-period.js'

/** A usage plan as the meter uses it. */
export interface PlanRuntime {
  readonly id: string
  readonly config: UsagePlanConfig
  /** The metering domain of every stage of the plan (one, by construction of the domains). */
  readonly domain: string
}

/** An API key on one stage, with the one usage plan it has there. */
export interface KeyOnStage {
  readonly id: string
  readonly enabled: boolean
  readonly plan: PlanRuntime
}

export interface StageMetering {
  /** "{apiId}/{stage}". */
  readonly id: string
  readonly domain: string
  readonly failureMode: MeteringFailureMode
  readonly keySource: 'HEADER' | 'AUTHORIZER'
  /** The stage default bucket, or null. */
  readonly stageBucket: Bucket | null
  /** Stage method settings by route key. */
  readonly methodBuckets: ReadonlyMap<string, Bucket>
  readonly accountBucket: Bucket
  /** The API keys that are in a usage plan for this stage, by SHA-256 digest (hex) of their value. */
  readonly keys: ReadonlyMap<string, KeyOnStage>
}

export interface MeteringIndex {
  /** By "{apiId}/{stage}". */
  readonly stages: ReadonlyMap<string, StageMetering>
  readonly plans: ReadonlyMap<string, PlanRuntime>
  /** Key ids of the config, to check ids named in usage requests. */
  readonly keyIds: ReadonlySet<string>
}

function bucket(level: Bucket['level'], key: string, t: ThrottleConfig): Bucket {
  return { level, key, rate: t.rateLimit, burst: t.burstLimit }
}

export function buildMeteringIndex(config: GatewayConfig): MeteringIndex {
  const metering = config.metering
  const account = metering?.accountThrottle ?? DEFAULT_ACCOUNT_THROTTLE
  const plansConfig = metering?.usagePlans ?? []
  const stageIds: string[] = []
  for (const api of config.apis) for (const stage of api.stages) stageIds.push(`${api.id}/${stage.name}`)
  const domains = meteringDomains(
    stageIds,
    plansConfig.map((p) => ({ plan: p.id, stages: p.apiStages.map((s) => `${s.apiId}/${s.stage}`) })),
  )
  const domainOf = (stageId: string): string => domains.get(stageId) ?? stageId.replace(/[{}]/g, '_')

  const plans = new Map<string, PlanRuntime>()
  const planOnStage = new Map<string, PlanRuntime>() // "{keyId}\n{stageId}" → plan
  for (const p of plansConfig) {
    const first = p.apiStages[0]
    const plan: PlanRuntime = { id: p.id, config: p, domain: first ? domainOf(`${first.apiId}/${first.stage}`) : p.id.replace(/[{}]/g, '_') }
    plans.set(p.id, plan)
    for (const keyId of p.apiKeys) for (const s of p.apiStages) planOnStage.set(`${keyId}\n${s.apiId}/${s.stage}`, plan)
  }

  const stages = new Map<string, StageMetering>()
  for (const api of config.apis) {
    for (const stage of api.stages) {
      const id = `${api.id}/${stage.name}`
      const keys = new Map<string, KeyOnStage>()
      // Only keys with a plan here: any other key is refused alike (403), and a stage holds no
      // more entries than it has customers.
      for (const key of metering?.apiKeys ?? []) {
        const plan = planOnStage.get(`${key.id}\n${id}`)
        if (plan !== undefined) keys.set(key.valueSha256, { id: key.id, enabled: key.enabled, plan })
      }
      const methodBuckets = new Map<string, Bucket>()
      for (const [route, t] of Object.entries(stage.methodThrottles ?? {})) methodBuckets.set(route, bucket('METHOD', `m:${id}:${route}`, t))
      stages.set(id, {
        id,
        domain: domainOf(id),
        failureMode: stage.meteringFailureMode ?? 'OPEN',
        // The stage's revision may have been deployed with another apiKeySource (RevisionConfig.settings).
        keySource: (api.revisions.find((r) => r.id === stage.revision)?.settings ?? api).apiKeySource ?? 'HEADER',
        stageBucket: stage.throttle ? bucket('STAGE', `s:${id}`, stage.throttle) : null,
        methodBuckets,
        accountBucket: bucket('ACCOUNT', 'account', account),
        keys,
      })
    }
  }
  return { stages, plans, keyIds: new Set((metering?.apiKeys ?? []).map((k) => k.id)) }
}

/** The per-client bucket of a key in a plan, or null when the plan has no throttle. */
export function clientBucket(plan: PlanRuntime, keyId: string): Bucket | null {
  return plan.config.throttle ? bucket('CLIENT', `c:${plan.id}:${keyId}`, plan.config.throttle) : null
}

/** The per-client per-method bucket of a key on a route of a stage, or null. */
export function clientMethodBucket(plan: PlanRuntime, keyId: string, stageId: string, routeKey: string): Bucket | null {
  const s = plan.config.apiStages.find((a) => `${a.apiId}/${a.stage}` === stageId)
  const t = s?.methodThrottles[routeKey]
  return t ? bucket('CLIENT_METHOD', `cm:${plan.id}:${keyId}:${stageId}:${routeKey}`, t) : null
}

/** Name of a key's quota counter in a plan. */
export function quotaKey(planId: string, keyId: string): string {
  return `${planId}/${keyId}`
}

/**
 * A key's quota in a plan, as in force at `now`: `limit - offset` in the initial period (the
 * one containing `since`), `limit` afterwards. Null when the plan has no quota.
 */
export interface QuotaSchedule {
  /** The quota after the initial period (or always, when there is no offset). */
  readonly regular: Quota
  /** The quota in the initial period, and when that period ends (epoch ms); null when no offset applies. */
  readonly initial: { readonly quota: Quota; readonly until: number } | null
}

export function quotaSchedule(plan: PlanRuntime, keyId: string): QuotaSchedule | null {
  const q: QuotaConfig | null = plan.config.quota
  if (q === null) return null
  const key = quotaKey(plan.id, keyId)
  const regular: Quota = { key, limit: q.limit, period: q.period }
  if (q.offset === 0 || q.since === null) return { regular, initial: null }
  const until = quotaPeriod(q.since, q.period).end
  return { regular, initial: { quota: { key, limit: Math.max(0, q.limit - q.offset), period: q.period }, until } }
}

export function quotaAt(schedule: QuotaSchedule, now: number): Quota {
  return schedule.initial !== null && now < schedule.initial.until ? schedule.initial.quota : schedule.regular
}
