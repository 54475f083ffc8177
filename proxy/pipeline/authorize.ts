// authorize: who may call the route. Dispatches at config load on the route's authorizationType
// to the authorizer of that kind (proxy/auth/); NONE costs nothing (no handler). Every kind
// denies when it cannot decide: authorization never fails open.
//
// Every request through an authorizer is counted by outcome per API, stage and authorizer
// (tollgate_authorizer_requests_total, telemetry/metrics-counters.ts): the handler's answer is
// classified here, so the authorizers stay free of metrics. A Lambda authorizer decides a
// cached identity synchronously and everything else through a promise (auth/lambda/index.ts),
// so a synchronous allow or deny of a CUSTOM route is a cache hit.
import { buildIamAuthorize } from '../auth/sigv4/index.js'
import { buildJwtAuthorize } from '../auth/jwt/index.js'
import { buildLambdaAuthorize } from '../auth/lambda/index.js'
import type { AuthorizerConfig } from '../config/schema.js'
import { GatewayError } from '../errors.js'
import { GATEWAY_RESPONSES } from '../gateway-responses.js'
import { cellOf, type AuthorizerOutcome } from '../telemetry/metrics-counters.js'
import { asPromise, type Handler, type PipelineStage, type StageInput } from './types.js'

function authorizerOf(input: StageInput): AuthorizerConfig {
  const name = input.route.authorizer
  const found = name === undefined ? undefined : input.api.authorizers?.find((a) => a.name === name)
  if (found === undefined) throw new Error(`route ${input.route.key} names authorizer ${String(name)}, which the API does not define`)
  return found
}

/** The outcome of a refusal: 403 ACCESS_DENIED → deny, a 5xx → error, any other 4xx (401, SigV4's 403s) → unauthorized. */
export function outcomeOf(err: unknown): AuthorizerOutcome {
  if (!(err instanceof GatewayError)) return 'error'
  if (err.responseType === 'ACCESS_DENIED') return 'deny'
  return GATEWAY_RESPONSES[err.responseType].rest.status >= 500 ? 'error' : 'unauthorized'
}

/**
 * The authorizer's handler, counting its outcomes. `cached`: the authorizer decides cache hits
 * synchronously (Lambda authorizers), counted as cache_hit.
 */
function counted(input: StageInput, authorizer: string, cached: boolean, handler: Handler): Handler {
  const cell = cellOf((counters) => counters.authorizer(input.api.id, input.stage.name, authorizer))
  return (ctx) => {
    let pending
    try {
      pending = handler(ctx)
    } catch (err) {
      const outcome = outcomeOf(err)
      cell(ctx.services.counters).counts[cached && outcome === 'deny' ? 'cache_hit' : outcome]++
      throw err
    }
    if (pending === undefined) {
      cell(ctx.services.counters).counts[cached ? 'cache_hit' : 'allow']++
      return
    }
    return asPromise(pending).then(
      () => {
        cell(ctx.services.counters).counts.allow++
      },
      (err: unknown) => {
        cell(ctx.services.counters).counts[outcomeOf(err)]++
        throw err
      },
    )
  }
}

export const authorize: PipelineStage = {
  name: 'authorize',
  build(input): Handler | null {
    const type = input.route.authorizationType
    switch (type) {
      case 'NONE':
        return null
      case 'AWS_IAM':
        return counted(input, 'AWS_IAM', false, buildIamAuthorize(input))
      case 'CUSTOM': {
        const authorizer = authorizerOf(input)
        if (authorizer.type !== 'TOKEN' && authorizer.type !== 'REQUEST') throw new Error(`CUSTOM route ${input.route.key} names ${authorizer.type} authorizer ${authorizer.name}`)
        return counted(input, authorizer.name, true, buildLambdaAuthorize(input, authorizer))
      }
      case 'JWT':
      case 'COGNITO_USER_POOLS': {
        const authorizer = authorizerOf(input)
        if (authorizer.type !== 'JWT' && authorizer.type !== 'COGNITO_USER_POOLS') throw new Error(`${type} route ${input.route.key} names ${authorizer.type} authorizer ${authorizer.name}`)
        return counted(input, authorizer.name, false, buildJwtAuthorize(input, authorizer))
      }
      default:
        throw new Error(`unknown authorizationType ${type}`)
    }
  },
}
