// UsagePlans: the API stages a plan covers (with per-method throttles), its throttle and quota,
// and its keys (by name and by label selector). A schema-valid plan is in effect; a problem
// with one of its parts leaves out that part only:
//
//   - a stage that is not served (its Api or Stage does not exist, or is not accepted):
//     warning StageNotFound, the stage is left out (its keys get 403 there);
//   - a per-method throttle naming no route of that stage: warning RouteNotFound, ignored;
//   - a key named that does not exist: warning ApiKeyNotFound;
//   - a reference to another namespace: error RefNotPermitted, that reference is left out;
//   - a key that an earlier plan (by namespace/name) already has for one of this plan's stages:
//     error ApiKeyPlanConflict on this plan and on the key; the key stays in the earlier plan
//     and is left out of this one (AWS refuses to add a key to a second plan for one stage).
import { error, warning, type Problem } from '../../crds/problems.js'
import type { UsagePlanSpec } from '../../crds/usageplan.js'
import { routeKeyOfMethodKey, type PlanApiStageConfig, type ThrottleConfig, type UsagePlanConfig } from '../../proxy/config/schema.js'
import type { ApiKeyBuild } from './apikeys.js'
import { childField } from './fields.js'
import { selects } from './selector.js'
import type { Entry } from './types.js'

/** A served stage: what a plan may cover. Keyed by "apiNamespace/apiName\0stageName". */
export interface ServedStage {
  apiId: string
  stageName: string
  routeKeys: ReadonlySet<string>
}
export type ServedStages = ReadonlyMap<string, ServedStage>

export interface PlanBuild {
  entry: Entry
  /** "namespace/name". */
  id: string
  config: UsagePlanConfig
  /** The keys in the plan, in effect (value known). */
  keys: ApiKeyBuild[]
}

export function compileUsagePlans(entries: readonly Entry[], keys: readonly ApiKeyBuild[], served: ServedStages): PlanBuild[] {
  const plans = entries.map((entry) => compilePlan(entry, keys, served))
  resolveKeyConflicts(plans)
  return plans
}

function compilePlan(entry: Entry, allKeys: readonly ApiKeyBuild[], served: ServedStages): PlanBuild {
  const spec = entry.obj.spec as UsagePlanSpec
  const ns = entry.ref.namespace
  const problems: Problem[] = []

  const apiStages: PlanApiStageConfig[] = []
  ;(spec.apiStages ?? []).forEach((s, i) => {
    const f = `spec.apiStages[${i}]`
    const apiNs = s.apiRef.namespace ?? ns
    if (apiNs !== ns) {
      problems.push(error(`${f}.apiRef.namespace`, 'RefNotPermitted', `apiRef to namespace ${apiNs} is not permitted: cross-namespace references need a grant, which is not implemented yet`))
      return
    }
    const stage = served.get(`${apiNs}/${s.apiRef.name}\u0000${s.stage}`)
    if (stage === undefined) {
      problems.push(warning(f, 'StageNotFound', `Api ${apiNs}/${s.apiRef.name} serves no stage ${s.stage} (the Api or the Stage does not exist or is not accepted); keys of this plan cannot call it`))
      return
    }
    const methodThrottles: Record<string, ThrottleConfig> = {}
    for (const [methodKey, throttle] of Object.entries(s.throttle ?? {})) {
      const routeKey = routeKeyOfMethodKey(methodKey)
      if (routeKey === undefined || !stage.routeKeys.has(routeKey)) {
        problems.push(warning(childField(`${f}.throttle`, methodKey), 'RouteNotFound', `Api ${s.apiRef.name} has no route ${routeKey ?? methodKey}; this throttle has no effect`))
        continue
      }
      methodThrottles[routeKey] = { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit }
    }
    apiStages.push({ apiId: stage.apiId, stage: stage.stageName, methodThrottles: sortedRecord(methodThrottles) })
  })
  apiStages.sort((a, b) => cmp(`${a.apiId}/${a.stage}`, `${b.apiId}/${b.stage}`))

  const keys = new Map<string, ApiKeyBuild>()
  const byId = new Map(allKeys.map((k) => [k.id, k]))
  ;(spec.apiKeys ?? []).forEach((ref, i) => {
    const keyNs = ref.namespace ?? ns
    if (keyNs !== ns) {
      problems.push(error(`spec.apiKeys[${i}].namespace`, 'RefNotPermitted', `ApiKey in namespace ${keyNs}: a plan takes keys of its own namespace`))
      return
    }
    const key = byId.get(`${keyNs}/${ref.name}`)
    if (key === undefined) problems.push(warning(`spec.apiKeys[${i}]`, 'ApiKeyNotFound', `ApiKey ${keyNs}/${ref.name} not found`))
    else if (key.valueSha256 !== undefined) keys.set(key.id, key)
  })
  if (spec.apiKeySelector !== undefined) {
    for (const key of allKeys) {
      if (key.entry.ref.namespace === ns && key.valueSha256 !== undefined && selects(spec.apiKeySelector, key.labels)) keys.set(key.id, key)
    }
  }

  const quota = spec.quota
  let since: number | null = null
  if (quota && (quota.offset ?? 0) > 0) {
    const created = (entry.obj.metadata as { creationTimestamp?: unknown } | undefined)?.creationTimestamp
    const ms = typeof created === 'string' ? Date.parse(created) : NaN
    if (Number.isFinite(ms)) since = ms
    else {
      problems.push(
        warning(
          'spec.quota.offset',
          'QuotaOffsetIgnored',
          'offset lowers the limit in the plan\'s first period, counted from metadata.creationTimestamp, which this UsagePlan does not have (files in standalone mode); the full limit applies',
        ),
      )
    }
  }
  entry.problems.push(...problems)
  const id = `${ns}/${entry.ref.name}`
  return {
    entry,
    id,
    keys: [...keys.values()].sort((a, b) => cmp(a.id, b.id)),
    config: {
      id,
      source: { ...entry.ref, kind: 'UsagePlan' },
      throttle: spec.throttle ? { rateLimit: spec.throttle.rateLimit, burstLimit: spec.throttle.burstLimit } : null,
      quota: quota ? { limit: quota.limit, period: quota.period, offset: quota.offset ?? 0, since } : null,
      apiStages,
      apiKeys: [],
    },
  }
}

/** A key in two plans for one stage: the plan that sorts first keeps it (plans come sorted). */
function resolveKeyConflicts(plans: readonly PlanBuild[]): void {
  const owner = new Map<string, PlanBuild>()
  for (const plan of plans) {
    const kept: ApiKeyBuild[] = []
    for (const key of plan.keys) {
      const clash = plan.config.apiStages
        .map((s) => ({ stage: `${s.apiId}/${s.stage}`, other: owner.get(`${key.id}\n${s.apiId}/${s.stage}`) }))
        .find((c) => c.other !== undefined)
      if (clash !== undefined) {
        const other = clash.other!
        plan.entry.problems.push(
          error('spec', 'ApiKeyPlanConflict', `ApiKey ${key.entry.ref.name} is left out of this plan: it is in UsagePlan ${other.entry.ref.name}, which covers stage ${clash.stage} too (a key may be in one plan per stage)`),
        )
        key.entry.problems.push(
          error('', 'ApiKeyPlanConflict', `UsagePlans ${other.entry.ref.name} and ${plan.entry.ref.name} both take this key for stage ${clash.stage}; it stays in ${other.entry.ref.name}`),
        )
        continue
      }
      kept.push(key)
      for (const s of plan.config.apiStages) owner.set(`${key.id}\n${s.apiId}/${s.stage}`, plan)
    }
    plan.keys = kept
    plan.config.apiKeys = kept.map((k) => k.id)
  }
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const key of Object.keys(record).sort()) out[key] = record[key]!
  return out
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
