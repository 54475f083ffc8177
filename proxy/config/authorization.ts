// The authorization part of the GatewayConfig contract: the authorizers an API's routes use.
// Routes name their authorizer (RouteConfig.authorizer); ApiConfig.authorizers holds each one
// once. Lambda-style authorizers (TOKEN, REQUEST) are called over the Lambda invoke API; JWT and
// COGNITO_USER_POOLS verify tokens against an issuer's JSON Web Key Set.
import { Type, type Static } from '@sinclair/typebox'

const Source = Type.Object({ kind: Type.String(), namespace: Type.String(), name: Type.String() })

export const LambdaAuthorizerConfig = Type.Object({
  type: Type.Union([Type.Literal('TOKEN'), Type.Literal('REQUEST')]),
  /** "namespace/name" of the Authorizer resource; routes refer to it by this. */
  name: Type.String(),
  source: Source,
  /**
   * Full invoke URL: .../2015-03-31/functions/{name}/invocations. May hold `${stageVariables.NAME}`
   * (host, function name, alias), resolved per stage at build time.
   */
  invokeUri: Type.String(),
  /**
   * Identity sources as written in the resource, one per entry (a comma-separated string is
   * split): method.request.header.NAME, $request.querystring.NAME, stageVariables.NAME, ...
   */
  identitySources: Type.Array(Type.String()),
  /** TOKEN: a token that does not match (whole-string) is refused with 401. */
  identityValidationExpression: Type.Optional(Type.String()),
  /** Result cache TTL in seconds; 0: no caching. */
  resultTtlSeconds: Type.Integer({ minimum: 0, maximum: 3600 }),
  /** HTTP APIs (REQUEST): the event format sent to the function. Absent for REST. */
  payloadFormatVersion: Type.Optional(Type.Union([Type.Literal('1.0'), Type.Literal('2.0')])),
  /** HTTP APIs, payload 2.0: the function may answer {isAuthorized, context}. */
  enableSimpleResponses: Type.Boolean(),
})
export type LambdaAuthorizerConfig = Static<typeof LambdaAuthorizerConfig>

export const JwtAuthorizerConfig = Type.Object({
  type: Type.Union([Type.Literal('JWT'), Type.Literal('COGNITO_USER_POOLS')]),
  /** "namespace/name" of the Authorizer resource. */
  name: Type.String(),
  source: Source,
  /** Accepted `iss` values (one per user pool for COGNITO_USER_POOLS). */
  issuers: Type.Array(Type.String(), { minItems: 1 }),
  /** JWT: accepted audiences (`aud`, or `client_id` for access tokens). Empty: any (Cognito). */
  audiences: Type.Array(Type.String()),
  /** Where the keys are; absent: found by OpenID Connect discovery from the (single) issuer. */
  jwksUri: Type.Optional(Type.String()),
  /** Where the token is read from; default $request.header.Authorization / method.request.header.Authorization. */
  identitySources: Type.Array(Type.String()),
})
export type JwtAuthorizerConfig = Static<typeof JwtAuthorizerConfig>

export const AuthorizerConfig = Type.Union([LambdaAuthorizerConfig, JwtAuthorizerConfig])
export type AuthorizerConfig = Static<typeof AuthorizerConfig>

/** Region and account the gateway presents in ARNs (methodArn, $context.accountId). */
export const ArnConfig = Type.Object({
  region: Type.String(),
  accountId: Type.String({ pattern: '^[0-9]{12}$' }),
})
export type ArnConfig = Static<typeof ArnConfig>

export const DEFAULT_ARN: ArnConfig = { region: 'us-east-1', accountId: '000000000000' }
