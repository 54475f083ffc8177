// Conditions from problems. No lastTransitionTime: the compiler has no clock; the operator
// keeps the old time when a condition's status is unchanged and stamps a new one otherwise.
//
//   Accepted      True when the resource has no error problems (for Api and Stage: it is
//                 served); else False with the reason of the first error.
//   ResolvedRefs  (Api, Stage) False when a reference failed (ApiNotFound, ApiNotAccepted,
//                 RefNotPermitted, RevisionNotFound), with that reason; else True.
//   Programmed    ApiKey, UsagePlan, ApiDeployment (NotServed when no stage serves it): True (reason Programmed) when in the config the proxies
//                 enforce, else False with the reason; kinds the compiler does not compile yet:
//                 False, reason NotImplemented.
// Warnings never change a status; they are listed in the Accepted message.
import type { Condition } from '../../crds/common.js'
import type { Problem } from '../../crds/problems.js'
import type { Entry } from './types.js'

export const REF_REASONS: ReadonlySet<string> = new Set(['ApiNotFound', 'ApiNotAccepted', 'RefNotPermitted', 'AuthorizerNotFound', 'RevisionNotFound'])
const MAX_LISTED = 3

export interface ConditionOptions {
  /** Api and Stage get ResolvedRefs; other kinds get Programmed (below, or False NotImplemented). */
  compiled: boolean
  /** Message of Accepted=True. */
  acceptedMessage: string
  /** ApiKey and UsagePlan: whether the resource is in the config the proxies enforce. */
  programmed?: { ok: boolean; reason: string; message: string }
}

export function conditionsFor(entry: Entry, opts: ConditionOptions): Condition[] {
  const errors = entry.problems.filter((p) => p.severity === 'error')
  const warnings = entry.problems.filter((p) => p.severity === 'warning')
  const conditions: Condition[] = []
  const add = (type: string, ok: boolean, reason: string, message: string) => {
    const c: Condition = { type, status: ok ? 'True' : 'False', reason, message }
    if (entry.generation !== undefined) c.observedGeneration = entry.generation
    conditions.push(c)
  }

  if (errors.length === 0) {
    const note = warnings.length > 0 ? ` (${warnings.length === 1 ? 'warning' : 'warnings'}: ${summarize(warnings)})` : ''
    add('Accepted', true, 'Accepted', `${opts.acceptedMessage}${note}`)
  } else {
    add('Accepted', false, conditionReason(errors[0]!), summarize(errors))
  }
  if (!entry.valid) return conditions

  if (opts.compiled) {
    const refErrors = errors.filter((p) => REF_REASONS.has(p.reason))
    if (refErrors.length === 0) add('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved')
    else add('ResolvedRefs', false, refErrors[0]!.reason, summarize(refErrors))
  } else if (opts.programmed) {
    add('Programmed', opts.programmed.ok, opts.programmed.reason, opts.programmed.message)
  } else {
    add('Programmed', false, 'NotImplemented', `${entry.ref.kind} resources are validated but not enforced yet`)
  }
  return conditions
}

/** Schema problems say which field is wrong (FieldValueInvalid); the resource as a whole has an InvalidSpec. */
function conditionReason(p: Problem): string {
  return p.reason === 'FieldValueInvalid' ? 'InvalidSpec' : p.reason
}

export function summarize(problems: readonly Problem[]): string {
  const listed = problems.slice(0, MAX_LISTED).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message))
  const more = problems.length - MAX_LISTED
  return listed.join('; ') + (more > 0 ? `; and ${more} more` : '')
}
