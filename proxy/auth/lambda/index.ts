// CUSTOM routes: TOKEN and REQUEST authorizers called over the Lambda invoke API.
//
// Per request (HOT PATH — change with care):
//   1. read the identity sources; one missing or empty → 401 UNAUTHORIZED, no call (TOKEN: a
//      token that does not match identityValidationExpression, too);
//   2. with caching (resultTtlSeconds > 0 and identity sources to key on): look the identity up;
//      a hit is decided synchronously, without a call and without a promise;
//   3. otherwise call the function (invoke.ts) with the event of the authorizer's kind
//      (event.ts), check its answer (output.ts), cache it;
//   4. decide: a policy answer is evaluated against this request's methodArn (explicit Deny →
//      403 "... with an explicit deny", no matching Allow → 403 "User is not authorized to access
//      this resource"); a simple answer ({isAuthorized}, HTTP APIs) allows or 403s;
//   5. allowed: ctx.authorizer ($context.authorizer: principalId, context) and
//      ctx.usageIdentifierKey (the API key for apiKeySource AUTHORIZER) are set for the stages
//      after this one (meter, mappings; the Lambda proxy event when AWS_PROXY lands).
//
// Everything else is fixed at config load: the readers of the identity sources, the validation
// expression, the methodArn prefix, the event builder, the cache scope.
import { hash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { ApiConfig, LambdaAuthorizerConfig, RouteConfig, StageConfig } from '../../config/schema.js'
import type { RequestContext } from '../../context.js'
import { GatewayError } from '../../errors.js'
import { resolveStageVariables } from '../../stage-variables.js'
import type { Handler, StageInput } from '../../pipeline/types.js'
import { arnSettings, methodArn, methodArnPrefix } from '../arn.js'
import { evaluatePolicy, INVOKE_ACTION } from '../policy.js'
import { requestEvent, requestEventV2, tokenEvent, type EventBuilder } from './event.js'
import { compileIdentitySource, readIdentity } from './identity.js'
import { configurationError, invokeFunction, UNAUTHORIZED } from './invoke.js'
import { OutputError, parseOutput, type AuthorizerOutput } from './output.js'
import type { AuthorizerCounters, LambdaAuthorizerState } from './state.js'

// Shared error instances: a denial costs no stack capture and carries no request data.
const EXPLICIT_DENY = new GatewayError('TG_ERR_ACCESS_DENIED', 'ACCESS_DENIED', 'the authorizer policy denies the methodArn explicitly')
const NOT_ALLOWED = new GatewayError(
  'TG_ERR_ACCESS_DENIED',
  'ACCESS_DENIED',
  'the authorizer policy allows nothing that matches the methodArn',
  'User is not authorized to access this resource',
)
const NOT_AUTHORIZED = new GatewayError('TG_ERR_ACCESS_DENIED', 'ACCESS_DENIED', 'the authorizer answered isAuthorized: false')

/** The origin of the authorizer function a CUSTOM route calls on a stage (its pool is held by the runtime); null otherwise. */
export function lambdaAuthorizerOrigin(api: ApiConfig, stage: StageConfig, route: RouteConfig): string | null {
  if (route.authorizationType !== 'CUSTOM' || route.authorizer === undefined) return null
  const a = api.authorizers?.find((x) => x.name === route.authorizer)
  if (a === undefined || (a.type !== 'TOKEN' && a.type !== 'REQUEST')) return null
  const resolved = resolveStageVariables(a.invokeUri, stage.variables)
  if (resolved.missing.length > 0) return null
  try {
    return new URL(resolved.text).origin
  } catch {
    return null
  }
}

/**
 * The invoke URL of a Lambda authorizer on a stage: `${stageVariables.NAME}` in it (the host, the
 * function name, an alias) resolved with the stage's variables, as API Gateway resolves them in
 * an authorizer's function ARN. An undefined variable makes the route a configuration error (500).
 */
function invokeUrl(authorizer: LambdaAuthorizerConfig, stage: StageConfig): URL {
  const resolved = resolveStageVariables(authorizer.invokeUri, stage.variables)
  if (resolved.missing.length > 0) {
    throw new Error(`stage variable ${resolved.missing.join(', ')} used by the function URI of authorizer ${authorizer.name} is not defined on stage ${stage.name}`)
  }
  try {
    return new URL(resolved.text)
  } catch {
    throw new Error(`authorizer ${authorizer.name}: invokeUri ${JSON.stringify(resolved.text)} is not a URL`)
  }
}

/** Decides a request from the function's (possibly cached) answer; throws the denial. */
function decide(ctx: RequestContext, output: AuthorizerOutput, arn: string, latencyMs: number): 'allow' {
  if (output.kind === 'simple') {
    if (!output.isAuthorized) throw NOT_AUTHORIZED
    ctx.authorizer = { principalId: '', context: output.context, claims: null, scopes: null, latencyMs }
    return 'allow'
  }
  const decision = evaluatePolicy(output.policy, INVOKE_ACTION, arn)
  if (decision === 'DENY') throw EXPLICIT_DENY
  if (decision === 'NONE') throw NOT_ALLOWED
  ctx.authorizer = { principalId: output.principalId, context: output.context, claims: null, scopes: null, latencyMs }
  ctx.usageIdentifierKey = output.usageIdentifierKey
  return 'allow'
}

function outcomeOf(err: unknown): 'deny' | 'unauthorized' | 'error' {
  if (err === UNAUTHORIZED) return 'unauthorized'
  if (err === EXPLICIT_DENY || err === NOT_ALLOWED || err === NOT_AUTHORIZED) return 'deny'
  return 'error'
}

export function buildLambdaAuthorize(input: StageInput, authorizer: LambdaAuthorizerConfig): Handler {
  const { api, stage, route, gateway } = input
  const url = invokeUrl(authorizer, stage)
  const origin = url.origin
  const invokePath = url.pathname + url.search
  const readers = authorizer.identitySources.map((s) => compileIdentitySource(s, stage.variables))
  if (authorizer.type === 'TOKEN' && readers.length !== 1) {
    throw new Error(`TOKEN authorizer ${authorizer.name} needs exactly one identity source (the header with the token)`)
  }
  let validation: RegExp | null = null
  if (authorizer.type === 'TOKEN' && authorizer.identityValidationExpression !== undefined) {
    try {
      validation = new RegExp(`^(?:${authorizer.identityValidationExpression})$`)
    } catch {
      throw new Error(`authorizer ${authorizer.name}: identityValidationExpression is not a valid regular expression`)
    }
  }
  const http = api.protocol === 'HTTP'
  const version = http ? (authorizer.payloadFormatVersion ?? '2.0') : null
  const simple = version === '2.0' && authorizer.enableSimpleResponses
  const settings = {
    accountId: arnSettings(gateway).accountId,
    apiId: api.id,
    stage: stage.name,
    resource: route.key === '$default' ? '$default' : route.path,
    routeKey: route.key,
    variables: stage.variables,
  }
  const buildEvent: EventBuilder =
    authorizer.type === 'TOKEN' ? tokenEvent() : version === '2.0' ? requestEventV2(settings) : requestEvent(settings, version === '1.0')
  const arnPrefix = methodArnPrefix(gateway, api.id, stage.name)
  // Caching needs something to key on: a REQUEST authorizer without identity sources calls every time.
  const ttlMs = readers.length > 0 ? authorizer.resultTtlSeconds * 1000 : 0
  // The cache scope: a result is reused only by the same authorizer, with the same settings, on
  // the same API and stage with the same stage variables (they are part of the event).
  const scope = hash(
    'sha256',
    JSON.stringify([api.id, stage.name, stage.variables, authorizer.name, url.href, authorizer.type, authorizer.identitySources, version, simple]),
    'base64',
  )
  const name = authorizer.name

  let state: LambdaAuthorizerState | null = null
  let counters: AuthorizerCounters = null as unknown as AuthorizerCounters

  async function call(ctx: RequestContext, s: LambdaAuthorizerState, identity: readonly string[] | null, arn: string): Promise<{ output: AuthorizerOutput; latencyMs: number }> {
    const started = performance.now()
    const result = await invokeFunction(ctx.services.pools.get(origin), invokePath, buildEvent(ctx, arn, identity), s.timeoutMs, ctx.trace)
    try {
      return { output: parseOutput(result, simple), latencyMs: Math.round(performance.now() - started) }
    } catch (err) {
      if (err instanceof OutputError) throw configurationError(`invalid answer: ${err.message}`)
      throw err
    }
  }

  async function callAndDecide(ctx: RequestContext, s: LambdaAuthorizerState, identity: readonly string[] | null, arn: string, key: string | null): Promise<void> {
    const joined = key === null ? undefined : s.cache.inflight.get(key)
    if (joined !== undefined) {
      // Another request of the same identity is calling the function: its answer is ours.
      decide(ctx, await joined, arn, 0)
      return
    }
    try {
      const made = call(ctx, s, identity, arn)
      if (key !== null) {
        const shared = made.then((r) => r.output)
        s.cache.inflight.set(key, shared)
        shared.then(
          (output) => {
            s.cache.inflight.delete(key)
            s.cache.set(key, output, Date.now() + ttlMs)
          },
          () => s.cache.inflight.delete(key),
        )
      }
      const r = await made
      counters.calls[decide(ctx, r.output, arn, r.latencyMs)]++
    } catch (err) {
      counters.calls[outcomeOf(err)]++
      throw err
    }
  }

  return (ctx) => {
    const s = ctx.services.lambdaAuthorizers
    if (s !== state) {
      state = s
      counters = s.countersOf(name)
    }
    let identity: string[] | null = null
    if (readers.length > 0) {
      identity = readIdentity(readers, ctx)
      if (identity === null || (validation !== null && !validation.test(identity[0]!))) {
        counters.refused++
        throw UNAUTHORIZED
      }
    }
    const arn = methodArn(arnPrefix, ctx)
    if (ttlMs === 0) return callAndDecide(ctx, s, identity, arn, null)
    const key = hash('sha256', scope + JSON.stringify(identity), 'base64')
    const cached = s.cache.get(key, Date.now())
    if (cached !== undefined) {
      counters.cacheHits++
      decide(ctx, cached, arn, 0)
      return
    }
    counters.cacheMisses++
    return callAndDecide(ctx, s, identity, arn, key)
  }
}
