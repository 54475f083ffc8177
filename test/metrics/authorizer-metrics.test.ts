// tollgate_authorizer_requests_total{api,stage,authorizer,outcome} after known traffic: a Lambda
// TOKEN authorizer (a real function server) that allows, denies, fails and says Unauthorized,
// with its result cache (cache_hit), on two stages; and a JWT authorizer on an HTTP API (a real
// issuer): valid, invalid and missing tokens, a missing scope.
import t from 'tap'
import { request } from 'undici'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { startIssuer } from '../helpers/issuer.js'
import { manifestDir, startServer } from '../helpers/servers.js'
import { startFunction } from '../auth/lambda/functions.js'
import { scrape } from './scrape.js'

const backend = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'))
t.teardown(() => backend.close())
const fn = await startFunction((event) => {
  const token = String(event.authorizationToken)
  const effect = token === 'Bearer allow' ? 'Allow' : 'Deny'
  if (token === 'Bearer boom') return { error: 'kaput', style: 'lambda' }
  if (token === 'Bearer who') return { error: 'Unauthorized', style: 'lambda' }
  return { result: { principalId: 'u', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: '*' }] } } }
})
t.teardown(() => fn.close())
const issuer = await startIssuer()
t.teardown(() => issuer.close())
const origin = `http://127.0.0.1:${backend.port}`

const dir = manifestDir({
  'apis.yaml': `
apiVersion: tollgate.dev/v1alpha1
kind: Authorizer
metadata: {name: token}
spec:
  type: TOKEN
  functionUri: ${fn.invokeUri()}
  identitySource: method.request.header.Authorization
  resultTtlInSeconds: 300
---
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  routes:
    - {path: /pets, method: GET, authorizationType: CUSTOM, authorizerRef: {name: token}, integration: {type: HTTP_PROXY, httpMethod: GET, uri: '${origin}/pets'}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec: {apiRef: {name: shop}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: dev}
spec: {apiRef: {name: shop}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Authorizer
metadata: {name: jwt}
spec:
  type: JWT
  jwtConfiguration: {issuer: '${issuer.url}', audience: [orders]}
---
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: orders}
spec:
  apiId: orders
  protocol: HTTP
  routes:
    - {routeKey: 'GET /orders', authorizationType: JWT, authorizerRef: {name: jwt}, integration: {type: HTTP_PROXY, httpMethod: ANY, uri: '${origin}/orders'}}
    - {routeKey: 'GET /admin', authorizationType: JWT, authorizerRef: {name: jwt}, authorizationScopes: [admin], integration: {type: HTTP_PROXY, httpMethod: ANY, uri: '${origin}/admin'}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: orders}
spec: {apiRef: {name: orders}, stageName: $default}
`,
})

const logs: string[] = []
const s: Standalone = await startStandalone(
  { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, adminPort: 0 },
  (line) => logs.push(line),
)
t.teardown(() => s.close())

async function get(api: string, path: string, authorization?: string): Promise<number> {
  const headers: Record<string, string> = { host: `${api}.execute-api.localhost:${s.port}` }
  if (authorization !== undefined) headers.authorization = authorization
  const r = await request(`http://127.0.0.1:${s.port}${path}`, { headers })
  await r.body.dump()
  return r.statusCode
}

async function outcomes(api: string, stage: string, authorizer: string): Promise<Record<string, number>> {
  const m = await scrape(s.adminPort!)
  return Object.fromEntries(m.all('tollgate_authorizer_requests_total', { api, stage, authorizer }).map((x) => [x.labels.outcome!, x.value]))
}

t.test('a Lambda authorizer: allow, deny, error, unauthorized, and decisions from its cache', async (t) => {
  const statuses = [
    await get('shop', '/prod/pets'), // no token: refused without a call
    await get('shop', '/prod/pets', 'Bearer allow'),
    await get('shop', '/prod/pets', 'Bearer allow'), // cached
    await get('shop', '/prod/pets', 'Bearer deny'),
    await get('shop', '/prod/pets', 'Bearer deny'), // cached
    await get('shop', '/prod/pets', 'Bearer boom'),
    await get('shop', '/prod/pets', 'Bearer boom'), // failures are not cached
    await get('shop', '/prod/pets', 'Bearer who'),
  ]
  t.same(statuses, [401, 200, 200, 403, 403, 500, 500, 401], `statuses (${logs.join(' | ')})`)
  t.equal(fn.calls, 5, 'five calls: two answers came from the cache')
  t.same(await outcomes('shop', 'prod', 'default/token'), { allow: 1, deny: 1, unauthorized: 2, error: 2, cache_hit: 2 })
  t.equal(await get('shop', '/dev/pets', 'Bearer allow'), 200, 'dev has its own cache scope: a call')
  t.same(await outcomes('shop', 'dev', 'default/token'), { allow: 1, deny: 0, unauthorized: 0, error: 0, cache_hit: 0 }, 'per stage')
})

t.test('a JWT authorizer: valid token, bad token, no token, missing scope', async (t) => {
  const good = await issuer.mint({ aud: 'orders' })
  const other = await issuer.mint({ aud: 'someone-else' })
  const statuses = [
    await get('orders', '/orders', `Bearer ${good}`),
    await get('orders', '/orders', `Bearer ${good}`),
    await get('orders', '/orders', `Bearer ${other}`),
    await get('orders', '/orders'),
    await get('orders', '/admin', `Bearer ${good}`),
  ]
  t.same(statuses, [200, 200, 401, 401, 403])
  t.same(await outcomes('orders', '$default', 'default/jwt'), { allow: 2, deny: 1, unauthorized: 2, error: 0, cache_hit: 0 })
  // Authenticated traffic leaves no credential in /metrics: neither the tokens nor their signatures.
  const text = (await scrape(s.adminPort!)).text
  for (const secret of [good, other, good.split('.')[2]!, 'Bearer allow', 'Bearer deny']) t.notOk(text.includes(secret), 'no token in /metrics')
})
