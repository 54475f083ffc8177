// REST TOKEN authorizers through HTTP: a real gateway, a real function speaking the invoke API,
// a real backend. Allow, explicit Deny, no matching Allow, wildcard resources, Unauthorized,
// the function failing in every way (500 as AWS answers), identity sources and validation.
import t from 'tap'
import { api, echoUpstream, gatewayConfig, integration, integrationResponse, route, startGateway, type Running, type Upstream } from '../../proxy/helpers.js'
import { lambdaAuthorizer, policy, startFunction, type AuthorizerFunction, type Behaviour } from './functions.js'

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:shop/prod'

function behaviour(token: string): Behaviour {
  switch (token) {
    case 'Bearer allow':
      return { result: policy('alice', [{ effect: 'Allow', resource: `${ARN}/*` }], { context: { tenant: 't1', level: 3, admin: true } }) }
    case 'Bearer deny':
      return { result: policy('bob', [{ effect: 'Allow', resource: `${ARN}/*` }, { effect: 'Deny', resource: `${ARN}/GET/pets` }]) }
    case 'Bearer orders-only':
      return { result: policy('carol', [{ effect: 'Allow', resource: `${ARN}/POST/orders` }]) }
    case 'Bearer wild':
      return { result: policy('dave', [{ effect: 'Allow', resource: 'arn:aws:execute-api:*:*:shop/*/GET/pets/?*' }]) }
    case 'Bearer unauthorized':
      return { error: 'Unauthorized', style: 'lambda' }
    case 'Bearer unauthorized-emulator':
      return { error: 'Unauthorized', errorType: 'string', style: 'emulator' }
    case 'Bearer crash':
      return { error: 'database is down', style: 'lambda' }
    case 'Bearer crash-emulator':
      return { error: 'Cannot read properties of undefined', errorType: 'TypeError', style: 'emulator' }
    case 'Bearer not-json':
      return { raw: 'OK' }
    case 'Bearer invoke-502':
      return { raw: '{"Message":"ServiceException"}', status: 502 }
    case 'Bearer no-policy':
      return { result: { principalId: 'x' } }
    case 'Bearer no-principal':
      return { result: { policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }] } } }
    case 'Bearer bad-policy':
      return { result: { principalId: 'x', policyDocument: { Statement: [{ Effect: 'Maybe', Action: 'execute-api:Invoke', Resource: '*' }] } } }
    case 'Bearer nested-context':
      return { result: policy('x', [{ effect: 'Allow', resource: '*' }], { context: { user: { id: 1 } } }) }
    case 'Bearer array-context':
      return { result: policy('x', [{ effect: 'Allow', resource: '*' }], { context: { roles: ['a'] } }) }
    case 'Bearer hang':
      return { hang: true }
    default:
      return { error: 'Unauthorized', style: 'lambda' }
  }
}

let fn: AuthorizerFunction
let backend: Upstream
let gw: Running

t.before(async () => {
  fn = await startFunction((event) => behaviour(String(event.authorizationToken)))
  backend = await echoUpstream()
  const auth = lambdaAuthorizer({ invokeUri: fn.invokeUri('token-auth'), identityValidationExpression: 'Bearer [-a-z0-9]+' })
  const http = (method: string, path: string) =>
    integration({
      type: 'HTTP',
      httpMethod: method,
      uri: `${backend.origin}${path}`,
      requestParameters: {
        'integration.request.header.x-principal': 'context.authorizer.principalId',
        'integration.request.header.x-tenant': 'context.authorizer.tenant',
        'integration.request.header.x-level': 'context.authorizer.level',
        'integration.request.header.x-admin': 'context.authorizer.admin',
        'integration.request.header.x-missing': 'context.authorizer.missing',
      },
      responses: [integrationResponse()],
    })
  const custom = { authorizationType: 'CUSTOM' as const, authorizer: auth.name }
  gw = await startGateway(
    gatewayConfig([
      api(
        'shop',
        [
          route('GET /pets', http('GET', '/pets'), custom),
          route('GET /pets/{id}', http('GET', '/pets/{id}'), { ...custom, requestParameters: {} }),
          route('POST /orders', http('POST', '/orders'), custom),
          route('GET /open', http('GET', '/open')),
        ],
        { authorizers: [auth] },
      ),
    ]),
    { lambdaAuthorizers: { timeoutMs: 300 } },
  )
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
  await backend.close()
})

const get = (path: string, token?: string, method = 'GET') =>
  gw.fetch('shop', path, { method, headers: token === undefined ? {} : { authorization: token } })

t.test('Allow: the function gets the TOKEN event, the backend gets the context through mappings', async (t) => {
  const before = fn.calls
  const r = await get('/prod/pets?x=1', 'Bearer allow')
  t.equal(r.status, 200)
  t.equal(fn.calls, before + 1, 'one call')
  t.same(fn.events.at(-1), { type: 'TOKEN', authorizationToken: 'Bearer allow', methodArn: `${ARN}/GET/pets` }, 'exactly the TOKEN event')
  t.match(fn.paths.at(-1), '/2015-03-31/functions/token-auth/invocations')
  const seen = backend.seen.at(-1)!
  t.equal(seen.headers['x-principal'], 'alice')
  t.equal(seen.headers['x-tenant'], 't1')
  t.equal(seen.headers['x-level'], '3', 'numbers as text')
  t.equal(seen.headers['x-admin'], 'true', 'booleans as text')
  t.notOk('x-missing' in seen.headers, 'an absent context key is left out')
})

t.test('the methodArn names the request: method, path with parameters filled in', async (t) => {
  t.equal((await get('/prod/orders', 'Bearer allow', 'POST')).status, 200)
  t.equal(fn.events.at(-1)!.methodArn, `${ARN}/POST/orders`)
  t.equal((await get('/prod/pets/42', 'Bearer allow')).status, 200)
  t.equal(fn.events.at(-1)!.methodArn, `${ARN}/GET/pets/42`)
})

t.test('explicit Deny wins over Allow: 403 with AWS body', async (t) => {
  const r = await get('/prod/pets', 'Bearer deny')
  t.equal(r.status, 403)
  t.equal(r.text, '{"message":"User is not authorized to access this resource with an explicit deny"}')
  t.equal(r.headers['x-amzn-errortype'], 'AccessDeniedException')
  t.equal((await get('/prod/orders', 'Bearer deny', 'POST')).status, 200, 'the Deny covers GET /pets only')
})

t.test('no matching Allow: 403 "User is not authorized to access this resource"', async (t) => {
  const r = await get('/prod/pets', 'Bearer orders-only')
  t.equal(r.status, 403)
  t.equal(r.text, '{"message":"User is not authorized to access this resource"}')
  t.equal(r.headers['x-amzn-errortype'], 'AccessDeniedException')
  t.equal((await get('/prod/orders', 'Bearer orders-only', 'POST')).status, 200)
})

t.test('wildcards in the Resource: * and ?', async (t) => {
  t.equal((await get('/prod/pets/7', 'Bearer wild')).status, 200, 'shop/*/GET/pets/?* matches /pets/7')
  t.equal((await get('/prod/pets', 'Bearer wild')).status, 403, 'but not /pets (? needs one character)')
  t.equal((await get('/prod/orders', 'Bearer wild', 'POST')).status, 403, 'nor another method')
})

t.test('the function answering Unauthorized: 401 {"message":"Unauthorized"}, real Lambda and emulator alike', async (t) => {
  for (const token of ['Bearer unauthorized', 'Bearer unauthorized-emulator']) {
    const r = await get('/prod/pets', token)
    t.equal(r.status, 401, token)
    t.equal(r.text, '{"message":"Unauthorized"}')
    t.equal(r.headers['x-amzn-errortype'], 'UnauthorizedException')
  }
})

t.test('crash, timeout, non-JSON, invoke error, malformed answers: 500 AuthorizerConfigurationException, message null', async (t) => {
  const tokens = [
    'Bearer crash',
    'Bearer crash-emulator',
    'Bearer not-json',
    'Bearer invoke-502',
    'Bearer no-policy',
    'Bearer no-principal',
    'Bearer bad-policy',
    'Bearer nested-context',
    'Bearer array-context',
    'Bearer hang',
  ]
  const seenBefore = backend.seen.length
  for (const token of tokens) {
    const r = await get('/prod/pets', token)
    t.equal(r.status, 500, token)
    t.equal(r.text, '{"message":null}', token)
    t.equal(r.headers['x-amzn-errortype'], 'AuthorizerConfigurationException', token)
  }
  t.equal(backend.seen.length, seenBefore, 'the backend was never called')
})

t.test('timeout is bounded: a hanging function is cut off at the configured timeout', async (t) => {
  const started = Date.now()
  const r = await get('/prod/pets', 'Bearer hang')
  const took = Date.now() - started
  t.equal(r.status, 500)
  t.ok(took >= 250 && took < 3000, `answered after ${took} ms (timeout 300 ms)`)
})

t.test('missing or empty identity source: 401 without calling the function', async (t) => {
  const before = fn.calls
  for (const headers of [{}, { authorization: '' }] as Record<string, string>[]) {
    const r = await gw.fetch('shop', '/prod/pets', { headers })
    t.equal(r.status, 401)
    t.equal(r.text, '{"message":"Unauthorized"}')
  }
  t.equal(fn.calls, before, 'zero calls')
})

t.test('identityValidationExpression: a token that does not match is refused with 401, no call', async (t) => {
  const before = fn.calls
  for (const token of ['Basic allow', 'Bearer ALLOW', 'Bearer allow extra!']) {
    const r = await get('/prod/pets', token)
    t.equal(r.status, 401, token)
  }
  t.equal(fn.calls, before, 'zero calls')
})

t.test('the identity source header is matched case-insensitively', async (t) => {
  const r = await gw.fetch('shop', '/prod/pets', { headers: { AUTHORIZATION: 'Bearer allow' } })
  t.equal(r.status, 200)
  const r2 = await gw.fetch('shop', '/prod/pets', { headers: { aUtHoRiZaTiOn: 'Bearer allow' } })
  t.equal(r2.status, 200)
})

t.test('a route without authorization calls nothing', async (t) => {
  const before = fn.calls
  t.equal((await gw.fetch('shop', '/prod/open')).status, 200)
  t.equal(fn.calls, before)
})

t.test('metrics count calls by outcome; neither metrics nor logs carry a token or a principal', async (t) => {
  const metrics = gw.gateway.authorizerMetrics()
  t.match(metrics, /tollgate_authorizer_calls_total\{authorizer="default\/auth",outcome="allow"\} [1-9]/)
  t.match(metrics, /tollgate_authorizer_calls_total\{authorizer="default\/auth",outcome="deny"\} [1-9]/)
  t.match(metrics, /tollgate_authorizer_calls_total\{authorizer="default\/auth",outcome="unauthorized"\} [1-9]/)
  t.match(metrics, /tollgate_authorizer_calls_total\{authorizer="default\/auth",outcome="error"\} [1-9]/)
  t.match(metrics, /tollgate_authorizer_refused_total\{authorizer="default\/auth"\} [1-9]/)
  for (const text of [metrics, gw.logs.join('\n')]) t.notMatch(text, /Bearer|alice|database is down/)
})

t.test('an unreachable function: 500 AuthorizerConfigurationException', async (t) => {
  const gone = await startFunction(() => ({ result: null }))
  const uri = gone.invokeUri()
  await gone.close()
  const auth = lambdaAuthorizer({ invokeUri: uri })
  const g = await startGateway(
    gatewayConfig([api('gone', [route('GET /x', integration({ uri: backend.origin }), { authorizationType: 'CUSTOM', authorizer: auth.name })], { authorizers: [auth] })]),
  )
  t.teardown(() => g.close())
  const r = await g.fetch('gone', '/prod/x', { headers: { authorization: 'Bearer allow' } })
  t.equal(r.status, 500)
  t.equal(r.text, '{"message":null}')
  t.equal(r.headers['x-amzn-errortype'], 'AuthorizerConfigurationException')
})
