// HTTP APIs: the $default stage served at the root (other stages by segment), the $default
// route catching what nothing else matches, and HTTP APIs' own error set (apigw-requestid,
// 404 Not Found, 503 Service Unavailable, no x-amzn-ErrorType).
import t, { type Test } from 'tap'
import { api, echoUpstream, gatewayConfig, integration, route, stage, startGateway, startUpstream, type Running, type Upstream } from './helpers.js'

let backend: Upstream
let silent: Upstream
let gw: Running
t.before(async () => {
  backend = await echoUpstream()
  silent = await startUpstream(() => {
    /* never answers */
  })
  gw = await startGateway(
    gatewayConfig([
      api(
        'httpapi',
        [
          route('GET /pets', integration({ uri: `${backend.origin}/pets` })),
          route('GET /slow', integration({ uri: `${silent.origin}/slow`, timeoutMs: 100 })),
          route('$default', integration({ uri: backend.origin })),
        ],
        { protocol: 'HTTP', stages: [stage('$default'), stage('beta')] },
      ),
      api('noroute', [route('GET /pets', integration({ uri: `${backend.origin}/pets` }))], { protocol: 'HTTP', stages: [stage('$default')] }),
      api('nodefault', [route('GET /pets', integration({ uri: `${backend.origin}/pets` }))], { protocol: 'HTTP', stages: [stage('v1')] }),
    ]),
  )
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
  await silent.close()
})

function assertHttpError(t: Test, res: Awaited<ReturnType<Running['fetch']>>, status: number, message: string) {
  t.equal(res.status, status)
  t.same(res.json(), { message })
  t.equal(res.headers['content-type'], 'application/json')
  t.match(res.headers['apigw-requestid'], /^[A-Za-z0-9+/]{15}=$/)
  t.equal(res.headers['x-amzn-errortype'], undefined)
  t.equal(res.headers['x-amzn-requestid'], undefined)
}

t.test('the $default stage serves at the root', async (t) => {
  const res = await gw.fetch('httpapi', '/pets')
  t.equal(res.status, 200)
  t.equal((res.json() as { url: string }).url, '/pets')
  t.match(res.headers['apigw-requestid'], /^[A-Za-z0-9+/]{15}=$/)
  t.equal(res.headers['x-amzn-requestid'], undefined)
})

t.test('the $default route gets the full path of anything unmatched', async (t) => {
  const res = await gw.fetch('httpapi', '/store/checkout?x=1', { method: 'POST', body: 'cart' })
  t.equal(res.status, 200)
  const echoed = res.json() as { url: string; method: string; body: string }
  t.equal(echoed.url, '/store/checkout?x=1')
  t.equal(echoed.method, 'POST')
  t.equal(echoed.body, 'cart')
})

t.test('another stage is still chosen by its segment', async (t) => {
  const res = await gw.fetch('httpapi', '/beta/pets')
  t.equal((res.json() as { url: string }).url, '/pets')
})

t.test('no matching route and no $default route: 404 Not Found', async (t) => {
  assertHttpError(t, await gw.fetch('noroute', '/cats'), 404, 'Not Found')
  assertHttpError(t, await gw.fetch('noroute', '/pets', { method: 'POST' }), 404, 'Not Found')
})

t.test('no matching stage and no $default stage: 404 Not Found', async (t) => {
  assertHttpError(t, await gw.fetch('nodefault', '/v2/pets'), 404, 'Not Found')
  t.equal((await gw.fetch('nodefault', '/v1/pets')).status, 200)
})

t.test('integration timeout on an HTTP API: 503 Service Unavailable', async (t) => {
  assertHttpError(t, await gw.fetch('httpapi', '/slow'), 503, 'Service Unavailable')
})
