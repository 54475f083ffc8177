// authorize: who may call the route. Dispatches at config load on the route's authorizationType
// to the authorizer of that kind (proxy/auth/); NONE costs nothing (no handler). Every kind
// denies when it cannot decide: authorization never fails open.
import { buildIamAuthorize } from '../auth/sigv4/index.js'
import { buildJwtAuthorize } from '../auth/jwt/index.js'
import { buildLambdaAuthorize } from '../auth/lambda/index.js'
import type { AuthorizerConfig } from '../config/schema.js'
import type { Handler, PipelineStage, StageInput } from './types.js'

function authorizerOf(input: StageInput): AuthorizerConfig {
  const name = input.route.authorizer
  const found = name === undefined ? undefined : input.api.authorizers?.find((a) => a.name === name)
  if (found === undefined) throw new Error(`route ${input.route.key} names authorizer ${String(name)}, which the API does not define`)
  return found
}

export const authorize: PipelineStage = {
  name: 'authorize',
  build(input): Handler | null {
    const type = input.route.authorizationType
    switch (type) {
      case 'NONE':
        return null
      case 'AWS_IAM':
        return buildIamAuthorize(input)
      case 'CUSTOM': {
        const authorizer = authorizerOf(input)
        if (authorizer.type !== 'TOKEN' && authorizer.type !== 'REQUEST') throw new Error(`CUSTOM route ${input.route.key} names ${authorizer.type} authorizer ${authorizer.name}`)
        return buildLambdaAuthorize(input, authorizer)
      }
      case 'JWT':
      case 'COGNITO_USER_POOLS': {
        const authorizer = authorizerOf(input)
        if (authorizer.type !== 'JWT' && authorizer.type !== 'COGNITO_USER_POOLS') throw new Error(`${type} route ${input.route.key} names ${authorizer.type} authorizer ${authorizer.name}`)
        return buildJwtAuthorize(input, authorizer)
      }
      default:
        throw new Error(`unknown authorizationType ${type}`)
    }
  },
}
