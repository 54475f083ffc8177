// What the status subresource of every resource should say, from the compile result, the
// last-known-good substitutions and the proxies' ACKs. Pure: the clock comes in as `now`.
//
//   Accepted, ResolvedRefs   from the compiler (compile/status.ts); for a resource whose new
//                            version has errors while its previous version keeps serving
//                            (LastKnownGood), Accepted=False says so, with the new generation.
//   Programmed (Api, Stage)  True (reason Programmed) when every proxy connected to this replica
//                            ACKed the current config hash; False with reason Pending (not all
//                            ACKed yet, or no proxy connected), Rejected (a proxy NACKed the
//                            current hash; its reason in the message) or Invalid (not served).
//   Stage .programmed        "N/M at <hash12>": N of the M proxies of this replica serve it.
//
// lastTransitionTime is kept from the current status when a condition's status did not change,
// and stamped `now` otherwise. Two statuses are "the same" when they differ at most in
// lastTransitionTime: only then is a write skipped.
import type { Condition } from '../../crds/common.js'
import type { Problem } from '../../crds/problems.js'
import { canonicalJson } from '../../proxy/config/hash.js'
import type { GatewayConfig } from '../../proxy/config/schema.js'
import type { CompileResult } from '../compile/index.js'
import { summarize } from '../compile/status.js'
import { refKey, type ResourceRef } from '../compile/types.js'
import type { Rejected } from '../last-known-good.js'

/** What a replica knows about its proxies (ConfigStream.proxies()). */
export interface FleetState {
  hash: string
  proxies: ReadonlyArray<{ id: string; ackedHash: string; nack: { hash: string; reason: string } | null }>
}

export interface DesiredStatus {
  ref: ResourceRef
  /** The status to write, without lastTransitionTime. */
  status: Record<string, unknown>
}

/** The desired status of every resource, keyed by refKey. */
export function desiredStatuses(
  result: CompileResult,
  rejected: readonly Rejected[],
  generations: ReadonlyMap<string, number>,
  fleet: FleetState,
): Map<string, DesiredStatus> {
  const served = servedRefs(result.config)
  const kept = new Map(rejected.filter((r) => r.kept).map((r) => [refKey(r.ref), r]))
  const out = new Map<string, DesiredStatus>()
  const programmed = programmedCondition(fleet)
  for (const s of result.statuses) {
    // IAM identity Secrets carry problems for logs and the CLI; the operator never writes to Secrets.
    if (s.ref.kind === 'Secret') continue
    const key = refKey(s.ref)
    const status: Record<string, unknown> = structuredClone(s.status)
    let conditions = (status.conditions as Condition[] | undefined) ?? []
    const generation = generations.get(key) ?? s.generation
    const keptBy = kept.get(key)
    if (keptBy) {
      conditions = conditions.map((c) =>
        c.type === 'Accepted'
          ? { ...c, status: 'False', reason: conditionReason(keptBy.problems[0]), message: `${summarize(keptBy.problems)}; the previous version (generation ${s.generation ?? '?'}) keeps serving` }
          : c,
      )
    }
    if (s.ref.kind === 'Api' || s.ref.kind === 'Stage') {
      if (served.has(key)) {
        conditions.push({ type: 'Programmed', ...programmed })
        if (s.ref.kind === 'Stage') status.programmed = programmedSummary(fleet)
      } else {
        conditions.push({ type: 'Programmed', status: 'False', reason: 'Invalid', message: `${s.ref.kind} is not served: it is not accepted` })
      }
    }
    if (generation !== undefined) {
      status.observedGeneration = generation
      conditions = conditions.map((c) => ({ ...c, observedGeneration: generation }))
    }
    status.conditions = conditions
    out.set(key, { ref: s.ref, status })
  }
  return out
}

function conditionReason(p: Problem | undefined): string {
  if (!p) return 'Invalid'
  return p.reason === 'FieldValueInvalid' ? 'InvalidSpec' : p.reason
}

/** refKeys of the Apis and Stages the config serves. */
export function servedRefs(config: GatewayConfig): Set<string> {
  const out = new Set<string>()
  for (const api of config.apis) {
    out.add(refKey(api.source))
    for (const stage of api.stages) out.add(refKey(stage.source))
  }
  return out
}

export function programmedCondition(fleet: FleetState): Omit<Condition, 'type'> {
  const short = fleet.hash.slice(0, 12)
  const total = fleet.proxies.length
  const acked = fleet.proxies.filter((p) => p.ackedHash === fleet.hash).length
  const refusing = fleet.proxies.filter((p) => p.nack?.hash === fleet.hash)
  if (refusing.length > 0) {
    const first = refusing[0]!
    return { status: 'False', reason: 'Rejected', message: `${refusing.length}/${total} proxies refused config ${short}; ${first.id}: ${first.nack!.reason}` }
  }
  if (total === 0) return { status: 'False', reason: 'Pending', message: `config ${short} is published; no proxy is connected to this operator replica` }
  if (acked === total) return { status: 'True', reason: 'Programmed', message: `${acked}/${total} proxies serve config ${short}` }
  return { status: 'False', reason: 'Pending', message: `${acked}/${total} proxies serve config ${short}` }
}

export function programmedSummary(fleet: FleetState): string {
  const acked = fleet.proxies.filter((p) => p.ackedHash === fleet.hash).length
  return `${acked}/${fleet.proxies.length} at ${fleet.hash.slice(0, 12)}`
}

/** `desired` with lastTransitionTime on every condition: the current one's when its status is unchanged, else `now`. */
export function stampTransitions(desired: Record<string, unknown>, current: unknown, now: Date): Record<string, unknown> {
  const before = conditionsOf(current)
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const conditions = conditionsOf(desired).map((c) => {
    const old = before.find((b) => b.type === c.type)
    return { ...c, lastTransitionTime: old && old.status === c.status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : stamp }
  })
  return { ...desired, conditions }
}

/** Equal apart from lastTransitionTime (and key order). */
export function sameStatus(a: unknown, b: unknown): boolean {
  return canonicalJson(withoutTransitions(a)) === canonicalJson(withoutTransitions(b))
}

function withoutTransitions(s: unknown): unknown {
  if (s === null || typeof s !== 'object') return s ?? {}
  const { conditions, ...rest } = s as Record<string, unknown>
  if (!Array.isArray(conditions)) return rest
  return { ...rest, conditions: conditions.map((c) => (c !== null && typeof c === 'object' ? { ...(c as object), lastTransitionTime: undefined } : c)) }
}

function conditionsOf(s: unknown): Array<Condition & { lastTransitionTime?: string }> {
  if (s === null || typeof s !== 'object') return []
  const c = (s as Record<string, unknown>).conditions
  return Array.isArray(c) ? (c as Array<Condition & { lastTransitionTime?: string }>) : []
}

/** A JSON merge patch turning `current` into `desired` at the top level of status (removed keys → null). */
export function statusMergePatch(desired: Record<string, unknown>, current: unknown): { status: Record<string, unknown> } {
  const patch: Record<string, unknown> = { ...desired }
  if (current !== null && typeof current === 'object') {
    for (const key of Object.keys(current)) if (!(key in desired)) patch[key] = null
  }
  return { status: patch }
}
