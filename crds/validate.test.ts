import t from 'tap'
import { validateResource } from './validate.js'

const petstore = {
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'Api',
  metadata: { name: 'petstore', namespace: 'default' },
  spec: {
    protocol: 'REST',
    routes: [{ path: '/pets', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'http://127.0.0.1:9000/pets' } }],
  },
}

t.test('a valid Api passes', async (t) => {
  t.same(validateResource(petstore), { ok: true, kind: validateResource(petstore).kind, problems: [] })
})

t.test('a bad enum value names the field and the allowed values', async (t) => {
  const bad = structuredClone(petstore)
  ;(bad.spec.routes[0] as { method: string }).method = 'FETCH'
  const r = validateResource(bad)
  t.equal(r.ok, false)
  t.match(r.problems[0], { field: 'spec.routes[0].method', reason: 'FieldValueInvalid', message: /one of GET, POST.*FETCH/ })
})

t.test('unknown fields and missing required fields are reported', async (t) => {
  const bad = structuredClone(petstore) as Record<string, any>
  bad.spec.routes[0].integraton = bad.spec.routes[0].integration
  delete bad.spec.routes[0].integration
  const r = validateResource(bad)
  const fields = r.problems.map((p) => `${p.field}: ${p.message}`)
  t.ok(fields.includes('spec.routes[0].integration: is required'), fields.join('\n'))
  t.ok(fields.some((f) => f.startsWith('spec.routes[0].integraton: is not a known field')), fields.join('\n'))
})

t.test('envelope errors', async (t) => {
  t.match(validateResource({ ...petstore, apiVersion: 'v1' }).problems, [{ field: 'apiVersion', reason: 'InvalidApiVersion' }])
  t.match(validateResource({ ...petstore, kind: 'Pod' }).problems, [{ field: 'kind', reason: 'UnknownKind' }])
  t.match(validateResource({ ...petstore, metadata: { name: 'Bad_Name' } }).problems, [{ field: 'metadata.name', reason: 'InvalidName' }])
})

t.test('stage variable names are checked (the record key pattern is enforced)', async (t) => {
  const stage = {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Stage',
    metadata: { name: 'prod' },
    spec: { apiRef: { name: 'petstore' }, variables: { good_1: 'x', 'bad-name': 'y' } },
  }
  const r = validateResource(stage)
  t.equal(r.problems.length, 1)
  t.match(r.problems[0], { field: 'spec.variables["bad-name"]', reason: 'FieldValueInvalid', message: 'is not a valid key: keys must match ^[A-Za-z0-9_]{1,64}$' })
})

t.test('cross-field rules run only on a spec that passed the schema', async (t) => {
  const key = { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'k' }, spec: { enabled: 1 } }
  t.same(validateResource(key).problems.map((p) => p.field), ['spec.enabled'], 'no MissingValueSource on top of the type error')
})
