// The contract example routes, end to end through a real gateway, real upstream, real client.
import t from 'tap'
import { Readable } from 'node:stream'
import { api, echoUpstream, gatewayConfig, integration, integrationResponse, route, stage, startGateway, type Upstream } from './helpers.js'

let backend: Upstream
t.before(async () => {
  backend = await echoUpstream()
})
t.teardown(() => backend.close())

function contractConfig(origin: string) {
  const host = origin.replace('http://', '')
  return gatewayConfig([
    api(
      'petstore',
      [
        route('GET /pets', integration({ type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${origin}/pets` })),
        route(
          'GET /pets/{petId}',
          integration({
            type: 'HTTP_PROXY',
            httpMethod: 'GET',
            uri: 'http://${stageVariables.backend}/pets/{id}',
            requestParameters: { 'integration.request.path.id': 'method.request.path.petId' },
          }),
        ),
        route('ANY /{proxy+}', integration({ type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `${origin}/{proxy}` })),
        route(
          'GET /health',
          integration({
            type: 'MOCK',
            httpMethod: '',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: [integrationResponse({ statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } })],
          }),
        ),
      ],
      { stages: [stage('prod', { backend: host })] },
    ),
  ])
}

t.test('GET /prod/pets reaches backend /pets', async (t) => {
  const gw = await startGateway(contractConfig(backend.origin))
  t.teardown(() => gw.close())
  const res = await gw.fetch('petstore', '/prod/pets?limit=2')
  t.equal(res.status, 200)
  const echoed = res.json() as { url: string; method: string }
  t.equal(echoed.url, '/pets?limit=2')
  t.equal(echoed.method, 'GET')
  t.equal(res.headers['x-backend'], 'echo', 'backend headers come back')
  t.match(res.headers['x-amzn-requestid'], /^[0-9a-f-]{36}$/)
  t.match(res.headers['x-amz-apigw-id'], /^[A-Za-z0-9+/]{15}=$/)
})

t.test('GET /prod/pets/42 uses the stage variable and the path mapping', async (t) => {
  const gw = await startGateway(contractConfig(backend.origin))
  t.teardown(() => gw.close())
  const res = await gw.fetch('petstore', '/prod/pets/42')
  t.equal(res.status, 200)
  t.equal((res.json() as { url: string }).url, '/pets/42')
})

t.test('ANY /{proxy+} forwards method, path and a streamed chunked body', async (t) => {
  const gw = await startGateway(contractConfig(backend.origin))
  t.teardown(() => gw.close())
  const body = Readable.from(['{"name":', '"rex",', '"kind":"dog"}'])
  const res = await gw.fetch('petstore', '/prod/owners/7/pets', { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  t.equal(res.status, 200)
  const echoed = res.json() as { method: string; url: string; body: string; headers: Record<string, string> }
  t.equal(echoed.method, 'POST')
  t.equal(echoed.url, '/owners/7/pets')
  t.equal(echoed.body, '{"name":"rex","kind":"dog"}')
  t.equal(echoed.headers['transfer-encoding'], 'chunked', 'the body streamed through, not buffered into a length')
  t.equal(echoed.headers['content-type'], 'application/json')
})

t.test('MOCK /health answers from templates', async (t) => {
  const gw = await startGateway(contractConfig(backend.origin))
  t.teardown(() => gw.close())
  const before = backend.seen.length
  const res = await gw.fetch('petstore', '/prod/health')
  t.equal(res.status, 200)
  t.same(res.json(), { ok: true })
  t.equal(res.headers['content-type'], 'application/json')
  t.match(res.headers['x-amzn-trace-id'], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
  t.equal(backend.seen.length, before, 'no backend call')
})
