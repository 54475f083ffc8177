// The resource policy of an Api, compiled once per config: which callers may invoke which
// methods. Evaluated per request with the caller's facts (source IP, IAM identity, namespace).
//
// Resources: API Gateway's shorthand `execute-api:/{stage}/{METHOD}/{path}` is expanded at
// compile time to `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` (the
// API's own ARN, as AWS does when the policy is saved); full ARNs, with `*` and `?`, work as
// written.
//
// Principal: "*" or {"AWS": "*"} matches every caller; a principal naming IAM ARNs or account
// ids matches a SigV4 caller with that identity (anonymous callers match only "*"). NotPrincipal
// is not supported (an Allow with it never applies, a Deny with it always does). Conditions:
// conditions.ts.
import type { ApiConfig, GatewayConfig } from '../config/schema.js'
import type { RequestContext } from '../context.js'
import { arnSettings } from './arn.js'
import { compileCondition, conditionHolds, type CompiledCondition, type ConditionProblem } from './conditions.js'
import { evaluatePolicy, INVOKE_ACTION, parsePolicy, PolicyError, type Policy, type PolicyDecision, type Statement } from './policy.js'

/** Whose ARNs the `execute-api:/` shorthand expands to. */
export interface PolicyScope {
  readonly region: string
  readonly accountId: string
  readonly apiId: string
}

export interface ResourcePolicy {
  readonly policy: Policy
  /**
   * Per statement (by index): its compiled Condition, null without one, or the problem that
   * keeps it from being evaluated (such a statement never allows, and a Deny with it applies).
   */
  readonly conditions: readonly (CompiledCondition | ConditionProblem | null)[]
}

const SHORTHAND = 'execute-api:/'

function expand(value: unknown, scope: PolicyScope): unknown {
  const one = (v: unknown) =>
    typeof v === 'string' && v.startsWith(SHORTHAND) ? `arn:aws:execute-api:${scope.region}:${scope.accountId}:${scope.apiId}/${v.slice(SHORTHAND.length)}` : v
  return Array.isArray(value) ? value.map(one) : one(value)
}

/** The document with `execute-api:/...` resources expanded to the API's ARNs. */
function expandShorthand(doc: unknown, scope: PolicyScope): unknown {
  let value = doc
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return doc // parsePolicy says why
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const raw = (value as Record<string, unknown>).Statement
  const expandOne = (s: unknown): unknown => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return s
    const stmt = { ...(s as Record<string, unknown>) }
    if (stmt.Resource !== undefined) stmt.Resource = expand(stmt.Resource, scope)
    if (stmt.NotResource !== undefined) stmt.NotResource = expand(stmt.NotResource, scope)
    return stmt
  }
  return { ...(value as Record<string, unknown>), Statement: Array.isArray(raw) ? raw.map(expandOne) : expandOne(raw) }
}

function isProblem(c: CompiledCondition | ConditionProblem | null): c is ConditionProblem {
  return c !== null && 'message' in c
}

/**
 * Compiles a policy document for one API. Throws PolicyError when it is not a policy document;
 * conditions Tollgate cannot evaluate do not throw (see `ResourcePolicy.conditions`): the
 * compiler refuses them earlier (`resourcePolicyProblems`).
 */
export function compileResourcePolicy(doc: unknown, scope?: PolicyScope): ResourcePolicy {
  const policy = parsePolicy(scope === undefined ? doc : expandShorthand(doc, scope))
  const conditions = policy.statements.map((stmt) => {
    if (stmt.condition === null) return null
    const result = compileCondition(stmt.condition, `Statement[${stmt.index}].Condition`)
    return result.ok ? result.condition : result.problem
  })
  return { policy, conditions }
}

// One compiled policy per API of a config: the policy stage (every route but AWS_IAM) and the
// SigV4 authorizer (AWS_IAM routes) share it. Keyed by the config objects, so it lives exactly
// as long as the config does.
const perApi = new WeakMap<ApiConfig, { gateway: GatewayConfig; policy: ResourcePolicy }>()

/**
 * The Api's resource policy, compiled once per config with `execute-api:/` shorthand expanded
 * to the Api's ARN; null without one. Throws PolicyError for a document that is not a policy
 * (the compiler refuses those first).
 */
export function apiResourcePolicy(api: ApiConfig, gateway: GatewayConfig): ResourcePolicy | null {
  if (api.policy === undefined) return null
  const cached = perApi.get(api)
  if (cached !== undefined && cached.gateway === gateway) return cached.policy
  const { region, accountId } = arnSettings(gateway)
  const policy = compileResourcePolicy(api.policy, { region, accountId, apiId: api.id })
  perApi.set(api, { gateway, policy })
  return policy
}

export interface PolicyDocumentProblem {
  /** InvalidPolicy (not a policy document), InvalidPolicyCondition (a malformed condition), UnsupportedPolicyCondition. */
  readonly reason: 'InvalidPolicy' | 'InvalidPolicyCondition' | 'UnsupportedPolicyCondition'
  readonly message: string
}

/** What the compiler reports for an Api's `spec.policy`: every problem, [] when it is usable. */
export function resourcePolicyProblems(doc: unknown): PolicyDocumentProblem[] {
  let compiled: ResourcePolicy
  try {
    compiled = compileResourcePolicy(doc)
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err
    return [{ reason: 'InvalidPolicy', message: err.message }]
  }
  const problems: PolicyDocumentProblem[] = []
  for (const c of compiled.conditions) {
    if (isProblem(c)) problems.push({ reason: c.unsupported ? 'UnsupportedPolicyCondition' : 'InvalidPolicyCondition', message: c.message })
  }
  compiled.policy.statements.forEach((stmt) => {
    if (stmt.notPrincipal !== null) problems.push({ reason: 'UnsupportedPolicyCondition', message: `Statement[${stmt.index}].NotPrincipal is not supported; use Principal with a Condition` })
  })
  return problems
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

function extraMatches(policy: ResourcePolicy, stmt: Statement, ctx: RequestContext): boolean {
  // NotPrincipal is refused by the compiler; should it reach a proxy, it never allows and a Deny with it applies.
  if (stmt.notPrincipal !== null) return stmt.effect === 'Deny'
  if (stmt.principal !== null && !principalMatches(stmt.principal, ctx)) return false
  const condition = policy.conditions[stmt.index] ?? null
  if (condition === null) return true
  // A condition that cannot be evaluated never allows, and a Deny with it applies (fail safe).
  if (isProblem(condition)) return stmt.effect === 'Deny'
  return conditionHolds(condition, ctx)
}

/** ALLOW, DENY (an explicit Deny) or NONE for this request on `methodArn`. */
export function resourcePolicyDecision(policy: ResourcePolicy, ctx: RequestContext, methodArn: string): PolicyDecision {
  return evaluatePolicy(policy.policy, INVOKE_ACTION, methodArn, (stmt) => extraMatches(policy, stmt, ctx))
}

/** The ARN as AWS shows it in denials: the account masked to its last four digits. */
export function maskedArn(arn: string): string {
  // arn:aws:execute-api:{region}:{account}:{rest}
  const parts = arn.split(':')
  if (parts.length < 6) return arn
  const account = parts[4]!
  parts[4] = account.length > 4 ? `********${account.slice(-4)}` : account
  return parts.join(':')
}

/**
 * AWS's message for a request the resource policy refuses: `principal` is "anonymous" for
 * callers without an IAM identity, the caller's ARN otherwise.
 */
export function resourcePolicyDenialMessage(methodArn: string, explicit: boolean, principal = 'anonymous'): string {
  const head = `User: ${principal} is not authorized to perform: ${INVOKE_ACTION} on resource: ${maskedArn(methodArn)}`
  return explicit ? `${head} with an explicit deny in a resource-based policy` : `${head} because no resource-based policy allows the ${INVOKE_ACTION} action`
}
