// What a validation failure carries for gateway response templates: the GatewayError's type,
// REST message and $context.error.validationErrorString. Real requests (undici) through the
// real request entry (handleRequest) and the route's built pipeline; the errors the pipeline
// answers with are recorded on the way out. (Rendering them into templates is the gateway
// responses' part; test/proxy/request-validation.test.ts checks the answers themselves.)
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { build } from '../../proxy/build.js'
import type { Services } from '../../proxy/context.js'
import { GatewayError } from '../../proxy/errors.js'
import { handleRequest } from '../../proxy/handle-request.js'
import { asPromise, type Handler } from '../../proxy/pipeline/types.js'
import type { RouteRuntime } from '../../proxy/runtime.js'

const mock = { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: [{ statusCode: '200' }] }
const manifests: ResourceObject[] = [
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Api',
    metadata: { name: 'pets' },
    spec: {
      apiId: 'pets',
      models: {
        Pet: {
          schema: {
            type: 'object',
            required: ['name', 'type'],
            properties: { type: { type: 'string', enum: ['dog', 'cat', 'fish'] }, price: { type: 'number', minimum: 25 }, age: { type: 'integer' } },
          },
        },
      },
      requestValidators: { all: { validateRequestBody: true, validateRequestParameters: true } },
      routes: [
        {
          path: '/pets/{id}',
          method: 'POST',
          requestValidator: 'all',
          requestParameters: { 'method.request.path.id': true, 'method.request.header.x-header-param': true, 'method.request.querystring.qs1': true },
          requestModels: { 'application/json': 'Pet' },
          integration: mock,
        },
      ],
    },
  },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'pets' } } },
]

const errors: GatewayError[] = []

function recording(handler: Handler): Handler {
  return (ctx) => {
    const record = (err: unknown): never => {
      if (err instanceof GatewayError) errors.push(err)
      throw err
    }
    try {
      const pending = handler(ctx)
      return pending === undefined ? undefined : asPromise(pending).catch(record)
    } catch (err) {
      return record(err)
    }
  }
}

const { config, statuses } = compile(manifests, { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } })
const runtime = build(config)
const stage = runtime.apis.get('pets')!.stages.get('prod')!
const routes = stage.routes as RouteRuntime[]
routes.forEach((r, i) => (routes[i] = { ...r, handlers: r.handlers.map(recording) }))
const services = { maxBodyBytes: 1 << 20, sourceIp: () => '127.0.0.1' } as unknown as Services

const server = createServer((req, res) => handleRequest(runtime, services, (err) => t.fail(`bug: ${String(err)}`), req, res, false, performance.now()))
t.before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)))
t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function send(path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; error: GatewayError | undefined }> {
  errors.length = 0
  const port = (server.address() as AddressInfo).port
  const res = await request(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { host: 'pets.execute-api.localhost', ...headers }, body: body ?? null })
  return { status: res.statusCode, text: await res.body.text(), error: errors[0] }
}

t.test('the compile is clean', async (t) => {
  t.same(statuses.flatMap((s) => s.problems), [])
})

t.test('missing parameters: BAD_REQUEST_PARAMETERS, the message and validationErrorString name them (header, path, querystring order)', async (t) => {
  const res = await send('/prod/pets/1', { 'content-type': 'application/json' }, '{}')
  t.equal(res.status, 400)
  t.equal(res.text, '{"message":"Missing required request parameters: [x-header-param, qs1]"}')
  t.equal(res.error?.responseType, 'BAD_REQUEST_PARAMETERS')
  t.equal(res.error?.code, 'TG_ERR_BAD_REQUEST_PARAMETERS')
  t.equal(res.error?.restMessage, 'Missing required request parameters: [x-header-param, qs1]')
  t.equal(res.error?.validationErrorString, 'Missing required request parameters: [x-header-param, qs1]')
})

t.test('invalid body: BAD_REQUEST_BODY with the validator report as validationErrorString', async (t) => {
  const headers = { 'content-type': 'application/json', 'x-header-param': 'h' }
  const cases: Array<[string, string]> = [
    ['{"type": "dog"}', '[object has missing required properties (["name"])]'],
    ['{"name": "Rex", "type": "dog", "age": "three"}', '[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]'],
    [
      '{"name": "Rex", "type": "bird", "price": 20}',
      '[numeric instance is lower than the required minimum (minimum: 25, found: 20), instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]',
    ],
    ['{"name": ', '[request body is not valid JSON: Unexpected end of JSON input]'],
  ]
  for (const [body, expected] of cases) {
    const res = await send('/prod/pets/1?qs1=a', headers, body)
    t.equal(res.status, 400, body)
    t.equal(res.text, '{"message":"Invalid request body"}')
    t.equal(res.error?.responseType, 'BAD_REQUEST_BODY')
    t.equal(res.error?.code, 'TG_ERR_BAD_REQUEST_BODY')
    t.equal(res.error?.restMessage, undefined, 'the default message of BAD_REQUEST_BODY')
    t.equal(res.error?.validationErrorString, expected)
  }
  const ok = await send('/prod/pets/1?qs1=a', headers, '{"name": "Rex", "type": "dog", "price": 25}')
  t.equal(ok.status, 200)
  t.equal(ok.error, undefined)
})
