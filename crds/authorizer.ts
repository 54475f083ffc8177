// Authorizer: how routes with authorizationType CUSTOM, JWT or COGNITO_USER_POOLS authorize
// callers. TOKEN and REQUEST call a function that speaks the Lambda invoke API; JWT and
// COGNITO_USER_POOLS verify a token against the issuer's JSON Web Key Set.
import { Type, type Static } from '@sinclair/typebox'
import { Conditions, ObservedGeneration, type KindDefinition } from './common.js'
import { error, type Problem } from './problems.js'

export const AuthorizerType = Type.Union(
  [Type.Literal('TOKEN'), Type.Literal('REQUEST'), Type.Literal('JWT'), Type.Literal('COGNITO_USER_POOLS')],
  {
    description:
      'TOKEN: a function gets one header value; REQUEST: a function gets request parameters; ' +
      'JWT: a JSON Web Token is verified against an OpenID Connect issuer; COGNITO_USER_POOLS: a token of a user pool is verified.',
  },
)
export type AuthorizerType = Static<typeof AuthorizerType>

/** One identity source: REST (method.request.*), WebSocket (route.request.*) or HTTP API ($request.*) syntax. */
const SOURCE =
  '(method\\.request\\.(header|querystring)|route\\.request\\.(header|querystring)|\\$request\\.(header|querystring)|\\$?stageVariables|\\$?context)\\.[^\\s,]+'

export const IdentitySource = Type.Union(
  [
    Type.String({
      pattern: `^${SOURCE}(\\s*,\\s*${SOURCE})*$`,
      maxLength: 2048,
      description: 'Comma-separated identity sources.',
    }),
    Type.Array(Type.String({ pattern: `^${SOURCE}$`, maxLength: 512, description: 'One identity source.' }), {
      minItems: 1,
      maxItems: 20,
      description: 'Identity sources.',
    }),
  ],
  {
    'x-kubernetes-preserve-unknown-fields': true,
    description:
      'Where the identity comes from: a string (comma-separated) or a list of method.request.header.NAME, ' +
      'method.request.querystring.NAME, stageVariables.NAME, context.NAME (REST), route.request.header.NAME (WebSocket) or ' +
      '$request.header.NAME, $request.querystring.NAME, $context.NAME, $stageVariables.NAME (HTTP APIs). Required for TOKEN, ' +
      'and for REQUEST while results are cached (resultTtlInSeconds > 0); a request missing one of them is refused with 401 ' +
      'without calling the function. JWT default: $request.header.Authorization.',
  },
)

export const FunctionRef = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63, description: 'Name of the Service in front of the function.' }),
    namespace: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the Service; defaults to the namespace of the Authorizer.' }),
    ),
    port: Type.Integer({ minimum: 1, maximum: 65535, description: 'Port of the Service.' }),
    scheme: Type.Optional(
      Type.Union([Type.Literal('http'), Type.Literal('https')], { description: 'Scheme to call the Service with (default http).' }),
    ),
    functionName: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]{1,140}$',
        default: 'function',
        description:
          "Function name in the invoke path /2015-03-31/functions/{functionName}/invocations (default 'function', as the Lambda runtime interface emulator expects).",
      }),
    ),
  },
  { additionalProperties: false, description: 'The function endpoint as a Service. Exclusive with functionUri.' },
)

export const JwtConfiguration = Type.Object(
  {
    issuer: Type.String({
      pattern: '^https?://\\S+$',
      maxLength: 2048,
      description: 'Issuer URL: the iss claim tokens must carry; keys are found by OpenID Connect discovery from it.',
    }),
    audience: Type.Array(Type.String({ minLength: 1, maxLength: 1024, description: 'An accepted audience.' }), {
      minItems: 1,
      maxItems: 50,
      description: 'Accepted audiences: a token is valid when its aud (or client_id) claim matches one of them.',
    }),
  },
  { additionalProperties: false, description: 'Issuer and audiences of a JWT authorizer. Required for JWT.' },
)

export const AuthorizerSpec = Type.Object(
  {
    type: AuthorizerType,
    description: Type.Optional(Type.String({ maxLength: 1024, description: 'What the authorizer is for.' })),
    functionRef: Type.Optional(FunctionRef),
    functionUri: Type.Optional(
      Type.String({
        pattern: '^https?://\\S+$',
        maxLength: 2048,
        description:
          'Full invoke URL of the function, e.g. http://auth.example:8080/2015-03-31/functions/function/invocations; ' +
          '${stageVariables.NAME} in it (host, function name, alias) takes the value of the stage serving the route. ' +
          'Exclusive with functionRef; TOKEN and REQUEST need one of them.',
      }),
    ),
    identitySource: Type.Optional(IdentitySource),
    identityValidationExpression: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'TOKEN only: a regular expression the token must match; a token that does not is refused with 401 without calling the function.',
      }),
    ),
    resultTtlInSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 3600,
        default: 300,
        description: 'How long authorization results are cached, keyed by the identity sources; 0 turns caching off (default 300).',
      }),
    ),
    authorizerPayloadFormatVersion: Type.Optional(
      Type.Union([Type.Literal('1.0'), Type.Literal('2.0')], {
        description: 'REQUEST authorizers of HTTP APIs: format of the event sent to the function (default 2.0).',
      }),
    ),
    enableSimpleResponses: Type.Optional(
      Type.Boolean({
        description: 'REQUEST authorizers of HTTP APIs with payload format 2.0: the function may answer {isAuthorized, context} instead of an IAM policy.',
      }),
    ),
    jwtConfiguration: Type.Optional(JwtConfiguration),
    providerArns: Type.Optional(
      Type.Array(
        Type.String({
          pattern: '^arn:[a-z-]+:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool/[a-z0-9-]+_[0-9A-Za-z]+$',
          description: 'A user pool ARN: arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}.',
        }),
        {
          minItems: 1,
          maxItems: 1000,
          description: 'COGNITO_USER_POOLS: the user pools whose tokens are accepted. Alternative to issuer.',
        },
      ),
    ),
    issuer: Type.Optional(
      Type.String({
        pattern: '^https?://\\S+$',
        maxLength: 2048,
        description: 'COGNITO_USER_POOLS: issuer URL of a user pool (or of a compatible emulator). Alternative to providerArns.',
      }),
    ),
    jwksUri: Type.Optional(
      Type.String({
        pattern: '^https?://\\S+$',
        maxLength: 2048,
        description: 'COGNITO_USER_POOLS with issuer: URL of the JSON Web Key Set (default {issuer}/.well-known/jwks.json).',
      }),
    ),
  },
  { additionalProperties: false },
)
export type AuthorizerSpec = Static<typeof AuthorizerSpec>

export const AuthorizerStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  invokeUri: Type.Optional(Type.String({ description: 'TOKEN and REQUEST: the function invoke URL in effect.' })),
  jwksUri: Type.Optional(Type.String({ description: 'JWT and COGNITO_USER_POOLS: the JSON Web Key Set URL in effect.' })),
  conditions: Type.Optional(Conditions),
})

/** Fields that mean something only for some types; set on another type they are a mistake. */
const ONLY_FOR: Record<string, AuthorizerType[]> = {
  functionRef: ['TOKEN', 'REQUEST'],
  functionUri: ['TOKEN', 'REQUEST'],
  identityValidationExpression: ['TOKEN'],
  authorizerPayloadFormatVersion: ['REQUEST'],
  enableSimpleResponses: ['REQUEST'],
  jwtConfiguration: ['JWT'],
  providerArns: ['COGNITO_USER_POOLS'],
  issuer: ['COGNITO_USER_POOLS'],
  jwksUri: ['COGNITO_USER_POOLS'],
}

export function checkAuthorizer(spec: AuthorizerSpec): Problem[] {
  const problems: Problem[] = []
  const set = spec as Record<string, unknown>
  for (const [field, types] of Object.entries(ONLY_FOR)) {
    if (set[field] !== undefined && !types.includes(spec.type)) {
      problems.push(error(`spec.${field}`, 'FieldNotApplicable', `applies only to type ${types.join(' or ')}, not ${spec.type}`))
    }
  }
  switch (spec.type) {
    case 'TOKEN':
    case 'REQUEST':
      if ((spec.functionRef === undefined) === (spec.functionUri === undefined)) {
        problems.push(error('spec.functionRef', 'InvalidFunction', `${spec.type} authorizers need exactly one of functionRef or functionUri`))
      }
      if (spec.identitySource === undefined && (spec.type === 'TOKEN' || (spec.resultTtlInSeconds ?? 300) > 0)) {
        const why = spec.type === 'TOKEN' ? 'TOKEN authorizers read the token from it' : 'cached results are keyed by it (or set resultTtlInSeconds: 0)'
        problems.push(error('spec.identitySource', 'MissingIdentitySource', `is required: ${why}`))
      }
      if (spec.type === 'TOKEN' && spec.identitySource !== undefined) {
        const sources = (typeof spec.identitySource === 'string' ? spec.identitySource.split(',') : spec.identitySource).map((x) => x.trim())
        if (sources.length !== 1 || !sources[0]!.startsWith('method.request.header.')) {
          problems.push(error('spec.identitySource', 'InvalidIdentitySource', 'a TOKEN authorizer reads its token from one header: method.request.header.NAME'))
        }
      }
      break
    case 'JWT':
      if (spec.jwtConfiguration === undefined) problems.push(error('spec.jwtConfiguration', 'MissingJwtConfiguration', 'is required for JWT authorizers'))
      break
    case 'COGNITO_USER_POOLS':
      if ((spec.providerArns === undefined) === (spec.issuer === undefined)) {
        problems.push(error('spec.providerArns', 'InvalidUserPool', 'COGNITO_USER_POOLS authorizers need exactly one of providerArns or issuer'))
      }
      if (spec.jwksUri !== undefined && spec.issuer === undefined) {
        problems.push(error('spec.jwksUri', 'FieldNotApplicable', 'applies only together with issuer'))
      }
      break
  }
  if (spec.enableSimpleResponses === true && spec.authorizerPayloadFormatVersion === '1.0') {
    problems.push(error('spec.enableSimpleResponses', 'FieldNotApplicable', 'simple responses need authorizerPayloadFormatVersion 2.0'))
  }
  if (spec.identityValidationExpression !== undefined) {
    try {
      new RegExp(spec.identityValidationExpression)
    } catch (e) {
      problems.push(error('spec.identityValidationExpression', 'InvalidExpression', `is not a valid regular expression: ${(e as Error).message}`))
    }
  }
  return problems
}

export const AuthorizerKind: KindDefinition<typeof AuthorizerSpec, typeof AuthorizerStatus> = {
  kind: 'Authorizer',
  plural: 'authorizers',
  singular: 'authorizer',
  shortNames: ['tgauth'],
  description: 'An authorizer: a function (TOKEN, REQUEST) or a token issuer (JWT, COGNITO_USER_POOLS) that authorizes callers of routes.',
  spec: AuthorizerSpec,
  status: AuthorizerStatus,
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type' },
    { name: 'TTL', type: 'integer', jsonPath: '.spec.resultTtlInSeconds', description: 'Result cache TTL in seconds.' },
    { name: 'Endpoint', type: 'string', jsonPath: '.status.invokeUri', priority: 1 },
    { name: 'Accepted', type: 'string', jsonPath: ".status.conditions[?(@.type=='Accepted')].status" },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  check: checkAuthorizer,
}
