// Adapts the proxy's RequestContext to the engine's MappingData: $input.params() (path,
// querystring — last value wins —, headers as the client spelled them), $context (the REST key
// set: the keys parameter mappings read, plus identity and authorizer), $stageVariables.
import type { RequestContext } from '../context.js'
import { CONTEXT_KEYS } from '../integrations/mapping.js'
import type { MappingData } from './apigateway.js'

function headers(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {}
  const byLower = new Map<string, string>()
  const raw = ctx.req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    const lower = name.toLowerCase()
    const seen = byLower.get(lower)
    if (seen === undefined) {
      byLower.set(lower, name)
      out[name] = raw[i + 1]!
    } else out[seen] = `${out[seen]},${raw[i + 1]!}`
  }
  return out
}

function querystring(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {}
  if (ctx.rawQuery !== '') for (const [k, v] of new URLSearchParams(ctx.rawQuery)) out[k] = v
  return out
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** $context.requestTime as API Gateway formats it (CLF): 29/Nov/2026:21:33:15 +0000. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]!}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
}

/** $context.authorizer: principalId, the Lambda authorizer's context keys, and claims (JWT / user pools). */
function authorizer(ctx: RequestContext): Record<string, unknown> {
  const result = ctx.authorizer
  if (result === null) return { principalId: '' }
  const out: Record<string, unknown> = { ...result.context, principalId: result.principalId, integrationLatency: result.latencyMs }
  if (result.claims !== null) out.claims = result.claims
  return out
}

function identity(ctx: RequestContext): Record<string, unknown> {
  const id = ctx.identity
  return {
    sourceIp: ctx.sourceIp,
    userAgent: ctx.contextValue('identity.userAgent'),
    apiKeyId: ctx.apiKeyId ?? '',
    accessKey: id?.accessKey ?? '',
    accountId: id?.accountId ?? '',
    caller: id?.caller ?? '',
    user: id?.user ?? '',
    userArn: id?.userArn ?? '',
    cognitoAuthenticationProvider: '',
    cognitoAuthenticationType: '',
    cognitoIdentityId: '',
    cognitoIdentityPoolId: '',
  }
}

/** What templates read that is fixed per config, not per request. */
export interface TemplateEnv {
  /** $context.accountId: the account of the gateway's ARNs. */
  readonly accountId: string
}

export function mappingData(ctx: RequestContext, body: string, env: TemplateEnv): MappingData {
  const context: Record<string, unknown> = { accountId: env.accountId }
  for (const key of CONTEXT_KEYS) if (!key.includes('.')) context[key] = ctx.contextValue(key)
  context.requestTime = clfTime(ctx.startedAt)
  context.requestTimeEpoch = ctx.startedAt
  context.identity = identity(ctx)
  context.authorizer = authorizer(ctx)
  return {
    body,
    path: ctx.pathParams,
    querystring: querystring(ctx),
    header: headers(ctx),
    context,
    stageVariables: ctx.stage.variables,
  }
}
