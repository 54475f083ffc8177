// Gateway response customization end to end: Api manifests compiled by the real compiler, served
// by a real gateway, called by a real undici client (raw sockets where a client library would fix
// the request up). AWS semantics ("Gateway response types for API Gateway", "Set up gateway
// responses", x-amazon-apigateway-gateway-responses): a type without its own customization takes
// DEFAULT_4XX's or DEFAULT_5XX's by its class, DEFAULT_4XX's status changes the status of every
// uncustomized 4XX type, a type's own customization replaces the default whole, headers come
// from gatewayresponse.header.NAME mappings, templates are selected by media type.
import t from 'tap'
import { createServer as createHttpServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { build } from '../../proxy/build.js'
import { compileCustomization } from '../../proxy/gateway-response-custom.js'
import { GatewayResponses } from '../../proxy/gateway-responses.js'
import { resourceId } from '../../proxy/resource-id.js'
import { api as apiConfig, gatewayConfig, integration, rawRequest, route, startGateway, startUpstream, statusOf, type Running, type Upstream } from './helpers.js'

const APP = 'https://app.example.com'

let backend: Upstream
let silent: Server
let silentOrigin: string
let gw: Running

function routes(backendOrigin: string, slowOrigin: string): unknown[] {
  const proxy = (path: string, uri: string, extra: Record<string, unknown> = {}) => ({
    path,
    method: 'GET',
    integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri, ...extra },
  })
  return [
    proxy('/pets/{petId}', `${backendOrigin}/pets/{petId}`),
    { ...proxy('/keyed', `${backendOrigin}/keyed`), apiKeyRequired: true },
    { ...proxy('/secure', `${backendOrigin}/secure`), authorizationType: 'CUSTOM', authorizerRef: { name: 'tokens' } },
    proxy('/slow/{petId}', `${slowOrigin}/slow`, { timeoutInMillis: 50 }),
    // Nothing listens on port 1: INTEGRATION_FAILURE.
    proxy('/down/{petId}', 'http://127.0.0.1:1/down'),
    proxy('/limited', `${backendOrigin}/limited`),
    {
      path: '/strict',
      method: 'POST',
      integration: {
        type: 'HTTP',
        httpMethod: 'POST',
        uri: `${backendOrigin}/strict`,
        passthroughBehavior: 'NEVER',
        requestTemplates: { 'application/json': '{}' },
        responses: [{ statusCode: '200' }],
      },
    },
  ]
}

const CUSTOM_RESPONSES = {
  DEFAULT_4XX: {
    statusCode: '400',
    responseParameters: {
      'gatewayresponse.header.x-request-id': 'method.request.header.x-request-id',
      'gatewayresponse.header.x-query': 'method.request.querystring.q',
      'gatewayresponse.header.x-env': 'stageVariables.env',
      'gatewayresponse.header.x-api': 'context.apiId',
    },
    responseTemplates: {
      'application/json':
        '{"error":{"type":"$context.error.responseType","message":$context.error.messageString},"stage":"$context.stage","env":"$stageVariables.env"}',
    },
  },
  DEFAULT_5XX: {
    responseParameters: {
      'gatewayresponse.header.x-failed-resource': 'context.resourcePath',
      'gatewayresponse.header.x-resource-id': 'context.resourceId',
      'gatewayresponse.header.x-pet': 'method.request.path.petId',
    },
    responseTemplates: { 'application/json': '{"fault":$context.error.messageString,"type":"$context.error.responseType"}' },
  },
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: '404',
    responseParameters: { 'gatewayresponse.header.x-hint': "'check the path'" },
    responseTemplates: {
      'application/json': '{"message":"No such resource: $context.path","env":"$stageVariables.env"}',
      'application/xml': '<error><message>$context.error.message</message><path>$context.path</path></error>',
      'text/plain': 'not found: $context.httpMethod $context.path',
    },
  },
  // Its own customization beats DEFAULT_4XX's: its own status (401, not DEFAULT_4XX's 400), no
  // DEFAULT_4XX headers, and the default body (no templates).
  UNAUTHORIZED: { responseParameters: { 'gatewayresponse.header.WWW-Authenticate': '\'Bearer realm="pets"\'' } },
  THROTTLED: {
    statusCode: '503',
    responseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
    responseTemplates: { 'application/json': '{"slowDown":true}' },
  },
  INTEGRATION_TIMEOUT: { responseTemplates: { 'text/html': '<h1>$context.error.message</h1><p>$context.resourcePath $stageVariables.env</p>' } },
  UNSUPPORTED_MEDIA_TYPE: {
    responseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
    responseTemplates: { 'application/json': '{"title":$context.error.messageString,"accepted":["application/json"]}' },
  },
}

function manifests(backendOrigin: string, slowOrigin: string): ResourceObject[] {
  const stage = (name: string, apiName: string, stageName: string, spec: Record<string, unknown> = {}): ResourceObject => ({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: { apiRef: { name: apiName }, stageName, ...spec },
  })
  return [
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Authorizer',
      metadata: { name: 'tokens' },
      // Never called: every request in this file that reaches it has no Authorization header.
      spec: { type: 'TOKEN', functionUri: 'http://127.0.0.1:1/2015-03-31/functions/auth/invocations', identitySource: 'method.request.header.Authorization' },
    },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'custom' }, spec: { apiId: 'custom', routes: routes(backendOrigin, slowOrigin), gatewayResponses: CUSTOM_RESPONSES } },
    stage('custom-prod', 'custom', 'prod', {
      variables: { env: 'production' },
      methodSettings: { '/limited/GET': { throttlingRateLimit: 0.001, throttlingBurstLimit: 1 } },
    }),
    stage('custom-dev', 'custom', 'dev', { variables: { env: 'development' } }),
    // The same routes without customization: the defaults, byte for byte.
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'plain' }, spec: { apiId: 'plain', routes: routes(backendOrigin, slowOrigin) } },
    stage('plain-prod', 'plain', 'prod', { methodSettings: { '/limited/GET': { throttlingRateLimit: 0.001, throttlingBurstLimit: 1 } } }),
    // Only DEFAULT_5XX customized: every 4XX type keeps its default bytes.
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'fiveonly' },
      spec: { apiId: 'fiveonly', routes: routes(backendOrigin, slowOrigin), gatewayResponses: { DEFAULT_5XX: CUSTOM_RESPONSES.DEFAULT_5XX } },
    },
    stage('fiveonly-prod', 'fiveonly', 'prod'),
    // CORS and customization together.
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'corsy' },
      spec: {
        apiId: 'corsy',
        cors: { allowOrigins: [APP], allowMethods: ['GET'] },
        routes: routes(backendOrigin, slowOrigin),
        gatewayResponses: {
          DEFAULT_4XX: { responseTemplates: { 'application/json': '{"oops":$context.error.messageString}' } },
          MISSING_AUTHENTICATION_TOKEN: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'https://override.example.com'" } },
        },
      },
    },
    stage('corsy-prod', 'corsy', 'prod'),
  ]
}

t.before(async () => {
  backend = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  // Accepts requests and never answers: the integration times out.
  silent = createHttpServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
  silentOrigin = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
  const { config, statuses } = compile(manifests(backend.origin, silentOrigin), {
    domain: 'localhost',
    defaultNamespace: 'default',
    endpoint: { scheme: 'http' },
  })
  const errors = statuses.flatMap((s) => s.problems.filter((p) => p.severity === 'error').map((p) => `${s.ref.name}: ${p.field}: ${p.message}`))
  if (errors.length > 0) throw new Error(errors.join('\n'))
  gw = await startGateway(config, { limits: { maxBodyBytes: 1000 } })
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
  silent.closeAllConnections()
  await new Promise<void>((resolve) => silent.close(() => resolve()))
})

t.test('MISSING_AUTHENTICATION_TOKEN: own status, static header, template by Accept', async (t) => {
  const json = await gw.fetch('custom', '/prod/nope?q=1', { headers: { 'x-request-id': 'r-1' } })
  t.equal(json.status, 404, 'statusCode overrides the default 403')
  t.equal(json.headers['content-type'], 'application/json')
  t.equal(json.text, '{"message":"No such resource: /prod/nope","env":"production"}', 'stage variables of the stage in the URL')
  t.equal(json.headers['x-hint'], 'check the path')
  t.equal(json.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException', 'the error type header stays')
  t.match(json.headers['x-amzn-requestid'], /^[0-9a-f-]{36}$/)
  t.equal(json.headers['x-request-id'], undefined, "DEFAULT_4XX's headers do not apply: the type has its own customization")
  t.equal(json.headers['content-length'], String(Buffer.byteLength(json.text)))

  const dev = await gw.fetch('custom', '/dev/nope')
  t.equal(dev.text, '{"message":"No such resource: /dev/nope","env":"development"}', 'another stage, its own variables')

  const xml = await gw.fetch('custom', '/prod/nope', { headers: { accept: 'text/html, application/xml;q=0.9' } })
  t.equal(xml.status, 404)
  t.equal(xml.headers['content-type'], 'application/xml', 'the first media type of Accept that has a template')
  t.equal(xml.text, '<error><message>Missing Authentication Token</message><path>/prod/nope</path></error>')

  const text = await gw.fetch('custom', '/prod/pets', { method: 'DELETE', headers: { accept: 'text/plain' } })
  t.equal(text.headers['content-type'], 'text/plain')
  t.equal(text.text, 'not found: DELETE /prod/pets', 'a body that is not JSON')

  const other = await gw.fetch('custom', '/prod/nope', { headers: { accept: 'image/png' } })
  t.equal(other.headers['content-type'], 'application/json', 'no template for Accept: application/json')
})

t.test('INVALID_API_KEY inherits DEFAULT_4XX: its status, headers and template', async (t) => {
  const res = await gw.fetch('custom', '/prod/keyed?q=find+me', { headers: { 'x-request-id': 'r-2' } })
  t.equal(res.status, 400, "DEFAULT_4XX's statusCode replaces 403 for every 4XX type without its own")
  t.same(res.json(), { error: { type: 'INVALID_API_KEY', message: 'Forbidden' }, stage: 'prod', env: 'production' })
  t.equal(res.headers['x-request-id'], 'r-2', 'method.request.header')
  t.equal(res.headers['x-query'], 'find me', 'method.request.querystring, decoded')
  t.equal(res.headers['x-env'], 'production', 'stageVariables')
  t.equal(res.headers['x-api'], 'custom', 'context')
  t.equal(res.headers['x-amzn-errortype'], 'ForbiddenException')
  const bare = await gw.fetch('custom', '/dev/keyed')
  t.equal(bare.headers['x-request-id'], undefined, 'a header the request did not send is left out')
  t.equal(bare.headers['x-query'], undefined)
  t.equal(bare.headers['x-env'], 'development')
})

t.test('UNAUTHORIZED (401 from a missing token): its own customization beats DEFAULT_4XX', async (t) => {
  const res = await gw.fetch('custom', '/prod/secure', { headers: { 'x-request-id': 'r-3' } })
  t.equal(res.status, 401, 'its own status, not DEFAULT_4XX 400')
  t.equal(res.headers['www-authenticate'], 'Bearer realm="pets"')
  t.equal(res.text, '{"message":"Unauthorized"}', 'no template: the default body')
  t.equal(res.headers['x-request-id'], undefined, "no DEFAULT_4XX header: the customizations do not merge")
  t.equal(res.headers['x-amzn-errortype'], 'UnauthorizedException')
})

t.test('THROTTLED: status, header and a fixed body', async (t) => {
  const first = await gw.fetch('custom', '/prod/limited')
  t.equal(first.status, 200)
  const throttled = await gw.fetch('custom', '/prod/limited')
  t.equal(throttled.status, 503)
  t.equal(throttled.headers['retry-after'], '1')
  t.equal(throttled.text, '{"slowDown":true}')
  t.equal(throttled.headers['x-amzn-errortype'], 'TooManyRequestsException')
})

t.test('INTEGRATION_TIMEOUT: a text/html template; path parameters and resource of the route', async (t) => {
  const res = await gw.fetch('custom', '/prod/slow/7', { headers: { accept: 'application/json' } })
  t.equal(res.status, 504)
  t.equal(res.headers['content-type'], 'text/html', 'the only template, whatever Accept says')
  t.equal(res.text, '<h1>Endpoint request timed out</h1><p>/slow/{petId} production</p>')
  t.equal(res.headers['x-pet'], undefined, "its own customization: DEFAULT_5XX's headers do not apply")
})

t.test('INTEGRATION_FAILURE inherits DEFAULT_5XX (status kept: DEFAULT_5XX sets none)', async (t) => {
  const res = await gw.fetch('custom', '/prod/down/42')
  t.equal(res.status, 504)
  t.same(res.json(), { fault: 'Network error communicating with endpoint', type: 'INTEGRATION_FAILURE' })
  t.equal(res.headers['x-failed-resource'], '/down/{petId}')
  t.equal(res.headers['x-resource-id'], resourceId('custom', '/down/{petId}'))
  t.equal(res.headers['x-pet'], '42', 'method.request.path')
})

t.test('UNSUPPORTED_MEDIA_TYPE (415): a mapped Content-Type wins over the template key', async (t) => {
  const res = await gw.fetch('custom', '/prod/strict', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })
  t.equal(res.status, 415)
  t.equal(res.headers['content-type'], 'application/problem+json')
  t.same(res.json(), { title: 'Unsupported Media Type', accepted: ['application/json'] })
})

t.test('REQUEST_TOO_LARGE (413) inherits DEFAULT_4XX before routing: 400, the message names the limit', async (t) => {
  const raw = await rawRequest(
    gw.port,
    `POST /prod/pets/1 HTTP/1.1\r\nHost: custom.execute-api.localhost\r\nX-Request-Id: r-413\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(100)}`,
  )
  t.equal(statusOf(raw), 400)
  t.match(raw, /\r\nx-request-id: r-413\r\n/i)
  t.match(raw, /\r\nx-env: production\r\n/i, 'the stage is found from the raw URL')
  t.match(raw, /\r\nconnection: close\r\n/i)
  t.ok(raw.endsWith('{"error":{"type":"REQUEST_TOO_LARGE","message":"HTTP content length exceeded 1000 bytes."},"stage":"prod","env":"production"}'))
})

/** A raw response with its per-request values (date, ids) masked. */
function masked(raw: string): string {
  return raw
    .replace(/\r\nDate: [^\r]*/i, '\r\nDate: *')
    .replace(/\r\nx-amzn-RequestId: [0-9a-f-]{36}/, '\r\nx-amzn-RequestId: *')
    .replace(/\r\nx-amz-apigw-id: [A-Za-z0-9+/=]{16}/, '\r\nx-amz-apigw-id: *')
}

t.test('an API without customization answers the defaults byte for byte', async (t) => {
  const get = (api: string, path: string, headers = '') => rawRequest(gw.port, `GET ${path} HTTP/1.1\r\nHost: ${api}.execute-api.localhost\r\n${headers}\r\n`)
  const expected403 =
    'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 42\r\nx-amzn-RequestId: *\r\nx-amzn-ErrorType: MissingAuthenticationTokenException\r\n' +
    'x-amz-apigw-id: *\r\nDate: *\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n{"message":"Missing Authentication Token"}'
  t.equal(masked(await get('plain', '/prod/nope')), expected403)
  t.equal(masked(await get('fiveonly', '/prod/nope')), expected403, 'only DEFAULT_5XX customized: 4XX types untouched')
  const expectedKey =
    'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 23\r\nx-amzn-RequestId: *\r\nx-amzn-ErrorType: ForbiddenException\r\n' +
    'x-amz-apigw-id: *\r\nDate: *\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n{"message":"Forbidden"}'
  t.equal(masked(await get('plain', '/prod/keyed')), expectedKey)
  t.equal(masked(await get('fiveonly', '/prod/keyed')), expectedKey)
  const timeout = await gw.fetch('plain', '/prod/slow/1')
  t.equal(timeout.status, 504)
  t.equal(timeout.text, '{"message":"Endpoint request timed out"}')
  t.same(Object.keys(timeout.headers).sort(), ['connection', 'content-length', 'content-type', 'date', 'keep-alive', 'x-amz-apigw-id', 'x-amzn-errortype', 'x-amzn-requestid'])
  const failure = await gw.fetch('fiveonly', '/prod/down/9')
  t.same(failure.json(), { fault: 'Network error communicating with endpoint', type: 'INTEGRATION_FAILURE' }, 'while its 5XX types are customized')
})

t.test('CORS with customization: CORS headers stay, a mapped header of the same name wins', async (t) => {
  const keyed = await gw.fetch('corsy', '/prod/keyed', { headers: { origin: APP } })
  t.equal(keyed.status, 403)
  t.equal(keyed.text, '{"oops":"Forbidden"}')
  t.equal(keyed.headers['access-control-allow-origin'], APP, 'the CORS policy still answers')
  t.equal(keyed.headers.vary, 'Origin')
  const nope = await gw.fetch('corsy', '/prod/nope', { headers: { origin: APP } })
  t.equal(nope.status, 403)
  t.equal(nope.headers['access-control-allow-origin'], 'https://override.example.com', 'gatewayresponse.header.Access-Control-Allow-Origin wins')
  t.equal(nope.text, '{"message":"Missing Authentication Token"}', 'its own customization has no template: the default body')
})

t.test('$context.error.validationErrorString and a failed render, through a real HTTP server', async (t) => {
  const responses = new GatewayResponses('REST', 1000, null, {
    env: { accountId: '123456789012' },
    responses: {
      BAD_REQUEST_BODY: compileCustomization({
        responseParameters: {},
        responseTemplates: { 'application/json': '{"message":$context.error.messageString,"detail":"$context.error.validationErrorString","account":"$context.accountId"}' },
      }),
      // A render that fails (Java's index out of bounds) falls back to the default body.
      DEFAULT_5XX: compileCustomization({ statusCode: '502', responseParameters: {}, responseTemplates: { 'application/json': '$context.error.message.substring(99)' } }),
    },
  })
  const server = createHttpServer((req, res) => {
    const ids = { requestId: 'req-1', extendedRequestId: 'ext-1' }
    if (req.url === '/body') responses.send(res, 'BAD_REQUEST_BODY', ids, { validationErrorString: 'instance type (string) does not match any allowed primitive type' })
    else responses.send(res, 'API_CONFIGURATION_ERROR', ids)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const port = (server.address() as AddressInfo).port
  const body = await rawRequest(port, 'GET /body HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.equal(statusOf(body), 400)
  t.ok(body.endsWith('{"message":"Invalid request body","detail":"instance type (string) does not match any allowed primitive type","account":"123456789012"}'))
  const failed = await rawRequest(port, 'GET /config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.equal(statusOf(failed), 502, 'the status of the customization stays')
  t.ok(failed.endsWith('{"message":"Internal server error"}'), 'the default body when the template fails')
})

t.test("Tollgate's own rows are never customized; the SigV4 refusals follow DEFAULT_4XX", async (t) => {
  const unknownStage = await gw.fetch('custom', '/staging/pets/1')
  t.equal(unknownStage.status, 403, 'API_NOT_FOUND keeps its default on a customized API')
  t.equal(unknownStage.text, '{"message":"Forbidden"}')
  t.equal(unknownStage.headers['x-env'], undefined)

  const custom = compileCustomization({
    statusCode: '418',
    responseParameters: { 'gatewayresponse.header.x-custom': "'yes'" },
    responseTemplates: { 'application/json': '{"type":"$context.error.responseType","message":$context.error.messageString}' },
  })
  const customization = { env: { accountId: '123456789012' }, responses: { DEFAULT_4XX: custom, RESOURCE_POLICY_DENIED: custom, API_NOT_FOUND: custom } }
  const rest = new GatewayResponses('REST', 1000, null, customization)
  const http = new GatewayResponses('HTTP', 1000, null, customization)
  const server = createHttpServer((req, res) => {
    const [, protocol, type] = req.url!.split('/') as [string, string, Parameters<GatewayResponses['send']>[1]]
    ;(protocol === 'http' ? http : rest).send(res, type, { requestId: 'req-1', extendedRequestId: 'ext-1' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const port = (server.address() as AddressInfo).port
  const get = (path: string) => rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)

  const unrecognized = await get('/rest/UNRECOGNIZED_CLIENT')
  t.equal(statusOf(unrecognized), 418, 'UNRECOGNIZED_CLIENT: AWS has no type for it, DEFAULT_4XX applies')
  t.match(unrecognized, /\r\nx-custom: yes\r\n/)
  t.match(unrecognized, /\r\nx-amzn-ErrorType: UnrecognizedClientException\r\n/)
  t.ok(unrecognized.endsWith('{"type":"DEFAULT_4XX","message":"The security token included in the request is invalid."}'))
  const incomplete = await get('/rest/INCOMPLETE_SIGNATURE')
  t.equal(statusOf(incomplete), 418)
  for (const type of ['RESOURCE_POLICY_DENIED', 'API_NOT_FOUND', 'MALFORMED_REQUEST', 'METERING_UNAVAILABLE']) {
    const raw = await get(`/rest/${type}`)
    t.not(statusOf(raw), 418, `${type} is Tollgate's own: not customized, not inherited`)
    t.notMatch(raw, /x-custom/)
  }
  const httpApi = await get('/http/THROTTLED')
  t.equal(statusOf(httpApi), 429, 'HTTP APIs ignore a customization (the compiler refuses one)')
  t.ok(httpApi.endsWith('{"message":"Too Many Requests"}'))
  t.notMatch(httpApi, /x-custom/)
})

t.test('compile problems: HTTP APIs, unknown types, bad expressions', async (t) => {
  const api = (name: string, spec: Record<string, unknown>): ResourceObject => ({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Api',
    metadata: { name },
    spec: { routes: [{ path: '/x', method: 'GET', integration: { type: 'MOCK' } }], ...spec },
  })
  const { config, statuses } = compile(
    [
      api('http', {
        protocol: 'HTTP',
        routes: [{ routeKey: 'GET /x', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'http://a.example.com' } }],
        gatewayResponses: { DEFAULT_4XX: {} },
      }),
      api('types', { gatewayResponses: { THROTTLE: {}, METERING_UNAVAILABLE: {} } }),
      api('exprs', { gatewayResponses: { DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.x': 'method.request.header' } } } }),
      api('template', { gatewayResponses: { DEFAULT_5XX: { responseTemplates: { 'application/json': '#foreach($x in [1..2])' } } } }),
    ],
    { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } },
  )
  const reasons = Object.fromEntries(statuses.map((s) => [s.ref.name, s.problems.map((p) => p.reason)]))
  t.same(reasons, {
    http: ['GatewayResponsesNotSupported'],
    types: ['InvalidGatewayResponseType', 'InvalidGatewayResponseType'],
    exprs: ['InvalidGatewayResponseParameter'],
    template: ['InvalidGatewayResponseTemplate'],
  })
  t.same(config.apis, [], 'none of them is served')
})

t.test('a hand-written config with a customization the compiler would refuse: reported, that type uncustomized', async (t) => {
  const config = gatewayConfig([
    apiConfig('hand', [route('GET /x', integration({ type: 'MOCK', httpMethod: '' }))], {
      gatewayResponses: {
        DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.x': 'method.request.body' }, responseTemplates: {} },
        THROTTLED: { responseParameters: {}, responseTemplates: { 'application/json': '#if(' } },
        DEFAULT_5XX: { statusCode: '503', responseParameters: {}, responseTemplates: {} },
      },
    }),
  ])
  const runtime = build(config)
  t.same(
    runtime.problems.map((p) => p.replace(/: .*/, '')),
    ['api hand gateway response DEFAULT_4XX', 'api hand gateway response THROTTLED'],
  )
  const responses = runtime.apis.get('hand')!.responses
  t.equal(responses.status('INVALID_API_KEY'), 403, 'DEFAULT_4XX was left out')
  t.equal(responses.status('INTEGRATION_TIMEOUT'), 503, 'DEFAULT_5XX still applies')
})
