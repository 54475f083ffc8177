// The Condition element of resource policies, compiled once per config into predicates over a
// request. IAM's semantics:
//
//   - every operator of a Condition block must hold, and within one operator every key (AND);
//   - a key given several values holds when any value matches (OR); for a negated operator
//     (StringNotEquals, StringNotLike, NotIpAddress, ...) when none matches;
//   - a key the request does not have: a positive operator does not hold, a negated one holds,
//     an ...IfExists operator holds; `Null: {key: "true"}` holds exactly when the key is absent.
//
// Condition keys (case-insensitive, as in IAM):
//   aws:SourceIp              IpAddress / NotIpAddress, IPv4 and IPv6 CIDRs (source-ip.ts)
//   tollgate:SourceNamespace  the caller pod's Kubernetes namespace (namespace-index.ts);
//                             absent outside a cluster or for an address no pod has
//   aws:UserAgent, aws:Referer  the request headers (absent when not sent)
//   aws:PrincipalArn, aws:PrincipalAccount  the SigV4 caller's identity (absent when anonymous)
// String keys take StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase, StringLike, StringNotLike (`*` and `?` wildcards).
//
// What Tollgate cannot evaluate is refused by the compiler (UnsupportedPolicyCondition) and,
// should such a policy reach a proxy anyway, never allows: an Allow statement with it does not
// match, a Deny statement with it does (fail safe). aws:SourceVpc / aws:SourceVpce have no
// meaning without VPC endpoints: use tollgate:SourceNamespace for PRIVATE APIs.
import type { RequestContext } from '../context.js'
import { parseCidr, IpRanges, type Cidr } from './ip.js'
import { wildcard } from './policy.js'

type Kind = 'ip' | 'string'
type Reader = (ctx: RequestContext) => string | undefined

interface KeyDef {
  readonly name: string
  readonly kind: Kind
  readonly read: Reader
}

const KEYS: ReadonlyMap<string, KeyDef> = new Map(
  (
    [
      { name: 'aws:SourceIp', kind: 'ip', read: (ctx) => ctx.sourceIp },
      { name: 'tollgate:SourceNamespace', kind: 'string', read: (ctx) => ctx.sourceNamespace },
      { name: 'aws:UserAgent', kind: 'string', read: (ctx) => ctx.header('user-agent') },
      { name: 'aws:Referer', kind: 'string', read: (ctx) => ctx.header('referer') },
      { name: 'aws:PrincipalArn', kind: 'string', read: (ctx) => ctx.identity?.userArn },
      { name: 'aws:PrincipalAccount', kind: 'string', read: (ctx) => ctx.identity?.accountId },
    ] satisfies KeyDef[]
  ).map((k) => [k.name.toLowerCase(), k]),
)

/** Keys with a meaning on AWS only; the message says what to use instead. */
const AWS_ONLY: ReadonlyMap<string, string> = new Map([
  ['aws:sourcevpc', 'there are no VPCs here; restrict PRIVATE APIs by the caller\'s namespace with tollgate:SourceNamespace'],
  ['aws:sourcevpce', 'there are no VPC endpoints here; restrict PRIVATE APIs by the caller\'s namespace with tollgate:SourceNamespace'],
])

interface OperatorDef {
  readonly kind: Kind | 'null'
  readonly negated: boolean
  readonly ignoreCase: boolean
  readonly like: boolean
}

const OPERATORS: ReadonlyMap<string, OperatorDef> = new Map([
  ['StringEquals', { kind: 'string', negated: false, ignoreCase: false, like: false }],
  ['StringNotEquals', { kind: 'string', negated: true, ignoreCase: false, like: false }],
  ['StringEqualsIgnoreCase', { kind: 'string', negated: false, ignoreCase: true, like: false }],
  ['StringNotEqualsIgnoreCase', { kind: 'string', negated: true, ignoreCase: true, like: false }],
  ['StringLike', { kind: 'string', negated: false, ignoreCase: false, like: true }],
  ['StringNotLike', { kind: 'string', negated: true, ignoreCase: false, like: true }],
  ['IpAddress', { kind: 'ip', negated: false, ignoreCase: false, like: false }],
  ['NotIpAddress', { kind: 'ip', negated: true, ignoreCase: false, like: false }],
  ['Null', { kind: 'null', negated: false, ignoreCase: false, like: false }],
] satisfies [string, OperatorDef][])

/** One operator-key pair: does it hold for this request? */
type Test = (ctx: RequestContext) => boolean

/** A compiled Condition block: all tests must hold. */
export interface CompiledCondition {
  readonly tests: readonly Test[]
}

/** Why a Condition block cannot be used. `unsupported`: well-formed IAM that Tollgate does not evaluate. */
export interface ConditionProblem {
  readonly unsupported: boolean
  readonly message: string
}

export type ConditionResult = { ok: true; condition: CompiledCondition } | { ok: false; problem: ConditionProblem }

function values(raw: unknown): string[] | null {
  const list = Array.isArray(raw) ? raw : [raw]
  if (list.length === 0) return null
  const out: string[] = []
  for (const v of list) {
    if (typeof v === 'string') out.push(v)
    else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v))
    else return null
  }
  return out
}

function stringMatcher(op: OperatorDef, list: readonly string[]): (value: string) => boolean {
  if (op.like) {
    const patterns = list.map((p) => wildcard(p, false))
    return (value) => patterns.some((re) => re.test(value))
  }
  if (op.ignoreCase) {
    const set = new Set(list.map((v) => v.toLowerCase()))
    return (value) => set.has(value.toLowerCase())
  }
  const set = new Set(list)
  return (value) => set.has(value)
}

function compileTest(where: string, opName: string, op: OperatorDef, ifExists: boolean, key: KeyDef, raw: unknown): Test | ConditionProblem {
  const list = values(raw)
  if (list === null) return { unsupported: false, message: `${where}: the values must be a string or a non-empty list of strings` }
  const read = key.read
  if (op.kind === 'null') {
    if (list.some((v) => v !== 'true' && v !== 'false')) return { unsupported: false, message: `${where}: Null takes "true" or "false"` }
    const wantAbsent = list.includes('true')
    const wantPresent = list.includes('false')
    return (ctx) => {
      const absent = read(ctx) === undefined
      return absent ? wantAbsent : wantPresent
    }
  }
  if (op.kind !== key.kind) {
    const takes = key.kind === 'ip' ? 'IpAddress or NotIpAddress' : 'the String operators'
    return { unsupported: false, message: `${where}: ${key.name} takes ${takes}, not ${opName}` }
  }
  if (list.some((v) => v.includes('${'))) return { unsupported: true, message: `${where}: policy variables (\${...}) are not supported` }
  let matches: (value: string) => boolean
  if (op.kind === 'ip') {
    const ranges: Cidr[] = []
    for (const v of list) {
      const r = parseCidr(v)
      if (typeof r === 'string') return { unsupported: false, message: `${where}: ${r}` }
      ranges.push(r)
    }
    const set = new IpRanges(ranges)
    matches = (value) => set.contains(value)
  } else {
    matches = stringMatcher(op, list)
  }
  const negated = op.negated
  return (ctx) => {
    const value = read(ctx)
    if (value === undefined || value === '') return ifExists || negated
    return matches(value) !== negated
  }
}

/**
 * Compiles a Condition element. `where` names it in messages ("Statement[1].Condition").
 */
export function compileCondition(condition: unknown, where: string): ConditionResult {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
    return { ok: false, problem: { unsupported: false, message: `${where} must be an object of operators` } }
  }
  const tests: Test[] = []
  for (const [opText, block] of Object.entries(condition as Record<string, unknown>)) {
    const at = `${where}.${opText}`
    if (opText.includes(':')) {
      return { ok: false, problem: { unsupported: true, message: `${at}: set qualifiers (ForAnyValue:, ForAllValues:) are not supported; Tollgate's condition keys have one value, so write the operator alone` } }
    }
    const ifExists = opText.endsWith('IfExists')
    const opName = ifExists ? opText.slice(0, -'IfExists'.length) : opText
    const op = OPERATORS.get(opName)
    if (op === undefined || (ifExists && op.kind === 'null')) {
      return { ok: false, problem: { unsupported: true, message: `${at}: unknown or unsupported condition operator (supported: ${[...OPERATORS.keys()].join(', ')}, and ...IfExists)` } }
    }
    if (block === null || typeof block !== 'object' || Array.isArray(block) || Object.keys(block).length === 0) {
      return { ok: false, problem: { unsupported: false, message: `${at} must map condition keys to values` } }
    }
    for (const [keyText, raw] of Object.entries(block as Record<string, unknown>)) {
      const lower = keyText.toLowerCase()
      const key = KEYS.get(lower)
      if (key === undefined) {
        const hint = AWS_ONLY.get(lower)
        const message = hint !== undefined ? `${at}: ${keyText} is not supported: ${hint}` : `${at}: unknown condition key ${keyText} (supported: ${[...KEYS.values()].map((k) => k.name).join(', ')})`
        return { ok: false, problem: { unsupported: true, message } }
      }
      const test = compileTest(`${at}.${keyText}`, opName, op, ifExists, key, raw)
      if (typeof test !== 'function') return { ok: false, problem: test }
      tests.push(test)
    }
  }
  return { ok: true, condition: { tests } }
}

/** True when every test of the condition holds. */
export function conditionHolds(condition: CompiledCondition, ctx: RequestContext): boolean {
  for (const test of condition.tests) if (!test(ctx)) return false
  return true
}
