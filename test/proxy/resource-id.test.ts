// $context.resourceId: one stable id per resource path, in VTL templates and in parameter
// mappings (AWS: "The identifier that API Gateway assigns to your resource", "Variables for data
// transformations for API Gateway").
import t from 'tap'
import { resourceId } from '../../proxy/resource-id.js'
import { api, gatewayConfig, integration, integrationResponse, route, startGateway, startUpstream, type Upstream } from './helpers.js'

t.test('the formula is pinned: the first 6 hex digits of sha256("<apiId> <path>")', async (t) => {
  t.equal(resourceId('abc', '/pets/{petId}'), resourceId('abc', '/pets/{petId}'))
  t.match(resourceId('abc', '/pets'), /^[0-9a-f]{6}$/)
  t.not(resourceId('abc', '/pets'), resourceId('abc', '/pets/{petId}'), 'another path, another id')
  t.not(resourceId('abc', '/pets'), resourceId('xyz', '/pets'), 'another API, another id')
  t.equal(resourceId('abc', '/pets'), '85b044', 'changing the formula changes every id: update docs/mapping-templates.md')
})

t.test('templates and mappings read $context.resourceId; every method of a path shares it', async (t) => {
  let backend: Upstream | null = null
  backend = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{}')
  })
  t.teardown(() => backend!.close())
  const mock = integration({
    type: 'MOCK',
    httpMethod: '',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: [integrationResponse({ responseTemplates: { 'application/json': '{"id": "$context.resourceId", "path": "$context.resourcePath"}' } })],
  })
  const http = integration({
    type: 'HTTP',
    httpMethod: 'GET',
    uri: `${backend.origin}/rid`,
    requestParameters: { 'integration.request.header.x-resource-id': 'context.resourceId' },
    responses: [integrationResponse()],
  })
  const gw = await startGateway(gatewayConfig([api('abc', [route('GET /pets/{petId}', mock), route('POST /pets/{petId}', http)])]))
  t.teardown(() => gw.close())
  const expected = resourceId('abc', '/pets/{petId}')
  const res = await gw.fetch('abc', '/prod/pets/7')
  t.equal(res.status, 200)
  t.same(res.json(), { id: expected, path: '/pets/{petId}' })
  const posted = await gw.fetch('abc', '/prod/pets/7', { method: 'POST' })
  t.equal(posted.status, 200)
  t.equal(backend.seen.at(-1)?.headers['x-resource-id'], expected, 'the POST method of the same resource has the same id')
})
