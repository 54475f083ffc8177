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
