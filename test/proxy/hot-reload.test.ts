// Hot reload: apply swaps the runtime atomically; in-flight requests finish on the config they
// started with; an invalid config is refused (ConfigError) and the old one keeps serving; a
// retired runtime releases its upstream pool once its last request is done; no request fails
// while configs are swapped under concurrent load.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError } from '../../proxy/config/validate.js'
import { api, gatewayConfig, integration, integrationResponse, route, startGateway, startUpstream, type Upstream } from './helpers.js'

function connections(upstream: Upstream): Promise<number> {
  return new Promise((resolve, reject) => upstream.server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
}

const mock = (body: string) =>
  integration({ type: 'MOCK', httpMethod: '', requestTemplates: { 'application/json': '{"statusCode":200}' }, responses: [integrationResponse({ responseTemplates: { 'application/json': body } })] })

let a: Upstream
let b: Upstream
t.before(async () => {
  a = await startUpstream((req, res) => {
    const delay = req.url === '/slow' ? 400 : 0
    setTimeout(() => res.end(`A${req.url}`), delay)
  })
  b = await startUpstream((req, res) => res.end(`B${req.url}`))
})
t.teardown(async () => {
  await a.close()
  await b.close()
})

const configA = () =>
  gatewayConfig([api('abc', [route('GET /slow', integration({ uri: `${a.origin}/slow` })), route('GET /v', integration({ uri: `${a.origin}/v` }))])])
const configB = () => gatewayConfig([api('abc', [route('GET /v', integration({ uri: `${b.origin}/v` })), route('GET /m', mock('"mock"'))])])

t.test('an in-flight request finishes on its config; new requests use the new one', async (t) => {
  const gw = await startGateway(configA())
  t.teardown(() => gw.close())
  const slow = gw.fetch('abc', '/prod/slow')
  while (!a.seen.some((s) => s.url === '/slow')) await sleep(5)
  gw.gateway.apply(configB())
  t.equal(gw.gateway.config?.hash, configB().hash)
  const now = await gw.fetch('abc', '/prod/v')
  t.equal(now.text, 'B/v', 'new requests use the new config')
  t.equal((await gw.fetch('abc', '/prod/slow')).status, 403, 'the old route is gone for new requests')
  const finished = await slow
  t.equal(finished.status, 200)
  t.equal(finished.text, 'A/slow', 'the in-flight request completed on the old config')
  // The old runtime is retired and idle: its pool to A is closed, so A's connections go away.
  for (let i = 0; i < 100 && (await connections(a)) > 0; i++) await sleep(10)
  t.equal(await connections(a), 0, 'the pool of the retired runtime was closed')
  t.ok((await connections(b)) > 0, 'the current runtime keeps its pool')
})

t.test('a pool shared by the old and new config stays open', async (t) => {
  const gw = await startGateway(configA())
  t.teardown(() => gw.close())
  t.equal((await gw.fetch('abc', '/prod/v')).text, 'A/v')
  const again = gatewayConfig([api('abc', [route('GET /v', integration({ uri: `${a.origin}/v` })), route('GET /m', mock('"m"'))])])
  gw.gateway.apply(again)
  await sleep(20)
  t.ok((await connections(a)) > 0, 'the connection to A is reused, not closed')
  t.equal((await gw.fetch('abc', '/prod/v')).text, 'A/v')
})

t.test('an invalid config throws ConfigError and the old one keeps serving', async (t) => {
  const gw = await startGateway(configB())
  t.teardown(() => gw.close())
  const tampered = { ...configA(), domain: 'example.com' }
  t.throws(() => gw.gateway.apply(tampered), ConfigError)
  t.throws(() => gw.gateway.apply({ nope: true }), ConfigError)
  t.equal(gw.gateway.config?.hash, configB().hash)
  t.equal((await gw.fetch('abc', '/prod/v')).text, 'B/v')
})

t.test('no failed request while configs are swapped under concurrent load', async (t) => {
  const gw = await startGateway(configA())
  t.teardown(() => gw.close())
  const configs = [configA(), configB()]
  let swaps = 0
  let stop = false
  const swapper = (async () => {
    while (!stop) {
      gw.gateway.apply(configs[swaps++ % 2]!)
      await sleep(5)
    }
  })()
  const failures: string[] = []
  const seen = new Set<string>()
  let done = 0
  // Driven by counts, not by a time window: at least 400 requests across at least 20 swaps
  // (the time bound only stops a hopelessly slow run, whose counts then fail below).
  const bound = Date.now() + 60_000
  const worker = async () => {
    while ((done < 400 || swaps < 20) && Date.now() < bound) {
      const res = await gw.fetch('abc', '/prod/v').catch((err: Error) => ({ status: 0, text: err.message }))
      done++
      seen.add(res.text)
      if (res.status !== 200 || (res.text !== 'A/v' && res.text !== 'B/v')) failures.push(`${res.status} ${res.text}`)
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  stop = true
  await swapper
  t.ok(swaps >= 20, `configs were swapped (${swaps})`)
  t.ok(done >= 400, `requests were served (${done})`)
  t.ok(seen.has('A/v') && seen.has('B/v'), 'both configs answered')
  t.same(failures.slice(0, 5), [], 'no request failed')
})
