// Request validation of REST APIs, end to end: Api manifests (models, requestValidators, routes)
// compiled by the real compiler, served by a real gateway, called with undici; the backend is a
// real server that records what reaches it.
// AWS behaviour (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html):
// required parameters must be present and not blank; the body must match the model of its
// content type, "$default" for any; no model for the content type: no body validation. Failures
// are 400 with {"message": "Missing required request parameters: [a, b]"} (header, path,
// querystring, as AWS lists them: "[x-header-param, issuer, qs1]") or {"message": "Invalid request body"}.
import t, { type Test } from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { startGateway, startUpstream, type Running, type Upstream } from './helpers.js'

const API_KEY = 'ValidationKey0123456789abcdef'
const MODEL = 'https://apigateway.amazonaws.com/restapis/abcdef1234/models/'
const json = { 'content-type': 'application/json' }

let backend: Upstream
let gw: Running

function manifests(origin: string): ResourceObject[] {
  const proxy = (path: string, method = 'POST') => ({ type: 'HTTP_PROXY', httpMethod: method, uri: `${origin}${path}` })
  return [
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'shop' },
      spec: {
        apiId: 'shop',
        models: {
          Pet: {
            contentType: 'application/json',
            schema: {
              $schema: 'http://json-schema.org/draft-04/schema#',
              title: 'Pet',
              type: 'object',
              required: ['name', 'type'],
              additionalProperties: false,
              properties: {
                name: { type: 'string', minLength: 2, maxLength: 10 },
                type: { type: 'string', enum: ['dog', 'cat', 'fish'] },
                price: { type: 'number', minimum: 25, maximum: 500 },
                age: { type: 'integer' },
                code: { type: 'string', pattern: '^[A-Z]{3}-[0-9]+$' },
                tags: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
              },
            },
          },
          // References Pet in API Gateway's canonical form.
          Order: { schema: JSON.stringify({ type: 'object', required: ['pet'], properties: { pet: { $ref: `${MODEL}Pet` }, quantity: { type: 'integer', minimum: 1 } } }) },
          Anything: { schema: { type: 'array' } },
        },
        requestValidators: {
          all: { validateRequestBody: true, validateRequestParameters: true },
          'params-only': { validateRequestParameters: true },
          'body-only': { validateRequestBody: true },
          none: { validateRequestBody: false, validateRequestParameters: false },
        },
        routes: [
          {
            path: '/pets/{petId}',
            method: 'POST',
            requestValidator: 'all',
            requestParameters: { 'method.request.path.petId': true, 'method.request.header.X-Owner': true, 'method.request.querystring.dryRun': true, 'method.request.querystring.page': false },
            requestModels: { 'application/json': 'Pet' },
            integration: proxy('/pets/{petId}'),
          },
          {
            path: '/search',
            method: 'GET',
            requestValidator: 'params-only',
            requestParameters: { 'method.request.querystring.q': true, 'method.request.header.x-tenant': true },
            requestModels: { 'application/json': 'Pet' },
            integration: proxy('/search', 'GET'),
          },
          { path: '/orders', method: 'POST', requestValidator: 'body-only', requestModels: { $default: 'Order' }, integration: proxy('/orders') },
          // HTTP (non-proxy) integration: the body read by validation is what the backend gets.
          {
            path: '/orders/mapped',
            method: 'POST',
            requestValidator: 'body-only',
            requestModels: { 'application/json': 'Order' },
            integration: { type: 'HTTP', httpMethod: 'POST', uri: `${origin}/mapped`, responses: [{ statusCode: '200' }] },
          },
          { path: '/nomodel', method: 'POST', requestValidator: 'body-only', integration: proxy('/nomodel') },
          { path: '/novalidator', method: 'POST', requestModels: { 'application/json': 'Anything' }, integration: proxy('/novalidator') },
          { path: '/disabled', method: 'POST', requestValidator: 'none', requestModels: { 'application/json': 'Anything' }, requestParameters: { 'method.request.header.x-must': true }, integration: proxy('/disabled') },
          { path: '/metered', method: 'POST', apiKeyRequired: true, requestValidator: 'body-only', requestModels: { 'application/json': 'Pet' }, integration: proxy('/metered') },
        ],
      },
    },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'shop-prod' }, spec: { apiRef: { name: 'shop' }, stageName: 'prod' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'key' }, stringData: { value: API_KEY } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'key' }, spec: { valueFrom: { secretKeyRef: { name: 'key', key: 'value' } } } },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'UsagePlan',
      metadata: { name: 'plan' },
      spec: { apiStages: [{ apiRef: { name: 'shop' }, stage: 'prod' }], quota: { limit: 3, period: 'DAY' }, apiKeys: [{ name: 'key' }] },
    },
  ]
}

t.before(async () => {
  backend = await startUpstream((req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ url: req.url, body }))
  })
  const result = compile(manifests(backend.origin), { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } })
  for (const s of result.statuses) if (s.problems.length > 0) throw new Error(`${s.ref.kind} ${s.ref.name}: ${JSON.stringify(s.problems)}`)
  gw = await startGateway(result.config)
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

async function refused(t: Test, path: string, opts: Parameters<Running['fetch']>[2], message: string, what: string): Promise<void> {
  const before = backend.seen.length
  const res = await gw.fetch('shop', path, opts)
  t.equal(res.status, 400, `${what}: 400`)
  t.equal(res.text, JSON.stringify({ message }), `${what}: ${message}`)
  t.equal(res.headers['content-type'], 'application/json')
  t.equal(res.headers['x-amzn-errortype'], 'BadRequestException')
  t.ok(res.headers['x-amzn-requestid'])
  t.equal(backend.seen.length, before, `${what}: never reaches the backend`)
}

const goodPet = JSON.stringify({ name: 'Rex', type: 'dog', price: 30, age: 3, code: 'ABC-1', tags: ['a'] })

t.test('validateRequestParameters: required header, query string and path parameters', async (t) => {
  await refused(t, '/prod/pets/7', { method: 'POST', headers: json, body: goodPet }, 'Missing required request parameters: [X-Owner, dryRun]', 'header and query missing')
  await refused(t, '/prod/pets/7?dryRun=1', { method: 'POST', headers: json, body: goodPet }, 'Missing required request parameters: [X-Owner]', 'header missing')
  await refused(t, '/prod/pets/7?dryRun=', { method: 'POST', headers: { ...json, 'x-owner': 'ann' }, body: goodPet }, 'Missing required request parameters: [dryRun]', 'blank query value')
  await refused(t, '/prod/pets/7?dryRun', { method: 'POST', headers: { ...json, 'x-owner': '  ' }, body: goodPet }, 'Missing required request parameters: [X-Owner, dryRun]', 'blank header, query without value')
  await refused(t, '/prod/search?q=x', {}, 'Missing required request parameters: [x-tenant]', 'params-only route')

  const ok = await gw.fetch('shop', '/prod/pets/7?dryRun=1', { method: 'POST', headers: { ...json, 'X-OWNER': 'ann' }, body: goodPet })
  t.equal(ok.status, 200, 'header names match case-insensitively; the optional page may be absent')
  t.same(ok.json(), { url: '/pets/7?dryRun=1', body: goodPet }, 'the validated body reaches the backend unchanged')
})

t.test('parameters are checked before the body (validateRequestParameters and validateRequestBody)', async (t) => {
  await refused(t, '/prod/pets/7', { method: 'POST', headers: json, body: '{}' }, 'Missing required request parameters: [X-Owner, dryRun]', 'both wrong: parameters reported')
})

t.test('validateRequestBody: every keyword the model uses', async (t) => {
  const headers = { ...json, 'x-owner': 'ann' }
  const bad: Array<[string, unknown]> = [
    ['required', { name: 'Rex' }],
    ['type (string for integer)', { name: 'Rex', type: 'dog', age: 'three' }],
    ['type (fraction for integer)', { name: 'Rex', type: 'dog', age: 2.5 }],
    ['enum', { name: 'Rex', type: 'bird' }],
    ['minimum', { name: 'Rex', type: 'dog', price: 20 }],
    ['maximum', { name: 'Rex', type: 'dog', price: 501 }],
    ['minLength', { name: 'R', type: 'dog' }],
    ['maxLength', { name: 'Rexxxxxxxxx', type: 'dog' }],
    ['pattern', { name: 'Rex', type: 'dog', code: 'abc-1' }],
    ['additionalProperties', { name: 'Rex', type: 'dog', color: 'brown' }],
    ['minItems', { name: 'Rex', type: 'dog', tags: [] }],
    ['maxItems', { name: 'Rex', type: 'dog', tags: ['a', 'b', 'c'] }],
    ['items', { name: 'Rex', type: 'dog', tags: [1] }],
    ['type of the body', ['Rex']],
  ]
  for (const [what, body] of bad) await refused(t, '/prod/pets/7?dryRun=1', { method: 'POST', headers, body: JSON.stringify(body) }, 'Invalid request body', what)
  await refused(t, '/prod/pets/7?dryRun=1', { method: 'POST', headers, body: '{"name": "Rex",' }, 'Invalid request body', 'not JSON')
  await refused(t, '/prod/pets/7?dryRun=1', { method: 'POST', headers: { ...headers, 'content-type': 'Application/JSON; charset=utf-8' }, body: '{}' }, 'Invalid request body', 'media type matched case-insensitively, parameters ignored')
  await refused(t, '/prod/pets/7?dryRun=1', { method: 'POST', headers: { 'x-owner': 'ann' }, body: '{"name":"Rex"}' }, 'Invalid request body', 'no Content-Type: application/json')
})

t.test('an empty body is validated as {} (a GET without a body too)', async (t) => {
  await refused(t, '/prod/pets/7?dryRun=1', { method: 'POST', headers: { ...json, 'x-owner': 'ann' } }, 'Invalid request body', 'empty POST: required properties missing')
  const res = await gw.fetch('shop', '/prod/search?q=x', { headers: { 'x-tenant': 't1' } })
  t.equal(res.status, 200, 'a params-only validator never reads the body, whatever the models')
})

t.test('content types without a model are not validated; $default covers every content type', async (t) => {
  const text = await gw.fetch('shop', '/prod/pets/7?dryRun=1', { method: 'POST', headers: { 'content-type': 'text/plain', 'x-owner': 'ann' }, body: 'not json at all' })
  t.equal(text.status, 200, 'text/plain has no model here: passed on unchecked')
  t.same(text.json(), { url: '/pets/7?dryRun=1', body: 'not json at all' })

  await refused(t, '/prod/orders', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'not json' }, 'Invalid request body', '$default applies to text/plain')
  await refused(t, '/prod/orders', { method: 'POST', headers: json, body: JSON.stringify({ pet: { name: 'Rex' } }) }, 'Invalid request body', 'a $ref to another model is followed')
  await refused(t, '/prod/orders', { method: 'POST', headers: json, body: JSON.stringify({ pet: { name: 'Rex', type: 'cat' }, quantity: 0 }) }, 'Invalid request body', 'minimum beside the $ref')
  const order = JSON.stringify({ pet: { name: 'Rex', type: 'cat' }, quantity: 2 })
  const ok = await gw.fetch('shop', '/prod/orders', { method: 'POST', headers: { 'content-type': 'application/vnd.shop+json' }, body: order })
  t.equal(ok.status, 200)
  t.same(ok.json(), { url: '/orders', body: order })
})

t.test('the body read by validation still reaches an HTTP integration', async (t) => {
  const order = JSON.stringify({ pet: { name: 'Rex', type: 'cat' } })
  const res = await gw.fetch('shop', '/prod/orders/mapped', { method: 'POST', headers: json, body: order })
  t.equal(res.status, 200)
  t.same(res.json(), { url: '/mapped', body: order })
  t.equal(backend.seen.at(-1)!.headers['content-length'], String(Buffer.byteLength(order)))
  await refused(t, '/prod/orders/mapped', { method: 'POST', headers: json, body: '{}' }, 'Invalid request body', 'HTTP integration')
})

t.test('no model, no validator, or a validator that checks nothing: the request passes', async (t) => {
  for (const path of ['/prod/nomodel', '/prod/novalidator', '/prod/disabled']) {
    const res = await gw.fetch('shop', path, { method: 'POST', headers: json, body: '{"not":"an array"}' })
    t.equal(res.status, 200, path)
    t.same(res.json(), { url: path.slice('/prod'.length), body: '{"not":"an array"}' })
  }
})

t.test('invalid requests still count against the quota: validate runs after meter', async (t) => {
  const headers = { ...json, 'x-api-key': API_KEY }
  await refused(t, '/prod/metered', { method: 'POST', headers, body: '{}' }, 'Invalid request body', 'first request, invalid')
  await refused(t, '/prod/metered', { method: 'POST', headers, body: '[]' }, 'Invalid request body', 'second request, invalid')
  const ok = await gw.fetch('shop', '/prod/metered', { method: 'POST', headers, body: goodPet })
  t.equal(ok.status, 200, 'third request, valid: the last of the quota of 3')
  const over = await gw.fetch('shop', '/prod/metered', { method: 'POST', headers, body: goodPet })
  t.equal(over.status, 429, 'the quota is spent: the two invalid requests counted')
  t.same(over.json(), { message: 'Limit Exceeded' })
  const noKey = await gw.fetch('shop', '/prod/metered', { method: 'POST', headers: json, body: '{}' })
  t.equal(noKey.status, 403, 'meter runs first: a request without a key is refused before validation')
})
