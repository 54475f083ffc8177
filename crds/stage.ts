// Stage: where an Api is served — stage name, variables, revision, throttling, caching,
// canary, logging and tracing settings.
import { Type, type Static } from '@sinclair/typebox'
import { Conditions, LocalRef, ObservedGeneration, SecretKeyRef, described, type KindDefinition } from './common.js'

export const Throttle = Type.Object(
  {
    rateLimit: Type.Number({ minimum: 0, description: 'Steady-state requests per second.' }),
    burstLimit: Type.Integer({ minimum: 0, description: 'Bucket capacity (burst).' }),
  },
  { additionalProperties: false, description: 'Token bucket throttle.' },
)

export const MethodSetting = Type.Object(
  {
    throttlingRateLimit: Type.Optional(Type.Number({ minimum: 0, description: 'Steady-state requests per second.' })),
    throttlingBurstLimit: Type.Optional(Type.Integer({ minimum: 0, description: 'Bucket capacity (burst).' })),
    cachingEnabled: Type.Optional(Type.Boolean({ description: 'Cache responses (needs spec.cache.enabled).' })),
    cacheTtlInSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 3600, description: 'Time to live of cached responses in seconds (default 300).' }),
    ),
    cacheDataEncrypted: Type.Optional(Type.Boolean({ description: 'Encrypt cached responses.' })),
    requireAuthorizationForCacheControl: Type.Optional(
      Type.Boolean({ description: 'Require authorization to invalidate the cache with Cache-Control: max-age=0.' }),
    ),
    unauthorizedCacheControlHeaderStrategy: Type.Optional(
      Type.Union(
        [
          Type.Literal('FAIL_WITH_403'),
          Type.Literal('SUCCEED_WITH_RESPONSE_HEADER'),
          Type.Literal('SUCCEED_WITHOUT_RESPONSE_HEADER'),
        ],
        { description: 'What to do with an unauthorized cache invalidation request.' },
      ),
    ),
    metricsEnabled: Type.Optional(Type.Boolean({ description: 'Export detailed per-method metrics.' })),
    loggingLevel: Type.Optional(
      Type.Union([Type.Literal('OFF'), Type.Literal('ERROR'), Type.Literal('INFO')], { description: 'Execution log level.' }),
    ),
    dataTraceEnabled: Type.Optional(Type.Boolean({ description: 'Log full requests and responses.' })),
  },
  { additionalProperties: false },
)

export const StageSpec = Type.Object(
  {
    apiRef: described(LocalRef, 'The Api this stage serves.'),
    stageName: Type.Optional(
      Type.String({
        pattern: '^([A-Za-z0-9_-]{1,128}|\\$default)$',
        description: 'Name of the stage in URLs (default: metadata.name). $default serves an HTTP API at the root.',
      }),
    ),
    description: Type.Optional(Type.String({ maxLength: 1024, description: 'What the stage is for.' })),
    revision: Type.Optional(
      Type.String({ description: 'Name of the ApiDeployment (of the same Api) this stage serves. Rolling back is editing this field.' }),
    ),
    autoDeploy: Type.Optional(
      Type.Boolean({ description: "Follow the Api's current spec (the default when revision is unset); true with a revision is an error." }),
    ),
    variables: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' }), Type.String({ maxLength: 2048 }), {
        // Without additionalProperties: false TypeBox checks values only and lets any key through.
        additionalProperties: false,
        description: 'Stage variables: names of letters, digits and underscores; values up to 2048 characters.',
      }),
    ),
    throttle: Type.Optional(
      described(
        Throttle,
        "Stage default throttle: one token bucket shared by every method and client of the stage (methodSettings['*/*'] throttling fields override it).",
      ),
    ),
    meteringFailureMode: Type.Optional(
      Type.Union([Type.Literal('OPEN'), Type.Literal('CLOSED')], {
        description:
          'What the proxies do when the shared metering store (Redis) cannot be reached: OPEN (default) keeps throttling and quotas ' +
          'with local per-proxy buckets until it is back; CLOSED answers 503 on metered routes until it is back.',
      }),
    ),
    methodSettings: Type.Optional(
      Type.Record(Type.String(), MethodSetting, {
        description: "Per-method settings keyed '{resourcePath}/{METHOD}' (e.g. '/pets/{petId}/GET'), or '*/*' for all.",
      }),
    ),
    cache: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean({ description: 'Provision a response cache for the stage.' }),
          capacity: Type.Optional(Type.String({ description: 'Cache capacity, e.g. 512Mi.' })),
          ttlSeconds: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 3600, description: 'Default time to live of cached responses in seconds.' }),
          ),
          encrypted: Type.Optional(Type.Boolean({ description: 'Encrypt cached responses.' })),
          keySecretRef: Type.Optional(described(SecretKeyRef, 'Secret key holding the cache encryption key.')),
        },
        { additionalProperties: false, description: 'Response cache of the stage.' },
      ),
    ),
    canary: Type.Optional(
      Type.Object(
        {
          revision: Type.Optional(
            Type.String({ description: "Name of the ApiDeployment the canary serves; unset: the Api's current spec." }),
          ),
          percentTraffic: Type.Number({ minimum: 0, maximum: 100, description: 'Percentage (0.0 to 100.0) of requests sent to the canary, chosen at random per request.' }),
          variableOverrides: Type.Optional(
            Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' }), Type.String({ maxLength: 2048 }), {
              additionalProperties: false,
              description: "Stage variables of the canary side: these override (or add to) the stage's variables.",
            }),
          ),
          useStageCache: Type.Optional(
            Type.Boolean({ description: "Canary responses use the stage's cache entries (default false: the canary has its own)." }),
          ),
        },
        { additionalProperties: false, description: 'Canary release: a share of traffic served by another revision.' },
      ),
    ),
    accessLogSettings: Type.Optional(
      Type.Object(
        {
          format: Type.String({ description: 'Access log format with $context variables.' }),
        },
        { additionalProperties: false, description: 'Access logging of the stage.' },
      ),
    ),
    tracingEnabled: Type.Optional(Type.Boolean({ description: 'Trace requests with OpenTelemetry.' })),
  },
  { additionalProperties: false },
)
export type StageSpec = Static<typeof StageSpec>

export const StageStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  url: Type.Optional(Type.String({ description: 'Invoke URL of the stage.' })),
  revision: Type.Optional(Type.String({ description: 'Content-derived id of the revision being served.' })),
  deployment: Type.Optional(Type.String({ description: "The ApiDeployment served (absent: the Api's current spec, autoDeploy)." })),
  canaryRevision: Type.Optional(Type.String({ description: 'Content-derived id of the revision the canary serves.' })),
  canaryDeployment: Type.Optional(Type.String({ description: "The ApiDeployment the canary serves (absent: the Api's current spec)." })),
  programmed: Type.Optional(Type.String({ description: "Fleet convergence, e.g. '3/3 at 1a2b3c'." })),
  conditions: Type.Optional(Conditions),
})

export const StageKind: KindDefinition<typeof StageSpec, typeof StageStatus> = {
  kind: 'Stage',
  plural: 'stages',
  singular: 'stage',
  shortNames: ['tgstage'],
  description: 'A stage of an Api: the name it is served under and its runtime settings.',
  spec: StageSpec,
  status: StageStatus,
  printerColumns: [
    { name: 'Api', type: 'string', jsonPath: '.spec.apiRef.name' },
    { name: 'Stage', type: 'string', jsonPath: '.spec.stageName' },
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
    { name: 'Deployment', type: 'string', jsonPath: '.status.deployment' },
    { name: 'Programmed', type: 'string', jsonPath: '.status.programmed' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
}
