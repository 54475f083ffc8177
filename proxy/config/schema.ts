// The GatewayConfig contract: what the compiler (operator/compile) produces and the proxy
// (proxy/build) consumes. It is the only thing operator and proxy share besides the resource
// schemas. It is validated before it is published and again before it is applied, so every
// field is declared here with TypeBox, and this file is the field-by-field reference.
//
// Rules of the contract:
// - Immutable snapshot: a new config replaces the old one whole; nothing is patched.
// - Deterministic: the same resources compile to the same bytes and the same `hash`.
// - Provenance: every API, stage and route names the resource it came from (`source`) and has a
//   stable hierarchical `name` that logs and metric labels reuse.
// - No secrets in clear: API keys appear only as SHA-256 digests (metering.ts); Secret material
//   only where the proxy needs it (SigV4 secret access keys, iam.ts).
// - Additive growth: fields added after v1alpha1 shipped are optional, absent meaning what the
//   config meant before they existed.
import { Type, type Static } from '@sinclair/typebox'
import { ArnConfig, AuthorizerConfig } from './authorization.js'
import { StageCacheConfig } from './cache.js'
import { CorsConfig } from './cors.js'
import { GatewayResponsesConfig } from './gateway-responses.js'
import { StageLoggingConfig } from './logging.js'
import { IamConfig } from './iam.js'
import { ApiKeySource, MeteringConfig, StageMeteringFields } from './metering.js'
import { StageMetricsConfig } from './metrics.js'
import { ModelConfig, ValidationConfig } from './validation.js'
import { StageTracingConfig } from './tracing.js'

export * from './authorization.js'
export * from './cache.js'
export * from './cors.js'
export * from './gateway-responses.js'
export * from './iam.js'
export * from './logging.js'
export * from './metering.js'
export * from './metrics.js'
export * from './validation.js'
export * from './tracing.js'

export const CONFIG_SCHEMA_VERSION = 'v1alpha1'

/** The resource a config node was compiled from. */
export const Source = Type.Object({
  kind: Type.String(),
  namespace: Type.String(),
  name: Type.String(),
})
export type Source = Static<typeof Source>

const StringMap = Type.Record(Type.String(), Type.String())

/** One integration response of an HTTP, MOCK or AWS integration. */
export const IntegrationResponseConfig = Type.Object({
  /** Status code of the method response this maps to, e.g. "200". */
  statusCode: Type.String(),
  /**
   * Regular expression (JavaScript syntax, anchored as a whole-string match like Java's
   * String.matches) tested against the backend status code. null: the default response.
   */
  selectionPattern: Type.Union([Type.String(), Type.Null()]),
  /** method.response.header.NAME -> integration.response.header.NAME | integration.response.body | 'static'. */
  responseParameters: StringMap,
  /** Response templates by content type (VTL; rendered as plain text until VTL lands). */
  responseTemplates: StringMap,
  contentHandling: Type.Union([Type.Literal('CONVERT_TO_BINARY'), Type.Literal('CONVERT_TO_TEXT'), Type.Null()]),
})
export type IntegrationResponseConfig = Static<typeof IntegrationResponseConfig>

export const IntegrationConfig = Type.Object({
  type: Type.Union([
    Type.Literal('HTTP_PROXY'),
    Type.Literal('HTTP'),
    Type.Literal('MOCK'),
    Type.Literal('AWS_PROXY'),
    Type.Literal('AWS'),
  ]),
  /** Backend method; 'ANY' forwards the request's method. Empty for MOCK. */
  httpMethod: Type.String(),
  /**
   * Backend URL template. `{name}` is replaced by the path parameter (or by a mapped
   * integration.request.path.name), `${stageVariables.name}` by the stage variable. Empty for MOCK.
   * AWS and AWS_PROXY: the function's invoke URL, http(s)://HOST/2015-03-31/functions/NAME/invocations
   * (the Lambda invoke API; stage variables may stand for the host or part of the name).
   */
  uri: Type.String(),
  /** Integration timeout in milliseconds (50..29000, default 29000). */
  timeoutMs: Type.Integer({ minimum: 50, maximum: 29000 }),
  /** integration.request.{path|querystring|header}.NAME -> source expression. */
  requestParameters: StringMap,
  /** Request templates by content type. */
  requestTemplates: StringMap,
  passthroughBehavior: Type.Union([
    Type.Literal('WHEN_NO_MATCH'),
    Type.Literal('WHEN_NO_TEMPLATES'),
    Type.Literal('NEVER'),
  ]),
  contentHandling: Type.Union([Type.Literal('CONVERT_TO_BINARY'), Type.Literal('CONVERT_TO_TEXT'), Type.Null()]),
  /** Integration responses in declaration order; HTTP_PROXY ignores them. */
  responses: Type.Array(IntegrationResponseConfig),
  /**
   * AWS_PROXY: format of the Lambda proxy event and of the result the function returns, '1.0'
   * (REST APIs; HTTP APIs that ask for it) or '2.0' (HTTP APIs' default). Absent: not a function
   * proxy integration.
   */
  payloadFormatVersion: Type.Optional(Type.Union([Type.Literal('1.0'), Type.Literal('2.0')])),
  /**
   * method.request.{path|querystring|header}.NAME whose values are part of the cache key
   * (cache.ts), in declaration order. Absent: none.
   */
  cacheKeyParameters: Type.Optional(Type.Array(Type.String())),
})
export type IntegrationConfig = Static<typeof IntegrationConfig>

export const MethodResponseConfig = Type.Object({
  statusCode: Type.String(),
  /** method.response.header.NAME -> required. */
  responseParameters: Type.Record(Type.String(), Type.Boolean()),
  responseModels: StringMap,
})
export type MethodResponseConfig = Static<typeof MethodResponseConfig>

export const RouteConfig = Type.Object({
  /**
   * Route key, unique within a revision: "GET /pets/{petId}", "ANY /{proxy+}", or "$default"
   * (HTTP APIs). Used as the resource label in metrics and logs.
   */
  key: Type.String(),
  /** Upper-case method or 'ANY'. '$default' routes have method 'ANY'. */
  method: Type.String(),
  /** Resource path template, "/pets/{petId}". '$default' routes have path "". */
  path: Type.String(),
  /** NONE, AWS_IAM, CUSTOM, JWT or COGNITO_USER_POOLS. */
  authorizationType: Type.String(),
  /** CUSTOM, JWT, COGNITO_USER_POOLS: name ("namespace/name") of one of ApiConfig.authorizers. */
  authorizer: Type.Optional(Type.String()),
  /** JWT and COGNITO_USER_POOLS: scopes the token must carry one of. */
  authorizationScopes: Type.Optional(Type.Array(Type.String())),
  apiKeyRequired: Type.Boolean(),
  /** method.request.{path|querystring|header}.NAME -> required. */
  requestParameters: Type.Record(Type.String(), Type.Boolean()),
  integration: IntegrationConfig,
  methodResponses: Type.Array(MethodResponseConfig),
  /** REST APIs: the route's request validator and the models of its body (validation.ts). Absent: no validation. */
  validation: Type.Optional(ValidationConfig),
})
export type RouteConfig = Static<typeof RouteConfig>

/**
 * The Api-wide settings a deployment freezes with its routes (API Gateway deploys them with the
 * REST API): what a stage serving the revision applies once it is known. Each field absent: not
 * set in that revision.
 */
export const RevisionSettings = Type.Object({
  binaryMediaTypes: Type.Array(Type.String()),
  apiKeySource: Type.Optional(ApiKeySource),
  policy: Type.Optional(Type.Unknown()),
  cors: Type.Optional(CorsConfig),
  gatewayResponses: Type.Optional(GatewayResponsesConfig),
})
export type RevisionSettings = Static<typeof RevisionSettings>

/** An immutable snapshot of an Api's routes. Stages point at revisions by id. */
export const RevisionConfig = Type.Object({
  /** Content-derived id of the revision (first 12 hex characters of a sha256). */
  id: Type.String(),
  routes: Type.Array(RouteConfig),
  /** Models (JSON Schema draft 4) by name that the routes' validation uses (validation.ts). Absent: none. */
  models: Type.Optional(Type.Record(Type.String(), ModelConfig)),
  /**
   * The Api-wide settings deployed with this revision, present only when they differ from the
   * ApiConfig's (the Api's current spec): a stage serving an older deployment keeps the
   * binaryMediaTypes, apiKeySource, resource policy, CORS and gateway responses it was deployed
   * with. Absent: the ApiConfig's apply.
   */
  settings: Type.Optional(RevisionSettings),
})
export type RevisionConfig = Static<typeof RevisionConfig>

/**
 * A canary release on a stage: a share of the stage's requests, chosen at random per request,
 * is served by another revision with its own variables. The stage's other settings
 * (throttles, method settings) apply to both sides.
 */
export const CanaryConfig = Type.Object({
  /** Id of the revision the canary serves (one of the Api's revisions). */
  revision: Type.String(),
  /** Percentage of the stage's requests sent to the canary, 0.0 to 100.0. */
  percentTraffic: Type.Number({ minimum: 0, maximum: 100 }),
  /** Stage variables of the canary side: the stage's, with the canary's overrides applied. */
  variables: StringMap,
  /** Canary responses use the stage's cache entries (else the cache key includes the canary revision). */
  useStageCache: Type.Boolean(),
})
export type CanaryConfig = Static<typeof CanaryConfig>

export const StageConfig = Type.Object({
  /** Stage name as it appears in URLs; "$default" serves an HTTP API at the root. */
  name: Type.String(),
  source: Source,
  /** Id of the revision this stage serves (one of the Api's revisions). */
  revision: Type.String(),
  /** Stage variables. */
  variables: StringMap,
  // Throttles and the Redis failure mode of the stage (metering.ts), all optional.
  ...StageMeteringFields,
  /** The stage's response cache (cache.ts). Absent: no caching. */
  cache: Type.Optional(StageCacheConfig),
  /** Canary release. Absent: every request is served by `revision`. */
  canary: Type.Optional(CanaryConfig),
  /** Access log format and per-route execution logging (logging.ts). Absent: nothing is logged. */
  logging: Type.Optional(StageLoggingConfig),
  /** Routes with detailed metrics (metrics.ts). Absent: none, every request counts in the stage's series. */
  metrics: Type.Optional(StageMetricsConfig),
  /** OpenTelemetry tracing of the stage's requests (tracing.ts). Absent: not traced. */
  tracing: Type.Optional(StageTracingConfig),
})
export type StageConfig = Static<typeof StageConfig>

export const ApiConfig = Type.Object({
  /** The apiId: first label of the execute-api host name. */
  id: Type.String(),
  /** Stable hierarchical name "namespace/name". */
  name: Type.String(),
  source: Source,
  protocol: Type.Union([Type.Literal('REST'), Type.Literal('HTTP'), Type.Literal('WEBSOCKET')]),
  endpointType: Type.Union([Type.Literal('REGIONAL'), Type.Literal('PRIVATE')]),
  /** Do not serve on {apiId}.execute-api.{domain}. */
  disableExecuteApiEndpoint: Type.Boolean(),
  binaryMediaTypes: Type.Array(Type.String()),
  revisions: Type.Array(RevisionConfig),
  stages: Type.Array(StageConfig),
  /** Where API keys come from (REST APIs). Absent: HEADER. */
  apiKeySource: Type.Optional(ApiKeySource),
  /**
   * Resource policy: an IAM policy document as written in the Api (checked by the compiler with
   * proxy/auth/policy.ts). Absent: no resource policy.
   */
  policy: Type.Optional(Type.Unknown()),
  /** The authorizers the routes name, sorted by name. Absent: none. */
  authorizers: Type.Optional(Type.Array(AuthorizerConfig)),
  /** CORS (cors.ts). Absent: no CORS handling, CORS headers pass as any other header. */
  cors: Type.Optional(CorsConfig),
  /** Gateway response customizations by response type (gateway-responses.ts; REST APIs). Absent: the defaults. */
  gatewayResponses: Type.Optional(GatewayResponsesConfig),
})
export type ApiConfig = Static<typeof ApiConfig>

export const GatewayConfig = Type.Object({
  schemaVersion: Type.Literal(CONFIG_SCHEMA_VERSION),
  /** sha256 (hex) of the canonical JSON of this object without `hash`. */
  hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** Execute-api domain: APIs are served at {apiId}.execute-api.{domain}. */
  domain: Type.String(),
  /** APIs sorted by id. */
  apis: Type.Array(ApiConfig),
  /** API keys, usage plans and the account throttle (metering.ts). Absent: no keys, no plans, the account default. */
  metering: Type.Optional(MeteringConfig),
  /** Region and account in ARNs (methodArn, $context.accountId). Absent: DEFAULT_ARN. */
  arn: Type.Optional(ArnConfig),
  /** IAM identities (access keys and their policies) for AWS_IAM routes (iam.ts). Absent: none. */
  iam: Type.Optional(IamConfig),
})
export type GatewayConfig = Static<typeof GatewayConfig>
