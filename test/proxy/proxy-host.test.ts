// HTTP_PROXY sends the backend's authority as written in the integration URI as Host (the
// gateway leaves it to undici when it is what undici would send anyway).
import t from 'tap'
import { api, gatewayConfig, integration, route, startGateway, startUpstream } from './helpers.js'

t.test('Host is the URI authority as written, case and all', async (t) => {
  const backend = await startUpstream((req, res) => res.end(req.headers.host))
  t.teardown(() => backend.close())
  const gw = await startGateway(
    gatewayConfig([
      api('abc', [
        route('GET /lower', integration({ uri: `http://127.0.0.1:${backend.port}/x` })),
        route('GET /upper', integration({ uri: `http://LOCALHOST:${backend.port}/x` })),
      ]),
    ]),
  )
  t.teardown(() => gw.close())
  t.equal((await gw.fetch('abc', '/prod/lower')).text, `127.0.0.1:${backend.port}`)
  t.equal((await gw.fetch('abc', '/prod/upper')).text, `LOCALHOST:${backend.port}`)
})
