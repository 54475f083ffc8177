// HTTP (non-proxy) and MOCK integrations: request parameter mappings, passthrough behaviours,
// integration response selection (whole-match selectionPattern), response mappings, templates.
import t from 'tap'
import { api, gatewayConfig, integration, integrationResponse, route, stage, startGateway, startUpstream, type Running, type Upstream } from './helpers.js'

let backend: Upstream
let gw: Running
t.before(async () => {
  backend = await startUpstream((req, res, body) => {
    const status = req.url!.includes('/boom') ? 503 : req.url!.includes('/missing') ? 404 : 200
    res.writeHead(status, { 'content-type': 'text/plain', 'x-backend': 'b1', 'x-internal': 'secret' })
    res.end(`backend body ${body}`)
  })
  const http = (partial: Parameters<typeof integration>[0]) => integration({ type: 'HTTP', httpMethod: 'POST', ...partial })
  const config = gatewayConfig([
    api(
      'abc',
      [
        route(
          'POST /orders/{orderId}',
          http({
            uri: `${backend.origin}/backend/{id}`,
            requestParameters: {
              'integration.request.path.id': 'method.request.path.orderId',
              'integration.request.querystring.q': 'method.request.querystring.search',
              'integration.request.header.x-static': "'fixed'",
              'integration.request.header.x-stage': 'stageVariables.color',
              'integration.request.header.x-req': 'context.requestId',
              'integration.request.header.x-ip': 'context.identity.sourceIp',
              'integration.request.header.x-from-header': 'method.request.header.X-Custom',
            },
            responses: [
              integrationResponse({
                statusCode: '201',
                selectionPattern: '2\\d\\d',
                responseParameters: {
                  'method.response.header.X-Backend': 'integration.response.header.x-backend',
                  'method.response.header.X-Fixed': "'yes'",
                },
              }),
              integrationResponse({ statusCode: '502', selectionPattern: '5\\d\\d', responseTemplates: { 'application/json': '{"error":"backend failed"}' } }),
            ],
          }),
        ),
        route(
          'GET /whole',
          http({
            httpMethod: 'GET',
            uri: `${backend.origin}/whole`,
            responses: [integrationResponse({ statusCode: '418', selectionPattern: '2' }), integrationResponse({ statusCode: '200' })],
          }),
        ),
        route(
          'POST /strict',
          http({ uri: `${backend.origin}/strict`, passthroughBehavior: 'NEVER', requestTemplates: { 'application/xml': '<x/>' }, responses: [integrationResponse()] }),
        ),
        route(
          'POST /templated',
          http({
            uri: `${backend.origin}/templated`,
            passthroughBehavior: 'WHEN_NO_TEMPLATES',
            requestTemplates: { 'application/json': '{"templated":true}' },
            responses: [integrationResponse({ responseParameters: { 'method.response.header.X-Body': 'integration.response.body' } })],
          }),
        ),
        route(
          'GET /mock',
          integration({
            type: 'MOCK',
            httpMethod: '',
            requestTemplates: { 'application/json': '{"statusCode": 404}' },
            responses: [
              integrationResponse({
                statusCode: '404',
                selectionPattern: '404',
                responseParameters: { 'method.response.header.X-Mock': "'1'", 'method.response.header.X-Stage': 'context.stage' },
                responseTemplates: { 'application/json': '{"found":false}', 'text/plain': 'not found' },
              }),
              integrationResponse({ statusCode: '200', responseTemplates: { 'application/json': '{"found":true}' } }),
            ],
          }),
        ),
        route(
          'GET /mock-default',
          integration({ type: 'MOCK', httpMethod: '', responses: [integrationResponse({ statusCode: '200', responseTemplates: { 'application/json': 'plain text body' } })] }),
        ),
        route(
          'GET /mock-bad',
          integration({ type: 'MOCK', httpMethod: '', requestTemplates: { 'application/json': 'not json' }, responses: [integrationResponse()] }),
        ),
      ],
      { stages: [stage('prod', { color: 'blue' })] },
    ),
  ])
  gw = await startGateway(config)
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

t.test('HTTP: only mapped parameters reach the backend', async (t) => {
  const res = await gw.fetch('abc', '/prod/orders/42?search=shoes&other=1', {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-custom': 'hello', 'x-other': 'nope' },
    body: 'payload',
  })
  const seen = backend.seen.at(-1)!
  t.equal(seen.url, '/backend/42?q=shoes', 'mapped path and query only')
  t.equal(seen.method, 'POST')
  t.equal(seen.body, 'payload', 'body passed through')
  t.equal(seen.headers['x-static'], 'fixed')
  t.equal(seen.headers['x-stage'], 'blue')
  t.equal(seen.headers['x-req'], res.headers['x-amzn-requestid'], 'context.requestId is the request id')
  t.equal(seen.headers['x-ip'], '127.0.0.1')
  t.equal(seen.headers['x-from-header'], 'hello')
  t.equal(seen.headers['x-other'], undefined, 'unmapped header not forwarded')
  t.equal(seen.headers['user-agent'], 'AmazonAPIGateway_abc')
  t.equal(seen.headers.accept, 'application/json')
  t.equal(seen.headers['content-type'], 'text/plain')

  t.equal(res.status, 201, 'status from the selected integration response')
  t.equal(res.headers['x-backend'], 'b1', 'mapped from integration.response.header')
  t.equal(res.headers['x-fixed'], 'yes')
  t.equal(res.headers['x-internal'], undefined, 'unmapped backend headers are not returned')
  t.equal(res.headers['content-type'], 'application/json')
  t.equal(res.text, 'backend body payload', 'body passed through')
})

t.test('HTTP: a 5xx selects the 502 response and its template', async (t) => {
  const res = await gw.fetch('abc', '/prod/orders/boom', { method: 'POST', body: 'x' })
  t.equal(res.status, 502)
  t.same(res.json(), { error: 'backend failed' })
})

t.test('HTTP: no match and no default is 500 Internal server error', async (t) => {
  const res = await gw.fetch('abc', '/prod/orders/missing', { method: 'POST', body: 'x' })
  t.equal(res.status, 500)
  t.same(res.json(), { message: 'Internal server error' })
  t.equal(res.headers['x-amzn-errortype'], 'InternalServerErrorException')
})

t.test('HTTP: selectionPattern matches the whole status, like Java', async (t) => {
  const res = await gw.fetch('abc', '/prod/whole')
  t.equal(res.status, 200, '"2" does not match "200"')
})

t.test('HTTP: passthroughBehavior NEVER without a template is 415', async (t) => {
  const res = await gw.fetch('abc', '/prod/strict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(res.status, 415)
  t.same(res.json(), { message: 'Unsupported Media Type' })
})

t.test('HTTP: WHEN_NO_TEMPLATES renders the template, refuses other types', async (t) => {
  const ok = await gw.fetch('abc', '/prod/templated', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
  t.equal(ok.status, 200)
  t.equal(backend.seen.at(-1)!.body, '{"templated":true}', 'a template without VTL markup renders as itself')
  t.equal(ok.headers['x-body'], 'backend body {"templated":true}', 'integration.response.body mapped to a header')
  const refused = await gw.fetch('abc', '/prod/templated', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' })
  t.equal(refused.status, 415)
})

t.test('MOCK: the template status selects the response; Accept picks its template', async (t) => {
  const json = await gw.fetch('abc', '/prod/mock')
  t.equal(json.status, 404)
  t.same(json.json(), { found: false })
  t.equal(json.headers['x-mock'], '1')
  t.equal(json.headers['x-stage'], 'prod')
  t.equal(json.headers['content-type'], 'application/json')
  const text = await gw.fetch('abc', '/prod/mock', { headers: { accept: 'text/plain' } })
  t.equal(text.text, 'not found')
  t.equal(text.headers['content-type'], 'text/plain')
})

t.test('MOCK: a content type without a template passes through (WHEN_NO_MATCH): status 200', async (t) => {
  const res = await gw.fetch('abc', '/prod/mock', { headers: { 'content-type': 'text/plain' } })
  t.equal(res.status, 200)
  t.same(res.json(), { found: true })
})

t.test('MOCK: no request template means 200', async (t) => {
  const res = await gw.fetch('abc', '/prod/mock-default')
  t.equal(res.status, 200)
  t.equal(res.text, 'plain text body')
})

t.test('MOCK: a template that is not JSON is a configuration error (500)', async (t) => {
  const res = await gw.fetch('abc', '/prod/mock-bad')
  t.equal(res.status, 500)
  t.same(res.json(), { message: 'Internal server error' })
})
