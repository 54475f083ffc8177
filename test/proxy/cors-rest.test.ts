// CORS on REST APIs, end to end: Api manifests compiled by the real compiler, served by a real
// gateway, called by a real undici client as a browser would (preflight, then the request).
import t from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { build } from '../../proxy/build.js'
import { cors } from '../../proxy/pipeline/cors.js'
import { startGateway, startUpstream, type Running, type Upstream } from './helpers.js'

const APP = 'https://app.example.com'

let backend: Upstream
let gw: Running

function manifests(backendOrigin: string): ResourceObject[] {
  return [
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'shop' },
      spec: {
        apiId: 'shop',
        cors: {
          allowOrigins: [APP],
          allowMethods: ['*'],
          allowHeaders: ['Content-Type', 'X-Token'],
          exposeHeaders: ['X-Request-Id'],
          maxAge: 600,
          allowCredentials: true,
        },
        routes: [
          { path: '/pets', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${backendOrigin}/pets` } },
          { path: '/pets', method: 'PUT', integration: { type: 'HTTP_PROXY', httpMethod: 'PUT', uri: `${backendOrigin}/pets` } },
          // Nothing listens on port 1: the integration fails (504) after the cors stage ran.
          { path: '/down', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'http://127.0.0.1:1/down' } },
        ],
      },
    },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'shop-prod' }, spec: { apiRef: { name: 'shop' }, stageName: 'prod' } },
    // CORS written by hand, API Gateway's way: an OPTIONS MOCK method with static headers, and no spec.cors.
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'manual' },
      spec: {
        apiId: 'manual',
        routes: [
          { path: '/items', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${backendOrigin}/items` } },
          {
            path: '/items',
            method: 'OPTIONS',
            integration: {
              type: 'MOCK',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: [
                {
                  statusCode: '200',
                  responseParameters: {
                    'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization'",
                    'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS'",
                    'method.response.header.Access-Control-Allow-Origin': "'*'",
                  },
                },
              ],
            },
            methodResponses: [
              {
                statusCode: '200',
                responseParameters: {
                  'method.response.header.Access-Control-Allow-Headers': false,
                  'method.response.header.Access-Control-Allow-Methods': false,
                  'method.response.header.Access-Control-Allow-Origin': false,
                },
              },
            ],
          },
        ],
      },
    },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'manual-prod' }, spec: { apiRef: { name: 'manual' }, stageName: 'prod' } },
  ]
}

function compiled(backendOrigin: string) {
  const result = compile(manifests(backendOrigin), { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http', port: 8080 } })
  for (const s of result.statuses) if (s.problems.length > 0) throw new Error(`${s.ref.name}: ${JSON.stringify(s.problems)}`)
  return result.config
}

t.before(async () => {
  // The backend sends CORS headers of its own; with spec.cors the gateway decides Allow-Origin.
  backend = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*', vary: 'Accept-Encoding', 'x-request-id': 'r-1' })
    res.end(JSON.stringify({ method: req.method, url: req.url }))
  })
  gw = await startGateway(compiled(backend.origin))
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

t.test('a browser preflight, then the actual request', async (t) => {
  const before = backend.seen.length
  const pre = await gw.fetch('shop', '/prod/pets', {
    method: 'OPTIONS',
    headers: { origin: APP, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,x-token' },
  })
  t.equal(pre.status, 200, 'the generated OPTIONS MOCK answers, as API Gateway does')
  t.equal(pre.headers['access-control-allow-origin'], APP, 'credentials allowed: the origin is reflected, never *')
  t.equal(pre.headers['access-control-allow-credentials'], 'true')
  t.equal(pre.headers['access-control-allow-methods'], 'GET,OPTIONS,PUT', "'*': the methods of the resource")
  t.equal(pre.headers['access-control-allow-headers'], 'content-type,x-token')
  t.equal(pre.headers['access-control-max-age'], '600')
  t.match(pre.headers.vary, /Origin/)
  t.equal(pre.text, '')
  t.equal(backend.seen.length, before, 'the preflight never reaches the backend')

  const res = await gw.fetch('shop', '/prod/pets', { method: 'PUT', headers: { origin: APP, 'content-type': 'application/json' }, body: '{}' })
  t.equal(res.status, 200)
  t.same(res.json(), { method: 'PUT', url: '/pets' })
  t.equal(res.headers['access-control-allow-origin'], APP, "the backend's * is replaced by the reflected origin")
  t.equal(res.headers['access-control-allow-credentials'], 'true')
  t.equal(res.headers['access-control-expose-headers'], 'X-Request-Id')
  t.equal(res.headers.vary, 'Accept-Encoding, Origin', "Origin is merged into the backend's Vary")
  t.ok(res.headers['x-amzn-requestid'], 'still a REST response')
})

t.test('an origin that is not allowed gets no CORS headers', async (t) => {
  const res = await gw.fetch('shop', '/prod/pets', { headers: { origin: 'https://evil.example.com' } })
  t.equal(res.status, 200)
  t.equal(res.headers['access-control-allow-origin'], undefined, "neither the gateway's nor the backend's")
  t.equal(res.headers['access-control-allow-credentials'], undefined)
  t.match(res.headers.vary, /Origin/, 'the answer depends on Origin: caches must know')
  const pre = await gw.fetch('shop', '/prod/pets', { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'PUT' } })
  t.equal(pre.headers['access-control-allow-origin'], undefined, 'the preflight of a foreign origin has no Allow-Origin: the browser refuses')
})

t.test('gateway errors carry the CORS headers, so browsers can read them', async (t) => {
  const missing = await gw.fetch('shop', '/prod/nope', { headers: { origin: APP } })
  t.equal(missing.status, 403)
  t.same(missing.json(), { message: 'Missing Authentication Token' })
  t.equal(missing.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException')
  t.equal(missing.headers['access-control-allow-origin'], APP)
  t.equal(missing.headers['access-control-allow-credentials'], 'true')
  t.equal(missing.headers.vary, 'Origin')

  const down = await gw.fetch('shop', '/prod/down', { headers: { origin: APP } })
  t.equal(down.status, 504, 'an error of the pipeline (integration failure)')
  t.equal(down.headers['access-control-allow-origin'], APP)

  const foreign = await gw.fetch('shop', '/prod/nope', { headers: { origin: 'https://evil.example.com' } })
  t.equal(foreign.status, 403)
  t.equal(foreign.headers['access-control-allow-origin'], undefined)
})

t.test('a hand-written OPTIONS MOCK route (no spec.cors) answers with its static headers', async (t) => {
  const pre = await gw.fetch('manual', '/prod/items', {
    method: 'OPTIONS',
    headers: { origin: APP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  })
  t.equal(pre.status, 200)
  t.equal(pre.headers['access-control-allow-origin'], '*')
  t.equal(pre.headers['access-control-allow-methods'], 'GET,OPTIONS')
  t.equal(pre.headers['access-control-allow-headers'], 'Content-Type,X-Amz-Date,Authorization')
  t.equal(pre.headers.vary, undefined, 'no CORS configuration: the gateway adds nothing')

  const res = await gw.fetch('manual', '/prod/items', { headers: { origin: APP } })
  t.equal(res.status, 200)
  t.equal(res.headers['access-control-allow-origin'], '*', "without spec.cors the backend's CORS headers pass as they are")
  t.equal(res.headers.vary, 'Accept-Encoding')

  const missing = await gw.fetch('manual', '/prod/nope', { headers: { origin: APP } })
  t.equal(missing.status, 403)
  t.equal(missing.headers['access-control-allow-origin'], undefined, 'gateway responses get CORS headers only from spec.cors')
})

t.test('an API without CORS has no cors handler in its chains', async (t) => {
  const config = compiled('http://127.0.0.1:9')
  const runtime = build(config)
  const manual = config.apis.find((a) => a.id === 'manual')!
  const shop = config.apis.find((a) => a.id === 'shop')!
  t.equal(runtime.apis.get('manual')!.cors, null)
  t.not(runtime.apis.get('shop')!.cors, null)
  const input = (apiConfig: typeof shop) => ({ api: apiConfig, stage: apiConfig.stages[0]!, route: apiConfig.revisions[0]!.routes[0]!, metering: runtime.metering })
  t.equal(cors.build(input(manual) as Parameters<typeof cors.build>[0]), null)
  t.type(cors.build(input(shop) as Parameters<typeof cors.build>[0]), 'function')
})
