// UsagePlan: who may call which API stages with an API key, and how much — a throttle (token
// bucket) and a quota per key, as API Gateway's usage plans.
import { Type, type Static } from '@sinclair/typebox'
import { Conditions, LabelSelector, LocalRef, ObservedGeneration, described, type KindDefinition } from './common.js'
import { error, type Problem } from './problems.js'
import { Throttle } from './stage.js'

/** '/pets/{petId}/GET': a resource path, a slash and a method, as AWS keys per-method throttles. */
export const METHOD_KEY = '^/\\S*/(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)$'

export const ApiStage = Type.Object(
  {
    apiRef: described(LocalRef, 'The Api whose stage the plan covers.'),
    stage: Type.String({
      pattern: '^([A-Za-z0-9_-]{1,128}|\\$default)$',
      description: 'Stage name as it appears in URLs (the stageName of a Stage of that Api).',
    }),
    throttle: Type.Optional(
      Type.Record(Type.String({ pattern: METHOD_KEY }), described(Throttle, 'Throttle of one method.'), {
        additionalProperties: false,
        description:
          "Per-method throttles keyed '{resourcePath}/{METHOD}', e.g. '/pets/{petId}/GET' ('//GET' for the root " +
          'resource): a bucket per API key and method, applied as well as the plan-wide throttle, so the lower one wins.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ApiStage = Static<typeof ApiStage>

export const Quota = Type.Object(
  {
    limit: Type.Integer({ minimum: 0, description: 'Maximum number of requests per key in one period.' }),
    period: Type.Union([Type.Literal('DAY'), Type.Literal('WEEK'), Type.Literal('MONTH')], {
      description: 'Time period the limit applies to.',
    }),
    offset: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: 0,
        description: 'Number of requests subtracted from the limit in the first period (default 0).',
      }),
    ),
  },
  { additionalProperties: false },
)
export type Quota = Static<typeof Quota>

export const UsagePlanSpec = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1024, description: 'What the plan is for.' })),
    apiStages: Type.Optional(
      Type.Array(ApiStage, {
        maxItems: 100,
        description: 'API stages the plan covers; a key of the plan may call only these.',
      }),
    ),
    throttle: Type.Optional(described(Throttle, 'Throttle per API key across all stages of the plan.')),
    quota: Type.Optional(described(Quota, 'Request quota per API key across all stages of the plan.')),
    apiKeys: Type.Optional(
      Type.Array(described(LocalRef, 'An ApiKey.'), {
        maxItems: 1000,
        description: 'ApiKeys in the plan, by name. Together with apiKeySelector: the union of both.',
      }),
    ),
    apiKeySelector: Type.Optional(
      described(
        LabelSelector,
        'Selects ApiKeys of the plan namespace by label. An empty selector selects every ApiKey of the namespace.',
      ),
    ),
  },
  { additionalProperties: false },
)
export type UsagePlanSpec = Static<typeof UsagePlanSpec>

export const UsagePlanStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  apiKeyCount: Type.Optional(Type.Integer({ minimum: 0, description: 'Number of enabled ApiKeys in the plan.' })),
  conditions: Type.Optional(Conditions),
})

export const UsagePlanKind: KindDefinition<typeof UsagePlanSpec, typeof UsagePlanStatus> = {
  kind: 'UsagePlan',
  plural: 'usageplans',
  singular: 'usageplan',
  shortNames: ['tgplan'],
  description: 'A usage plan: the API stages its API keys may call, with a throttle and a quota per key.',
  spec: UsagePlanSpec,
  status: UsagePlanStatus,
  printerColumns: [
    { name: 'Rate', type: 'number', jsonPath: '.spec.throttle.rateLimit', description: 'Requests per second per key.' },
    { name: 'Burst', type: 'integer', jsonPath: '.spec.throttle.burstLimit', description: 'Burst per key.' },
    { name: 'Quota', type: 'integer', jsonPath: '.spec.quota.limit', description: 'Requests per key per period.' },
    { name: 'Period', type: 'string', jsonPath: '.spec.quota.period' },
    { name: 'Keys', type: 'integer', jsonPath: '.status.apiKeyCount' },
    { name: 'Accepted', type: 'string', jsonPath: ".status.conditions[?(@.type=='Accepted')].status" },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  check: (spec) => {
    const problems: Problem[] = []
    const stages = spec.apiStages ?? []
    stages.forEach((s, i) => {
      const j = stages.findIndex((o) => o.stage === s.stage && sameRef(o.apiRef, s.apiRef))
      if (j !== i) {
        problems.push(
          error(`spec.apiStages[${i}]`, 'DuplicateApiStage', `names the same Api and stage as spec.apiStages[${j}] (${s.apiRef.name}, ${s.stage})`),
        )
      }
    })
    ;(spec.apiKeySelector?.matchExpressions ?? []).forEach((req, i) => {
      const n = req.values?.length ?? 0
      const field = `spec.apiKeySelector.matchExpressions[${i}].values`
      if ((req.operator === 'In' || req.operator === 'NotIn') && n === 0) {
        problems.push(error(field, 'InvalidSelector', `${req.operator} needs at least one value`))
      }
      if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && n > 0) {
        problems.push(error(field, 'InvalidSelector', `${req.operator} takes no values`))
      }
    })
    return problems
  },
}

function sameRef(a: LocalRef, b: LocalRef): boolean {
  return a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '')
}
