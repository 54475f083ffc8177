// The resource policy of an Api, compiled once per config: which callers may invoke which
// methods. Evaluated per request with the caller's facts (source IP, IAM identity, namespace).
//
// Principal: "*" or {"AWS": "*"} matches every caller; a principal naming IAM ARNs matches a
// SigV4 caller with that identity. Conditions: see `conditionMatches` (the resource-policy work
// completes it; unknown condition operators never match, so they cannot allow by accident).
import type { RequestContext } from '../context.js'
import { evaluatePolicy, INVOKE_ACTION, parsePolicy, type Policy, type PolicyDecision, type Statement } from './policy.js'

export interface ResourcePolicy {
  readonly policy: Policy
}

export function compileResourcePolicy(doc: unknown): ResourcePolicy {
  return { policy: parsePolicy(doc) }
}

function principalMatches(principal: unknown, ctx: RequestContext): boolean {
  if (principal === '*') return true
  if (principal !== null && typeof principal === 'object') {
    const aws = (principal as Record<string, unknown>).AWS
    const list = typeof aws === 'string' ? [aws] : Array.isArray(aws) ? aws : []
    for (const p of list) {
      if (p === '*') return true
      if (ctx.identity !== null && (p === ctx.identity.userArn || p === ctx.identity.accountId || p === `arn:aws:iam::${ctx.identity.accountId}:root`)) return true
    }
  }
  return false
}

function conditionMatches(condition: unknown, _ctx: RequestContext): boolean {
  return condition === null
}

function extraMatches(stmt: Statement, ctx: RequestContext): boolean {
  if (stmt.notPrincipal !== null) return false
  if (stmt.principal !== null && !principalMatches(stmt.principal, ctx)) return false
  return conditionMatches(stmt.condition, ctx)
}

/** ALLOW, DENY (an explicit Deny) or NONE for this request on `methodArn`. */
export function resourcePolicyDecision(policy: ResourcePolicy, ctx: RequestContext, methodArn: string): PolicyDecision {
  return evaluatePolicy(policy.policy, INVOKE_ACTION, methodArn, (stmt) => extraMatches(stmt, ctx))
}
