// PRIVATE APIs are served on the in-cluster listener only; the public listener answers them as
// unknown APIs. REGIONAL APIs are served on both.
import t from 'tap'
import { request } from 'undici'
import { api, echoUpstream, gatewayConfig, integration, route, stage, startGateway } from './helpers.js'

t.test('PRIVATE on the private listener only, REGIONAL on both', async (t) => {
  const up = await echoUpstream()
  t.teardown(() => up.close())
  const proxyTo = integration({ type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${up.port}/x` })
  const config = gatewayConfig([
    api('inside', [route('GET /x', proxyTo)], { endpointType: 'PRIVATE', stages: [stage('prod')] }),
    api('outside', [route('GET /x', proxyTo)], { stages: [stage('prod')] }),
  ])
  const gw = await startGateway(config)
  t.teardown(() => gw.close())
  const { port: privatePort } = await gw.gateway.listenPrivate(0, '127.0.0.1')

  const viaPrivate = async (apiId: string) => {
    const r = await request(`http://127.0.0.1:${privatePort}/prod/x`, { headers: { host: `${apiId}.execute-api.localhost` } })
    await r.body.dump()
    return r.statusCode
  }
  const publicInside = await gw.fetch('inside', '/prod/x')
  t.equal(publicInside.status, 403, 'the public listener does not serve a PRIVATE API')
  t.same(publicInside.json(), { message: 'Forbidden' })
  t.equal((await gw.fetch('outside', '/prod/x')).status, 200, 'REGIONAL on the public listener')
  t.equal(await viaPrivate('inside'), 200, 'PRIVATE on the private listener')
  t.equal(await viaPrivate('outside'), 200, 'REGIONAL on the private listener too')
})
