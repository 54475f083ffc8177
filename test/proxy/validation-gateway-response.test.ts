// Request validation meets gateway responses: the customization most users write,
// {"message": "$context.error.validationErrorString"} on BAD_REQUEST_BODY (and the parameters'
// message on BAD_REQUEST_PARAMETERS), end to end from manifests. The string is JSON-escaped, so
// a template that quotes it stays valid JSON.
import t from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { startGateway, type Running } from './helpers.js'

const mock = { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }] }
const manifests: ResourceObject[] = [
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Api',
    metadata: { name: 'pets' },
    spec: {
      apiId: 'pets',
      models: { Pet: { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, age: { type: 'integer' } } } } },
      requestValidators: { all: { validateRequestBody: true, validateRequestParameters: true } },
      gatewayResponses: {
        BAD_REQUEST_BODY: { statusCode: '422', responseTemplates: { 'application/json': '{"message": "$context.error.validationErrorString", "type": "$context.error.responseType"}' } },
        BAD_REQUEST_PARAMETERS: { responseTemplates: { 'application/json': '{"error": $context.error.messageString, "detail": "$context.error.validationErrorString"}' } },
      },
      routes: [
        {
          path: '/pets',
          method: 'POST',
          requestValidator: 'all',
          requestParameters: { 'method.request.querystring.owner': true },
          requestModels: { 'application/json': 'Pet' },
          integration: mock,
        },
      ],
    },
  },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'pets' } } },
]

let gw: Running
t.before(async () => {
  const result = compile(manifests, { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } })
  for (const s of result.statuses) if (s.problems.length > 0) throw new Error(`${s.ref.kind} ${s.ref.name}: ${JSON.stringify(s.problems)}`)
  gw = await startGateway(result.config)
})
t.teardown(() => gw.close())

const json = { 'content-type': 'application/json' }

t.test('BAD_REQUEST_BODY: the validator report, JSON-escaped, in the customized status', async (t) => {
  const res = await gw.fetch('pets', '/prod/pets?owner=ann', { method: 'POST', headers: json, body: '{"age": "three"}' })
  t.equal(res.status, 422)
  t.equal(res.headers['content-type'], 'application/json')
  t.equal(res.headers['x-amzn-errortype'], 'BadRequestException')
  t.same(res.json(), { message: '[object has missing required properties (["name"])]', type: 'BAD_REQUEST_BODY' }, 'valid JSON with the report inside')
})

t.test('BAD_REQUEST_PARAMETERS: message and validationErrorString name the missing parameters', async (t) => {
  const res = await gw.fetch('pets', '/prod/pets', { method: 'POST', headers: json, body: '{"name": "Rex"}' })
  t.equal(res.status, 400, 'no statusCode in the customization: the type keeps its own')
  t.same(res.json(), { error: 'Missing required request parameters: [owner]', detail: 'Missing required request parameters: [owner]' })
})

t.test('a valid request is not touched by the customization', async (t) => {
  const res = await gw.fetch('pets', '/prod/pets?owner=ann', { method: 'POST', headers: json, body: '{"name": "Rex", "age": 3}' })
  t.equal(res.status, 200)
  t.same(res.json(), { ok: true })
})
