// HTTP API Lambda authorizers through HTTP: payload format 2.0 (the default) and 1.0, policy
// and simple responses, HTTP APIs' own error bodies, caching by identity sources.
import t from 'tap'
import { api, echoUpstream, gatewayConfig, integration, route, stage, startGateway, type Running, type Upstream } from '../../proxy/helpers.js'
import { lambdaAuthorizer, policy, startFunction, type AuthorizerFunction, type Behaviour } from './functions.js'

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:h2'

function behaviour(event: Record<string, unknown>): Behaviour {
  const token = event.version === '2.0' ? (event.identitySource as string[])[0] : String(event.identitySource)
  switch (token) {
    case 'yes':
      return { result: { isAuthorized: true, context: { plan: 'gold', n: 1 } } }
    case 'no':
      return { result: { isAuthorized: false } }
    case 'bad':
      return { result: { isAuthorized: 'yes' } }
    case 'deny':
      return { result: policy('u', [{ effect: 'Deny', resource: `${ARN}/*` }]) }
    case 'unauthorized':
      return { error: 'Unauthorized', style: 'emulator' }
    case 'crash':
      return { error: 'boom', style: 'lambda' }
    default:
      return { result: policy(`p-${token}`, [{ effect: 'Allow', resource: `${ARN}/*/GET/*` }], { context: { token } }) }
  }
}

let fn: AuthorizerFunction
let backend: Upstream
let gw: Running

t.before(async () => {
  fn = await startFunction(behaviour)
  backend = await echoUpstream()
  const v2 = lambdaAuthorizer({ type: 'REQUEST', name: 'default/v2', invokeUri: fn.invokeUri('v2'), identitySources: ['$request.header.X-Token'] })
  const simple = lambdaAuthorizer({
    type: 'REQUEST',
    name: 'default/simple',
    invokeUri: fn.invokeUri('simple'),
    identitySources: ['$request.header.X-Token'],
    payloadFormatVersion: '2.0',
    enableSimpleResponses: true,
    resultTtlSeconds: 300,
  })
  const v1 = lambdaAuthorizer({
    type: 'REQUEST',
    name: 'default/v1',
    invokeUri: fn.invokeUri('v1'),
    identitySources: ['$request.header.X-Token', '$request.querystring.t'],
    payloadFormatVersion: '1.0',
  })
  const anyone = lambdaAuthorizer({ type: 'REQUEST', name: 'default/anyone', invokeUri: fn.invokeUri('anyone'), identitySources: [], resultTtlSeconds: 300 })
  const custom = (name: string) => ({ authorizationType: 'CUSTOM' as const, authorizer: name })
  const up = integration({ uri: backend.origin })
  gw = await startGateway(
    gatewayConfig([
      api(
        'h2',
        [
          route('GET /v2/{id}', up, custom(v2.name)),
          route('POST /v2/{id}', up, custom(v2.name)),
          route('GET /simple', up, custom(simple.name)),
          route('GET /simple2', up, custom(simple.name)),
          route('GET /v1', up, custom(v1.name)),
          route('GET /anyone', up, custom(anyone.name)),
        ],
        { protocol: 'HTTP', authorizers: [anyone, simple, v1, v2], stages: [stage('$default'), stage('beta', { color: 'green' })] },
      ),
    ]),
  )
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
  await backend.close()
})

t.test('payload 2.0 (the default): the event, field by field', async (t) => {
  const r = await gw.fetch('h2', '/v2/9?a=1&a=2&b=x', { headers: { 'X-Token': 'tok', cookie: 'c1=x; c2=y', 'user-agent': 'tap' } })
  t.equal(r.status, 200)
  const e = fn.events.at(-1)!
  t.match(e, {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `${ARN}/$default/GET/v2/9`,
    identitySource: ['tok'],
    routeKey: 'GET /v2/{id}',
    rawPath: '/v2/9',
    rawQueryString: 'a=1&a=2&b=x',
    cookies: ['c1=x', 'c2=y'],
    queryStringParameters: { a: '1,2', b: 'x' },
    pathParameters: { id: '9' },
  })
  const headers = e.headers as Record<string, string>
  t.equal(headers['x-token'], 'tok', 'header names lower-cased')
  t.notOk('cookie' in headers, 'cookies are moved out of the headers')
  t.notOk('stageVariables' in e, 'no stage variables on $default')
  t.notOk('methodArn' in e, '2.0 has routeArn, not methodArn')
  const rc = e.requestContext as Record<string, unknown>
  t.match(rc, { accountId: '000000000000', apiId: 'h2', routeKey: 'GET /v2/{id}', stage: '$default', http: { method: 'GET', path: '/v2/9', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'tap' } })
  t.type(rc.timeEpoch, 'number')
})

t.test('payload 2.0 on a named stage: routeArn and rawPath carry it, stage variables are sent', async (t) => {
  t.equal((await gw.fetch('h2', '/beta/v2/3', { headers: { 'x-token': 'tok' } })).status, 200)
  const e = fn.events.at(-1)!
  t.equal(e.routeArn, `${ARN}/beta/GET/v2/3`)
  t.equal(e.rawPath, '/beta/v2/3')
  t.same(e.stageVariables, { color: 'green' })
})

t.test('payload 2.0, policy response: allowed by the policy, or 403 {"message":"Forbidden"}', async (t) => {
  t.equal((await gw.fetch('h2', '/v2/1', { headers: { 'x-token': 'tok' } })).status, 200)
  const post = await gw.fetch('h2', '/v2/1', { method: 'POST', headers: { 'x-token': 'tok' } })
  t.equal(post.status, 403, 'the policy allows GET only')
  t.equal(post.text, '{"message":"Forbidden"}')
  t.equal(post.headers['x-amzn-errortype'], undefined, 'HTTP APIs send no error type')
  const deny = await gw.fetch('h2', '/v2/1', { headers: { 'x-token': 'deny' } })
  t.equal(deny.status, 403)
  t.equal(deny.text, '{"message":"Forbidden"}')
})

t.test('simple responses: isAuthorized true → allowed; false → 403; not a boolean → 500', async (t) => {
  t.equal((await gw.fetch('h2', '/simple', { headers: { 'x-token': 'yes' } })).status, 200)
  const no = await gw.fetch('h2', '/simple', { headers: { 'x-token': 'no' } })
  t.equal(no.status, 403)
  t.equal(no.text, '{"message":"Forbidden"}')
  const bad = await gw.fetch('h2', '/simple', { headers: { 'x-token': 'bad' } })
  t.equal(bad.status, 500)
  t.equal(bad.text, '{"message":"Internal Server Error"}')
})

t.test('simple responses are cached by identity source and apply to every route of the authorizer', async (t) => {
  await gw.fetch('h2', '/simple', { headers: { 'x-token': 'yes' } })
  const before = fn.calls
  t.equal((await gw.fetch('h2', '/simple2', { headers: { 'x-token': 'yes' } })).status, 200)
  t.equal((await gw.fetch('h2', '/simple', { headers: { 'x-token': 'yes' } })).status, 200)
  t.equal(fn.calls, before, 'no call')
  t.equal((await gw.fetch('h2', '/simple2', { headers: { 'x-token': 'no' } })).status, 403, 'another identity: its own answer, cached')
  t.equal(fn.calls, before)
})

t.test('Unauthorized → 401, a crash → 500, a missing identity source → 401 without a call', async (t) => {
  const u = await gw.fetch('h2', '/v2/1', { headers: { 'x-token': 'unauthorized' } })
  t.equal(u.status, 401)
  t.equal(u.text, '{"message":"Unauthorized"}')
  const c = await gw.fetch('h2', '/v2/1', { headers: { 'x-token': 'crash' } })
  t.equal(c.status, 500)
  t.equal(c.text, '{"message":"Internal Server Error"}')
  const before = fn.calls
  const missing = await gw.fetch('h2', '/v2/1')
  t.equal(missing.status, 401)
  t.equal(missing.text, '{"message":"Unauthorized"}')
  t.equal(fn.calls, before)
})

t.test('payload 1.0: the REST-compatible event plus version and identitySource', async (t) => {
  const r = await gw.fetch('h2', '/v1?t=q1', { headers: { 'X-Token': 'tok' } })
  t.equal(r.status, 200)
  const e = fn.events.at(-1)!
  t.match(e, {
    version: '1.0',
    type: 'REQUEST',
    methodArn: `${ARN}/$default/GET/v1`,
    identitySource: 'tok,q1',
    authorizationToken: 'tok,q1',
    resource: '/v1',
    path: '/v1',
    httpMethod: 'GET',
    queryStringParameters: { t: 'q1' },
    multiValueQueryStringParameters: { t: ['q1'] },
    requestContext: { apiId: 'h2', stage: '$default', httpMethod: 'GET' },
  })
  t.equal((e.headers as Record<string, string>)['X-Token'], 'tok')
  const missing = await gw.fetch('h2', '/v1', { headers: { 'X-Token': 'tok' } })
  t.equal(missing.status, 401, 'the query string source is missing')
})

t.test('no identity sources: nothing to key a cache on, so every request calls', async (t) => {
  const before = fn.calls
  t.equal((await gw.fetch('h2', '/anyone')).status, 200)
  t.equal((await gw.fetch('h2', '/anyone')).status, 200)
  t.equal(fn.calls, before + 2)
  t.same(fn.events.at(-1)!.identitySource, [])
})
