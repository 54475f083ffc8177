// CORS on HTTP APIs (AWS corsConfiguration semantics), end to end: Api manifests compiled by
// the real compiler, served by a real gateway, called by a real undici client as a browser
// would. The gateway answers preflights itself (204), before routing; actual responses get
// the configured headers in place of the backend's.
import t from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { startGateway, startUpstream, type Reply, type Running, type Upstream } from './helpers.js'

const APP = 'https://app.example.com'
const ADMIN = 'https://admin.example.com'
const EVIL = 'https://evil.example.com'

let backend: Upstream
let gw: Running

function httpApi(name: string, cors: Record<string, unknown>, routes: Record<string, unknown>[]): ResourceObject[] {
  return [
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name }, spec: { apiId: name, protocol: 'HTTP', cors, routes } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: `${name}-default` }, spec: { apiRef: { name }, stageName: '$default' } },
  ]
}

function proxyRoute(routeKey: string, uri: string): Record<string, unknown> {
  return { routeKey, integration: { type: 'HTTP_PROXY', httpMethod: 'ANY', uri } }
}

t.before(async () => {
  // A backend with CORS headers of its own, which the gateway must ignore.
  backend = await startUpstream((req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'Access-Control-Max-Age': '5',
      vary: 'Accept-Encoding',
      'x-total': '3',
    })
    res.end(JSON.stringify({ method: req.method, url: req.url }))
  })
  const o = backend.origin
  const resources = [
    ...httpApi(
      'web',
      {
        allowOrigins: [APP, ADMIN],
        allowMethods: ['GET', 'PUT', 'DELETE'],
        allowHeaders: ['Content-Type', 'Authorization'],
        exposeHeaders: ['X-Total'],
        maxAge: 300,
        allowCredentials: true,
      },
      [proxyRoute('GET /items', `${o}/items`), proxyRoute('PUT /items', `${o}/items`), proxyRoute('ANY /any', `${o}/any`)],
    ),
    ...httpApi('pub', { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] }, [proxyRoute('$default', o)]),
  ]
  const result = compile(resources, { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http', port: 8080 } })
  for (const s of result.statuses) if (s.problems.length > 0) throw new Error(`${s.ref.name}: ${JSON.stringify(s.problems)}`)
  gw = await startGateway(result.config)
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

function preflight(apiId: string, path: string, origin: string, method: string, headers?: string): Promise<Reply> {
  const h: Record<string, string> = { origin, 'access-control-request-method': method }
  if (headers !== undefined) h['access-control-request-headers'] = headers
  return gw.fetch(apiId, path, { method: 'OPTIONS', headers: h })
}

const CORS_NAMES = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age']

t.test('a browser preflight, then the actual request', async (t) => {
  const before = backend.seen.length
  const pre = await preflight('web', '/items', APP, 'PUT', 'Content-Type, Authorization')
  t.equal(pre.status, 204, 'API Gateway answers an HTTP API preflight 204 No Content')
  t.equal(pre.text, '')
  t.equal(pre.headers['access-control-allow-origin'], APP, 'credentials: the origin is reflected')
  t.equal(pre.headers['access-control-allow-credentials'], 'true')
  t.equal(pre.headers['access-control-allow-methods'], 'GET,PUT,DELETE')
  t.equal(pre.headers['access-control-allow-headers'], 'content-type,authorization')
  t.equal(pre.headers['access-control-max-age'], '300')
  t.equal(pre.headers.vary, 'Origin')
  t.ok(pre.headers['apigw-requestid'])
  t.equal(backend.seen.length, before, 'the preflight never reaches the backend')

  const res = await gw.fetch('web', '/items', { method: 'PUT', headers: { origin: APP, authorization: 'Bearer x', 'content-type': 'application/json' }, body: '{}' })
  t.equal(res.status, 200)
  t.same(res.json(), { method: 'PUT', url: '/items' })
  t.equal(res.headers['access-control-allow-origin'], APP, "the backend's * is replaced")
  t.equal(res.headers['access-control-allow-credentials'], 'true')
  t.equal(res.headers['access-control-expose-headers'], 'X-Total')
  t.equal(res.headers['access-control-allow-methods'], undefined, "the backend's other CORS headers are dropped")
  t.equal(res.headers['access-control-max-age'], undefined)
  t.equal(res.headers.vary, 'Accept-Encoding, Origin')
  t.equal(res.headers['x-total'], '3')

  const second = await gw.fetch('web', '/items', { headers: { origin: ADMIN } })
  t.equal(second.headers['access-control-allow-origin'], ADMIN, 'each allowed origin is reflected as it came')
})

t.test('preflights are answered where no route matches OPTIONS, and before any route runs', async (t) => {
  const before = backend.seen.length
  const unrouted = await preflight('web', '/nowhere', APP, 'GET')
  t.equal(unrouted.status, 204, 'no route at all: still answered (not 404)')
  t.equal(unrouted.headers['access-control-allow-origin'], APP)
  const any = await preflight('web', '/any', APP, 'DELETE')
  t.equal(any.status, 204, 'an ANY route does not get the preflight')
  t.equal(any.headers['access-control-allow-methods'], 'GET,PUT,DELETE')
  const def = await preflight('pub', '/whatever', APP, 'PATCH')
  t.equal(def.status, 204, 'nor does a $default route')
  t.equal(backend.seen.length, before)
  const plain = await gw.fetch('web', '/any', { method: 'OPTIONS', headers: { origin: APP } })
  t.equal(plain.status, 200, 'an OPTIONS without Access-Control-Request-Method is no preflight: it is routed')
  t.equal(backend.seen.length, before + 1)
  t.equal(plain.headers['access-control-allow-origin'], APP)
})

t.test('a preflight for a method or header that is not allowed gets no allow headers', async (t) => {
  const method = await preflight('web', '/items', APP, 'PATCH')
  t.equal(method.status, 204)
  for (const name of CORS_NAMES) t.equal(method.headers[name], undefined, `method not allowed: no ${name}`)
  t.equal(method.headers.vary, 'Origin')

  const header = await preflight('web', '/items', APP, 'PUT', 'content-type,x-secret')
  t.equal(header.status, 204)
  for (const name of CORS_NAMES) t.equal(header.headers[name], undefined, `header not allowed: no ${name}`)

  const simple = await preflight('web', '/items', APP, 'POST', 'content-type')
  t.equal(simple.headers['access-control-allow-origin'], APP, 'POST is CORS-safelisted: allowed though not listed, as browsers do')
})

t.test('an origin that is not allowed gets no CORS headers, and the backend’s are still dropped', async (t) => {
  const pre = await preflight('web', '/items', EVIL, 'GET')
  t.equal(pre.status, 204)
  for (const name of CORS_NAMES) t.equal(pre.headers[name], undefined, `no ${name}`)
  const res = await gw.fetch('web', '/items', { headers: { origin: EVIL } })
  t.equal(res.status, 200)
  t.equal(res.headers['access-control-allow-origin'], undefined, "not the backend's * either")
  t.equal(res.headers['access-control-expose-headers'], undefined)
  t.equal(res.headers.vary, 'Accept-Encoding, Origin')
  const none = await gw.fetch('web', '/items')
  t.equal(none.headers['access-control-allow-origin'], undefined, 'no Origin, no CORS headers')
})

t.test('gateway errors carry the CORS headers', async (t) => {
  const res = await gw.fetch('web', '/nowhere', { headers: { origin: APP } })
  t.equal(res.status, 404)
  t.same(res.json(), { message: 'Not Found' })
  t.equal(res.headers['access-control-allow-origin'], APP)
  t.equal(res.headers['access-control-allow-credentials'], 'true')
  t.equal(res.headers['access-control-expose-headers'], 'X-Total')
  t.equal(res.headers.vary, 'Origin')
})

t.test("allowOrigins '*' without credentials: *, no Vary; '*' methods and headers answer what was asked", async (t) => {
  const res = await gw.fetch('pub', '/x', { headers: { origin: EVIL } })
  t.equal(res.headers['access-control-allow-origin'], '*')
  t.equal(res.headers['access-control-allow-credentials'], undefined)
  t.equal(res.headers.vary, 'Accept-Encoding', 'the answer does not depend on Origin')
  const pre = await preflight('pub', '/x', EVIL, 'PATCH', 'X-A, Authorization')
  t.equal(pre.status, 204)
  t.equal(pre.headers['access-control-allow-origin'], '*')
  t.equal(pre.headers['access-control-allow-methods'], 'PATCH')
  t.equal(pre.headers['access-control-allow-headers'], 'x-a,authorization', "a literal * would not cover Authorization")
  t.equal(pre.headers['access-control-max-age'], undefined, 'no maxAge configured')
  t.equal(pre.headers.vary, undefined)
})

t.test("allowOrigins '*' with allowCredentials is refused by the compiler, as by AWS", async (t) => {
  const result = compile(httpApi('bad', { allowOrigins: ['*'], allowCredentials: true }, [proxyRoute('GET /a', 'http://a.example.com/a')]), {
    domain: 'localhost',
    defaultNamespace: 'default',
    endpoint: { scheme: 'http', port: 8080 },
  })
  const api = result.statuses.find((s) => s.ref.kind === 'Api')!
  t.match(api.problems, [{ severity: 'error', field: 'spec.cors.allowCredentials', reason: 'InvalidCorsConfiguration' }])
  t.same(result.config.apis, [], 'the Api is not served')
})
