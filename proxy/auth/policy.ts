// IAM-style policy documents over execute-api: parsed once, evaluated per request.
//
// Used by every decision that takes a policy: the policy a Lambda authorizer returns, the
// identity policies of SigV4 callers (AWS_IAM) and the resource policy of an Api. Evaluation
// follows IAM: an explicit Deny in any matching statement wins, otherwise an Allow in a matching
// statement allows, otherwise the request is implicitly denied.
//
// Matching: Action/NotAction compare case-insensitively ("execute-api:Invoke"), Resource/
// NotResource case-sensitively (ARNs); in both, `*` matches any run of characters (including
// none and "/") and `?` exactly one. Principal/NotPrincipal and Condition are kept as written
// and checked by the caller's `matchesExtra` (resource policies use them; authorizer output does
// not have them).

export type Effect = 'Allow' | 'Deny'

export interface Statement {
  readonly effect: Effect
  /** Action patterns; null when the statement uses NotAction. */
  readonly actions: readonly RegExp[] | null
  readonly notActions: readonly RegExp[] | null
  readonly resources: readonly RegExp[] | null
  readonly notResources: readonly RegExp[] | null
  /** Principal / NotPrincipal / Condition as written (null when absent). */
  readonly principal: unknown
  readonly notPrincipal: unknown
  readonly condition: unknown
  /** Position in the document, for messages. */
  readonly index: number
}

export interface Policy {
  readonly statements: readonly Statement[]
}

export type PolicyDecision = 'ALLOW' | 'DENY' | 'NONE'

export class PolicyError extends Error {}

/** A wildcard pattern (`*`, `?`) as an anchored regular expression. */
export function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '^'
  for (const ch of pattern) {
    if (ch === '*') source += '.*'
    else if (ch === '?') source += '.'
    else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
  }
  return new RegExp(`${source}$`, caseInsensitive ? 'is' : 's')
}

function stringList(value: unknown, field: string, index: number): string[] {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw new PolicyError(`Statement[${index}].${field} must be a string or a non-empty list of strings`)
  }
  return list as string[]
}

function patterns(stmt: Record<string, unknown>, field: string, index: number, ci: boolean): RegExp[] | null {
  if (stmt[field] === undefined) return null
  return stringList(stmt[field], field, index).map((p) => wildcard(p, ci))
}

/** Parses a policy document (an object, or its JSON text). Throws PolicyError saying what is wrong. */
export function parsePolicy(doc: unknown): Policy {
  let value = doc
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      throw new PolicyError('the policy document is not valid JSON')
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PolicyError('the policy document must be an object')
  const raw = (value as Record<string, unknown>).Statement
  const list = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : undefined
  if (list === undefined || list.length === 0) throw new PolicyError('the policy document has no Statement')
  const statements = list.map((s, index): Statement => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new PolicyError(`Statement[${index}] must be an object`)
    const stmt = s as Record<string, unknown>
    if (stmt.Effect !== 'Allow' && stmt.Effect !== 'Deny') throw new PolicyError(`Statement[${index}].Effect must be Allow or Deny`)
    const actions = patterns(stmt, 'Action', index, true)
    const notActions = patterns(stmt, 'NotAction', index, true)
    if ((actions === null) === (notActions === null)) throw new PolicyError(`Statement[${index}] needs exactly one of Action or NotAction`)
    const resources = patterns(stmt, 'Resource', index, false)
    const notResources = patterns(stmt, 'NotResource', index, false)
    if ((resources === null) === (notResources === null)) throw new PolicyError(`Statement[${index}] needs exactly one of Resource or NotResource`)
    return {
      effect: stmt.Effect,
      actions,
      notActions,
      resources,
      notResources,
      principal: stmt.Principal ?? null,
      notPrincipal: stmt.NotPrincipal ?? null,
      condition: stmt.Condition ?? null,
      index,
    }
  })
  return { statements }
}

function anyMatch(list: readonly RegExp[], value: string): boolean {
  for (const re of list) if (re.test(value)) return true
  return false
}

function statementMatches(stmt: Statement, action: string, resource: string): boolean {
  if (stmt.actions !== null ? !anyMatch(stmt.actions, action) : anyMatch(stmt.notActions!, action)) return false
  return stmt.resources !== null ? anyMatch(stmt.resources, resource) : !anyMatch(stmt.notResources!, resource)
}

/**
 * Evaluates a policy for one action on one resource. `matchesExtra` decides the Principal and
 * Condition parts of a statement (absent: a statement with either never matches, so a policy
 * that needs them can't allow by accident).
 */
export function evaluatePolicy(
  policy: Policy,
  action: string,
  resource: string,
  matchesExtra?: (stmt: Statement) => boolean,
): PolicyDecision {
  let allowed = false
  for (const stmt of policy.statements) {
    if (!statementMatches(stmt, action, resource)) continue
    const extra = stmt.principal !== null || stmt.notPrincipal !== null || stmt.condition !== null
    if (extra && (matchesExtra === undefined || !matchesExtra(stmt))) continue
    if (stmt.effect === 'Deny') return 'DENY'
    allowed = true
  }
  return allowed ? 'ALLOW' : 'NONE'
}

export const INVOKE_ACTION = 'execute-api:Invoke'
