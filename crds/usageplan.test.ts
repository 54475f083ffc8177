import t, { type Test } from 'tap'
import type { Problem } from './problems.js'
import { validateResource } from './validate.js'

/** Exactly these problems (t.match alone accepts extra items). */
function expectProblems(t: Test, found: Problem[], wanted: object[]): void {
  t.equal(found.length, wanted.length, `problem count of ${JSON.stringify(found)}`)
  t.match(found, wanted)
}

const plan = () => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'UsagePlan',
  metadata: { name: 'gold', namespace: 'default' },
  spec: {
    apiStages: [
      { apiRef: { name: 'petstore' }, stage: 'prod', throttle: { '/pets/{petId}/GET': { rateLimit: 10, burstLimit: 20 }, '//GET': { rateLimit: 1, burstLimit: 1 } } },
    ],
    throttle: { rateLimit: 50.5, burstLimit: 100 },
    quota: { limit: 1000, period: 'DAY', offset: 10 },
    apiKeys: [{ name: 'alice' }],
    apiKeySelector: { matchLabels: { tier: 'gold' }, matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] },
  },
})

t.test('a valid UsagePlan passes', async (t) => {
  t.same(validateResource(plan()).problems, [])
})

t.test('a plan with no keys or stages is valid (it simply grants nothing)', async (t) => {
  t.same(validateResource({ ...plan(), spec: {} }).problems, [])
})

t.test('quota period must be DAY, WEEK or MONTH', async (t) => {
  const bad = plan()
  ;(bad.spec.quota as { period: string }).period = 'YEAR'
  expectProblems(t, validateResource(bad).problems, [{ field: 'spec.quota.period', reason: 'FieldValueInvalid', message: 'must be one of DAY, WEEK, MONTH; got "YEAR"' }])
})

t.test('per-method throttle keys are {resourcePath}/{METHOD}', async (t) => {
  const bad = plan()
  ;(bad.spec.apiStages[0]!.throttle as Record<string, unknown>)['GET /pets'] = { rateLimit: 1, burstLimit: 1 }
  expectProblems(t, validateResource(bad).problems, [
    { field: 'spec.apiStages[0].throttle["GET /pets"]', message: /^is not a valid key: keys must match \^\/\\S\*\/\(GET\|/ },
  ])
})

t.test('negative throttles and a missing quota limit are reported at their field', async (t) => {
  const bad = plan() as Record<string, any>
  bad.spec.throttle.burstLimit = -1
  delete bad.spec.quota.limit
  const fields = validateResource(bad).problems.map((p) => `${p.field}: ${p.message}`)
  t.same(fields.sort(), ['spec.quota.limit: is required', 'spec.throttle.burstLimit: must be at least 0; got -1'])
})

t.test('label selector operators are checked', async (t) => {
  const bad = plan()
  bad.spec.apiKeySelector.matchExpressions[0]!.operator = 'Equals'
  expectProblems(t, validateResource(bad).problems, [{ field: 'spec.apiKeySelector.matchExpressions[0].operator', message: /one of In, NotIn, Exists, DoesNotExist/ }])
})

t.test('the same api stage twice is a problem', async (t) => {
  const bad = plan()
  bad.spec.apiStages.push({ apiRef: { name: 'petstore' }, stage: 'prod' } as (typeof bad.spec.apiStages)[0])
  expectProblems(t, validateResource(bad).problems, [{ field: 'spec.apiStages[1]', reason: 'DuplicateApiStage', message: /spec\.apiStages\[0\]/ }])
  const other = plan()
  other.spec.apiStages.push({ apiRef: { name: 'petstore' }, stage: 'beta' } as (typeof other.spec.apiStages)[0])
  t.same(validateResource(other).problems, [], 'another stage of the same Api is fine')
})
