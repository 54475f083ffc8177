// Stage: where an Api is served — stage name, variables, revision, throttling, caching,
// canary, logging and tracing settings.
import { Type, type Static } from '@sinclair/typebox'
import { Conditions, LocalRef, SecretKeyRef, type KindDefinition } from './common.js'

export const Throttle = Type.Object(
  {
    rateLimit: Type.Number({ minimum: 0, description: 'Steady-state requests per second.' }),
    burstLimit: Type.Integer({ minimum: 0, description: 'Bucket capacity (burst).' }),
  },
  { additionalProperties: false },
)

export const MethodSetting = Type.Object(
  {
    throttlingRateLimit: Type.Optional(Type.Number({ minimum: 0 })),
    throttlingBurstLimit: Type.Optional(Type.Integer({ minimum: 0 })),
    cachingEnabled: Type.Optional(Type.Boolean()),
    cacheTtlInSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
    cacheDataEncrypted: Type.Optional(Type.Boolean()),
    requireAuthorizationForCacheControl: Type.Optional(Type.Boolean()),
    unauthorizedCacheControlHeaderStrategy: Type.Optional(
      Type.Union([
        Type.Literal('FAIL_WITH_403'),
        Type.Literal('SUCCEED_WITH_RESPONSE_HEADER'),
        Type.Literal('SUCCEED_WITHOUT_RESPONSE_HEADER'),
      ]),
    ),
    metricsEnabled: Type.Optional(Type.Boolean()),
    loggingLevel: Type.Optional(Type.Union([Type.Literal('OFF'), Type.Literal('ERROR'), Type.Literal('INFO')])),
    dataTraceEnabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const StageSpec = Type.Object(
  {
    apiRef: LocalRef,
    stageName: Type.Optional(
      Type.String({
        pattern: '^([A-Za-z0-9_-]{1,128}|\\$default)$',
        description: 'Name of the stage in URLs (default: metadata.name). $default serves an HTTP API at the root.',
      }),
    ),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    revision: Type.Optional(Type.String({ description: 'Api revision this stage serves (pinned deployment).' })),
    autoDeploy: Type.Optional(Type.Boolean({ description: 'Follow the latest revision of the Api.' })),
    variables: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' }), Type.String({ maxLength: 2048 }), {
        description: 'Stage variables: names of letters, digits and underscores; values up to 2048 characters.',
      }),
    ),
    throttle: Type.Optional(Throttle),
    methodSettings: Type.Optional(
      Type.Record(Type.String(), MethodSetting, {
        description: "Per-method settings keyed '{resourcePath}/{METHOD}' (e.g. '/pets/{petId}/GET'), or '*/*' for all.",
      }),
    ),
    cache: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean(),
          capacity: Type.Optional(Type.String({ description: 'Cache capacity, e.g. 512Mi.' })),
          ttlSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
          encrypted: Type.Optional(Type.Boolean()),
          keySecretRef: Type.Optional(SecretKeyRef),
        },
        { additionalProperties: false },
      ),
    ),
    canary: Type.Optional(
      Type.Object(
        {
          revision: Type.Optional(Type.String()),
          percentTraffic: Type.Number({ minimum: 0, maximum: 100 }),
          variableOverrides: Type.Optional(Type.Record(Type.String(), Type.String())),
          useStageCache: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    accessLogSettings: Type.Optional(
      Type.Object(
        {
          format: Type.String({ description: 'Access log format with $context variables.' }),
        },
        { additionalProperties: false },
      ),
    ),
    tracingEnabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type StageSpec = Static<typeof StageSpec>

export const StageStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  url: Type.Optional(Type.String({ description: 'Invoke URL of the stage.' })),
  revision: Type.Optional(Type.String({ description: 'Revision being served.' })),
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
    { name: 'Programmed', type: 'string', jsonPath: '.status.programmed' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
}
