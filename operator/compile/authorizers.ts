// Authorizers: each valid Authorizer resource becomes an AuthorizerConfig, and the routes of an
// Api resolve their authorizerRef to one (routes.ts calls resolveAuthorizer). Only Authorizers in
// the Api's own namespace can be referenced (no grants for authorizers yet).
import { error, type Problem } from '../../crds/problems.js'
import type { AuthorizerSpec } from '../../crds/authorizer.js'
import type { Route } from '../../crds/api.js'
import type { AuthorizerConfig } from '../../proxy/config/schema.js'
import type { Entry } from './types.js'

export interface AuthorizerBuild {
  entry: Entry
  config: AuthorizerConfig
  /** The invoke URL (TOKEN, REQUEST) or the JWKS URL (when known) in effect, for the status. */
  endpoint: { invokeUri?: string; jwksUri?: string }
}

/** Valid Authorizers by "namespace/name". */
export type AuthorizerIndex = ReadonlyMap<string, AuthorizerBuild>

const INVOKE_PATH = '/2015-03-31/functions/'

function identitySources(spec: AuthorizerSpec, fallback: string[]): string[] {
  const source = spec.identitySource
  if (source === undefined) return fallback
  return (typeof source === 'string' ? source.split(',') : source).map((s) => s.trim()).filter((s) => s !== '')
}

/** arn:aws:cognito-idp:{region}:{account}:userpool/{poolId} → https://cognito-idp.{region}.amazonaws.com/{poolId}. */
function userPoolIssuer(arn: string): string {
  const [, , , region, , resource] = arn.split(':')
  return `https://cognito-idp.${region}.amazonaws.com/${resource!.slice('userpool/'.length)}`
}

export function compileAuthorizer(entry: Entry): AuthorizerBuild {
  const spec = entry.obj.spec as AuthorizerSpec
  const name = `${entry.ref.namespace}/${entry.ref.name}`
  const source = { ...entry.ref, kind: 'Authorizer' }
  switch (spec.type) {
    case 'TOKEN':
    case 'REQUEST': {
      const ref = spec.functionRef
      const invokeUri =
        ref !== undefined
          ? `${ref.scheme ?? 'http'}://${ref.name}.${ref.namespace ?? entry.ref.namespace}.svc:${ref.port}${INVOKE_PATH}${ref.functionName ?? 'function'}/invocations`
          : spec.functionUri!
      const config: AuthorizerConfig = {
        type: spec.type,
        name,
        source,
        invokeUri,
        identitySources: identitySources(spec, []),
        resultTtlSeconds: spec.resultTtlInSeconds ?? 300,
        enableSimpleResponses: spec.enableSimpleResponses ?? false,
        ...(spec.identityValidationExpression !== undefined ? { identityValidationExpression: spec.identityValidationExpression } : {}),
        ...(spec.authorizerPayloadFormatVersion !== undefined ? { payloadFormatVersion: spec.authorizerPayloadFormatVersion } : {}),
      }
      return { entry, config, endpoint: { invokeUri } }
    }
    case 'JWT': {
      const jwt = spec.jwtConfiguration!
      const config: AuthorizerConfig = {
        type: 'JWT',
        name,
        source,
        issuers: [jwt.issuer],
        audiences: [...jwt.audience],
        identitySources: identitySources(spec, ['$request.header.Authorization']),
      }
      return { entry, config, endpoint: {} }
    }
    case 'COGNITO_USER_POOLS': {
      const issuers = spec.issuer !== undefined ? [spec.issuer] : spec.providerArns!.map(userPoolIssuer)
      const jwksUri = spec.issuer !== undefined ? (spec.jwksUri ?? `${spec.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`) : undefined
      const config: AuthorizerConfig = {
        type: 'COGNITO_USER_POOLS',
        name,
        source,
        issuers,
        audiences: [],
        identitySources: identitySources(spec, ['method.request.header.Authorization']),
        ...(jwksUri !== undefined ? { jwksUri } : {}),
      }
      return { entry, config, endpoint: jwksUri !== undefined ? { jwksUri } : {} }
    }
  }
}

/** Which authorizer types each authorizationType takes, per protocol (API Gateway's rules). */
const ACCEPTS: Record<'REST' | 'HTTP', Record<string, readonly string[]>> = {
  REST: { CUSTOM: ['TOKEN', 'REQUEST'], COGNITO_USER_POOLS: ['COGNITO_USER_POOLS'] },
  HTTP: { CUSTOM: ['REQUEST'], JWT: ['JWT'] },
}

export interface ResolvedAuthorization {
  authorizer?: AuthorizerConfig
  problems: Problem[]
}

/** Resolves the authorization fields of one route. */
export function resolveAuthorizer(
  route: Route,
  f: string,
  ctx: { protocol: 'REST' | 'HTTP'; namespace: string; authorizers: AuthorizerIndex },
): ResolvedAuthorization {
  const type = route.authorizationType ?? 'NONE'
  const problems: Problem[] = []
  const accepts = ACCEPTS[ctx.protocol][type]
  if (type !== 'NONE' && type !== 'AWS_IAM' && accepts === undefined) {
    const valid = ['NONE', 'AWS_IAM', ...Object.keys(ACCEPTS[ctx.protocol])].join(', ')
    problems.push(error(`${f}.authorizationType`, 'UnsupportedAuthorizationType', `${ctx.protocol} APIs do not support ${type}; use one of ${valid}`))
    return { problems }
  }
  if (route.authorizationScopes !== undefined && type !== 'JWT' && type !== 'COGNITO_USER_POOLS') {
    problems.push(error(`${f}.authorizationScopes`, 'FieldNotApplicable', 'applies only to JWT and COGNITO_USER_POOLS routes'))
  }
  const ref = route.authorizerRef
  if (accepts === undefined) {
    if (ref !== undefined) problems.push(error(`${f}.authorizerRef`, 'FieldNotApplicable', `${type} routes use no authorizer`))
    return { problems }
  }
  if (ref === undefined) {
    problems.push(error(`${f}.authorizerRef`, 'MissingAuthorizer', `${type} routes need an authorizerRef`))
    return { problems }
  }
  const namespace = ref.namespace ?? ctx.namespace
  if (namespace !== ctx.namespace) {
    problems.push(error(`${f}.authorizerRef.namespace`, 'RefNotPermitted', 'an Authorizer must be in the namespace of the Api'))
    return { problems }
  }
  const found = ctx.authorizers.get(`${namespace}/${ref.name}`)
  if (found === undefined) {
    problems.push(error(`${f}.authorizerRef`, 'AuthorizerNotFound', `Authorizer ${namespace}/${ref.name} does not exist or is not valid`))
    return { problems }
  }
  if (!accepts.includes(found.config.type)) {
    problems.push(
      error(`${f}.authorizerRef`, 'AuthorizerTypeMismatch', `${type} routes of ${ctx.protocol} APIs need a ${accepts.join(' or ')} authorizer; ${ref.name} is ${found.config.type}`),
    )
    return { problems }
  }
  return { authorizer: found.config, problems }
}
