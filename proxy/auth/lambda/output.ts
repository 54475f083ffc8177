// What a Lambda authorizer function answers, checked once per call (never per cached use).
//
//   policy response (REST; HTTP APIs 1.0, and 2.0 without simple responses):
//     { principalId, policyDocument, context?, usageIdentifierKey? }
//   simple response (HTTP APIs, payload 2.0 with enableSimpleResponses):
//     { isAuthorized, context? }
//
// A malformed answer is the function's configuration error, as API Gateway treats it (500
// AUTHORIZER_CONFIGURATION_ERROR, `{"message":null}`): not an object, no principalId, a policy
// document that is not one, a context value that is an object or an array (API Gateway: only
// strings, numbers and booleans; null values are left out), a usageIdentifierKey that is not a
// string.
import { parsePolicy, PolicyError, type Policy } from '../policy.js'

export type AuthorizerContext = Readonly<Record<string, string | number | boolean>>

export type AuthorizerOutput =
  | {
      readonly kind: 'policy'
      readonly principalId: string
      readonly policy: Policy
      readonly context: AuthorizerContext
      readonly usageIdentifierKey: string | null
    }
  | { readonly kind: 'simple'; readonly isAuthorized: boolean; readonly context: AuthorizerContext }

/** The function's answer is not a valid authorizer output; the message says why (for logs). */
export class OutputError extends Error {}

const EMPTY_CONTEXT: AuthorizerContext = Object.freeze({})

function parseContext(value: unknown): AuthorizerContext {
  if (value === undefined || value === null) return EMPTY_CONTEXT
  if (typeof value !== 'object' || Array.isArray(value)) throw new OutputError('context must be an object')
  const out: Record<string, string | number | boolean> = {}
  let any = false
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null) continue
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new OutputError(`context.${key} must be a string, a number or a boolean`)
    }
    out[key] = v
    any = true
  }
  return any ? Object.freeze(out) : EMPTY_CONTEXT
}

/**
 * Checks a function's answer. `simple`: the authorizer has enableSimpleResponses (HTTP APIs,
 * payload 2.0), so `{isAuthorized}` is accepted (a policy response still is).
 */
export function parseOutput(value: unknown, simple: boolean): AuthorizerOutput {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new OutputError('the answer is not a JSON object')
  const out = value as Record<string, unknown>
  if (simple && out.policyDocument === undefined) {
    if (typeof out.isAuthorized !== 'boolean') throw new OutputError('isAuthorized must be a boolean')
    return { kind: 'simple', isAuthorized: out.isAuthorized, context: parseContext(out.context) }
  }
  const principal = out.principalId
  if (typeof principal !== 'string' && typeof principal !== 'number') throw new OutputError('principalId is missing')
  if (out.policyDocument === undefined || out.policyDocument === null) throw new OutputError('policyDocument is missing')
  if (typeof out.policyDocument !== 'object') throw new OutputError('policyDocument must be an object')
  let policy: Policy
  try {
    policy = parsePolicy(out.policyDocument)
  } catch (err) {
    if (err instanceof PolicyError) throw new OutputError(`policyDocument: ${err.message}`)
    throw err
  }
  const key = out.usageIdentifierKey
  if (key !== undefined && key !== null && typeof key !== 'string') throw new OutputError('usageIdentifierKey must be a string')
  return {
    kind: 'policy',
    principalId: String(principal),
    policy,
    context: parseContext(out.context),
    usageIdentifierKey: typeof key === 'string' && key !== '' ? key : null,
  }
}
