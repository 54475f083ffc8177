// The authorizer result cache through HTTP: a hit makes no call; the cached policy (not a
// decision) is evaluated against each request's methodArn; one identity's result never serves
// another; TTL 0 calls every time; entries expire; concurrent misses of one identity share a call;
// two authorizers never share entries. Also the REST REQUEST event, field by field.
import t from 'tap'
import { api, echoUpstream, gatewayConfig, integration, integrationResponse, route, stage, startGateway, type Running, type Upstream } from '../../proxy/helpers.js'
import { lambdaAuthorizer, policy, startFunction, type AuthorizerFunction } from './functions.js'

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:cache/prod'

let fn: AuthorizerFunction
let backend: Upstream
let gw: Running

t.before(async () => {
  // Each identity is allowed exactly GET /pets; "deny-me" is denied everything; "slow" takes 150 ms.
  fn = await startFunction((event) => {
    const who = String(event.authorizationToken ?? (event.headers as Record<string, string> | undefined)?.['X-User'] ?? '')
    if (who === 'deny-me') return { result: policy(who, [{ effect: 'Deny', resource: `${ARN}/*` }]) }
    if (who === 'slow') return { result: policy(who, [{ effect: 'Allow', resource: `${ARN}/GET/pets` }]), delayMs: 150 }
    return { result: policy(who, [{ effect: 'Allow', resource: [`${ARN}/GET/pets`, `${ARN}/GET/items/*`] }], { context: { who } }) }
  })
  backend = await echoUpstream()
  const cached = lambdaAuthorizer({ name: 'default/cached', invokeUri: fn.invokeUri('cached'), resultTtlSeconds: 300 })
  const uncached = lambdaAuthorizer({ name: 'default/uncached', invokeUri: fn.invokeUri('uncached'), resultTtlSeconds: 0 })
  const short = lambdaAuthorizer({ name: 'default/short', invokeUri: fn.invokeUri('short'), resultTtlSeconds: 1 })
  const request = lambdaAuthorizer({
    type: 'REQUEST',
    name: 'default/request',
    invokeUri: fn.invokeUri('request'),
    identitySources: ['method.request.header.X-User', 'method.request.querystring.tenant'],
    resultTtlSeconds: 300,
  })
  const custom = (name: string) => ({ authorizationType: 'CUSTOM' as const, authorizer: name })
  const http = (path: string) =>
    integration({
      type: 'HTTP',
      httpMethod: 'GET',
      uri: `${backend.origin}${path}`,
      requestParameters: { 'integration.request.header.x-who': 'context.authorizer.who' },
      responses: [integrationResponse()],
    })
  gw = await startGateway(
    gatewayConfig([
      api(
        'cache',
        [
          route('GET /pets', http('/pets'), custom(cached.name)),
          route('POST /pets', http('/pets'), custom(cached.name)),
          route('GET /other', http('/other'), custom(uncached.name)),
          route('GET /short', http('/short'), custom(short.name)),
          route('GET /items/{id}', http('/items/{id}'), custom(request.name)),
          route('GET /again', http('/again'), custom(request.name)),
        ],
        { authorizers: [cached, request, short, uncached], stages: [stage('prod', { color: 'blue' })] },
      ),
    ]),
  )
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
  await backend.close()
})

const call = (path: string, headers: Record<string, string>, method = 'GET') => gw.fetch('cache', path, { method, headers })

t.test('a cache hit makes no call, and keeps the context', async (t) => {
  const before = fn.calls
  t.equal((await call('/prod/pets', { authorization: 'alice' })).status, 200)
  t.equal(fn.calls, before + 1)
  for (let i = 0; i < 3; i++) t.equal((await call('/prod/pets', { authorization: 'alice' })).status, 200)
  t.equal(fn.calls, before + 1, 'three hits, no call')
  t.equal(backend.seen.at(-1)!.headers['x-who'], 'alice', 'the cached context reaches the backend')
  t.match(gw.gateway.authorizerMetrics(), /tollgate_authorizer_cache_hits_total\{authorizer="default\/cached"\} 3/)
})

t.test('the cached policy is evaluated against each methodArn (AWS caches the policy, not the decision)', async (t) => {
  const before = fn.calls
  t.equal((await call('/prod/pets', { authorization: 'erin' })).status, 200)
  const r = await call('/prod/pets', { authorization: 'erin' }, 'POST')
  t.equal(r.status, 403, 'POST /pets is not in the cached policy')
  t.equal(r.text, '{"message":"User is not authorized to access this resource"}')
  t.equal(fn.calls, before + 1, 'decided from the cache')
})

t.test('the cache never serves one identity the result of another', async (t) => {
  t.equal((await call('/prod/pets', { authorization: 'frank' })).status, 200)
  const before = fn.calls
  const denied = await call('/prod/pets', { authorization: 'deny-me' })
  t.equal(denied.status, 403, 'another token: its own call, its own answer')
  t.equal(fn.calls, before + 1)
  t.equal((await call('/prod/pets', { authorization: 'frank' })).status, 200, 'and frank still passes, from the cache')
  t.equal(backend.seen.at(-1)!.headers['x-who'], 'frank', "frank's context, not another's")
  t.equal((await call('/prod/pets', { authorization: 'deny-me' })).status, 403, 'the cached deny stays with its identity')
  t.equal(fn.calls, before + 1)
})

t.test('TTL 0: every request calls the function', async (t) => {
  const before = fn.calls
  for (let i = 0; i < 3; i++) t.equal((await call('/prod/other', { authorization: 'gina' })).status, 403, 'GET /other is not allowed')
  t.equal(fn.calls, before + 3)
})

t.test('entries expire after resultTtlSeconds', async (t) => {
  const before = fn.calls
  await call('/prod/short', { authorization: 'hank' })
  await call('/prod/short', { authorization: 'hank' })
  t.equal(fn.calls, before + 1)
  await new Promise((r) => setTimeout(r, 1100))
  await call('/prod/short', { authorization: 'hank' })
  t.equal(fn.calls, before + 2, 'called again after the TTL')
})

t.test('concurrent misses of one identity share one call', async (t) => {
  const before = fn.calls
  const replies = await Promise.all(Array.from({ length: 5 }, () => call('/prod/pets', { authorization: 'slow' })))
  t.same(replies.map((r) => r.status), [200, 200, 200, 200, 200])
  t.equal(fn.calls, before + 1)
})

t.test('two authorizers never share entries, even for the same identity value', async (t) => {
  await call('/prod/pets', { authorization: 'ivy' })
  const before = fn.calls
  await call('/prod/short', { authorization: 'ivy' })
  t.equal(fn.calls, before + 1)
})

t.test('REST REQUEST: the event, field by field', async (t) => {
  const before = fn.calls
  const r = await gw.fetch('cache', '/prod/items/7?tenant=t1&tag=a&tag=b', { headers: { 'X-User': 'jack', 'user-agent': 'tap' } })
  t.equal(r.status, 200)
  t.equal(fn.calls, before + 1)
  const e = fn.events.at(-1)!
  t.equal(e.type, 'REQUEST')
  t.equal(e.methodArn, `${ARN}/GET/items/7`)
  t.equal(e.resource, '/items/{id}')
  t.equal(e.path, '/items/7')
  t.equal(e.httpMethod, 'GET')
  t.equal((e.headers as Record<string, string>)['X-User'], 'jack', "headers in the client's spelling")
  t.same((e.multiValueHeaders as Record<string, string[]>)['X-User'], ['jack'])
  t.same(e.queryStringParameters, { tenant: 't1', tag: 'b' })
  t.same(e.multiValueQueryStringParameters, { tenant: ['t1'], tag: ['a', 'b'] })
  t.same(e.pathParameters, { id: '7' })
  t.same(e.stageVariables, { color: 'blue' })
  t.notOk('authorizationToken' in e, 'no TOKEN fields')
  t.notOk('version' in e, 'no HTTP API fields')
  const rc = e.requestContext as Record<string, unknown>
  t.match(rc, { accountId: '000000000000', apiId: 'cache', stage: 'prod', resourcePath: '/items/{id}', httpMethod: 'GET', path: '/prod/items/7', identity: { sourceIp: '127.0.0.1', userAgent: 'tap' } })
  t.match(rc.requestTime, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/)
  t.type(rc.requestTimeEpoch, 'number')
  t.type(rc.requestId, 'string')
})

t.test('REST REQUEST caching is keyed by every identity source, unambiguously', async (t) => {
  const before = fn.calls
  await gw.fetch('cache', '/prod/items/1?tenant=t1', { headers: { 'x-user': 'kim' } })
  await gw.fetch('cache', '/prod/again?tenant=t1', { headers: { 'x-user': 'kim' } })
  t.equal(fn.calls, before + 1, 'same identity on another route of the same authorizer: cached')
  await gw.fetch('cache', '/prod/items/1?tenant=t2', { headers: { 'x-user': 'kim' } })
  t.equal(fn.calls, before + 2, 'another tenant: a call')
  await gw.fetch('cache', '/prod/items/1?tenant=c', { headers: { 'x-user': 'a,b' } })
  await gw.fetch('cache', '/prod/items/1?tenant=b,c', { headers: { 'x-user': 'a' } })
  t.equal(fn.calls, before + 4, '["a,b","c"] and ["a","b,c"] are two identities')
})

t.test('REST REQUEST: a missing source (header or query) is 401 without a call', async (t) => {
  const before = fn.calls
  const noTenant = await gw.fetch('cache', '/prod/items/1', { headers: { 'x-user': 'kim' } })
  t.equal(noTenant.status, 401)
  t.equal(noTenant.text, '{"message":"Unauthorized"}')
  const emptyTenant = await gw.fetch('cache', '/prod/items/1?tenant=', { headers: { 'x-user': 'kim' } })
  t.equal(emptyTenant.status, 401)
  const noUser = await gw.fetch('cache', '/prod/items/1?tenant=t1')
  t.equal(noUser.status, 401)
  t.equal(fn.calls, before)
  t.match(gw.gateway.authorizerMetrics(), /tollgate_authorizer_refused_total\{authorizer="default\/request"\} 3/)
})
