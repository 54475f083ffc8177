// Execution logs through HTTP: a route's level decides what is written — OFF nothing, ERROR only
// failures (5XX gateway responses: an integration timeout, a network error), INFO a record per
// request — and the data trace adds requests and responses with bodies cut at 1 KiB.
import t from 'tap'
import { api, gatewayConfig, integration, integrationResponse, route, stage, startUpstream, type Upstream } from './helpers.js'
import { startLoggedGateway, type LoggedGateway } from './request-logs-helpers.js'
import { MAX_TRACE_BODY_BYTES } from '../../proxy/telemetry/execution-log-trace.js'

let backend: Upstream
let gw: LoggedGateway

t.before(async () => {
  backend = await startUpstream((req, res, body) => {
    if (req.url === '/slow') setTimeout(() => res.end('late'), 300)
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body === '' ? '{"ok":true}' : body)
  })
  const routes = [
    route('GET /off', integration({ uri: `${backend.origin}/off` })),
    route('GET /errors', integration({ uri: `${backend.origin}/errors` })),
    route('GET /slow', integration({ uri: `${backend.origin}/slow`, timeoutMs: 100 })),
    route('GET /down', integration({ uri: 'http://127.0.0.1:9/down' })),
    route('GET /info', integration({ uri: `${backend.origin}/info` })),
    route(
      'POST /traced',
      integration({
        type: 'HTTP',
        httpMethod: 'POST',
        uri: `${backend.origin}/traced`,
        requestTemplates: { 'application/json': '$input.body' },
        // Templates on both sides: the bodies are in memory (a passthrough streams, and is noted as streamed).
        responses: [integrationResponse({ responseTemplates: { 'application/json': '$input.body' } })],
      }),
    ),
  ]
  const prod = {
    ...stage('prod'),
    logging: {
      routes: {
        'GET /errors': { level: 'ERROR' as const, dataTrace: false },
        'GET /slow': { level: 'ERROR' as const, dataTrace: false },
        'GET /down': { level: 'ERROR' as const, dataTrace: false },
        'GET /info': { level: 'INFO' as const, dataTrace: false },
        'POST /traced': { level: 'INFO' as const, dataTrace: true },
      },
    },
  }
  gw = await startLoggedGateway(gatewayConfig([api('exec', routes, { stages: [prod] })]))
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

/** The records written for the requests, after waiting a moment for any that would come. */
async function recordsOf(requests: () => Promise<unknown>, expected: number): Promise<Record<string, unknown>[]> {
  const from = gw.lines.length
  await requests()
  await gw.linesAfter(from, expected)
  await new Promise((r) => setTimeout(r, 30))
  return gw.lines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>)
}

t.test('OFF writes nothing', async (t) => {
  const records = await recordsOf(() => gw.fetch('exec', '/prod/off'), 0)
  t.same(records, [])
})

t.test('ERROR writes failures only', async (t) => {
  const records = await recordsOf(async () => {
    t.equal((await gw.fetch('exec', '/prod/errors')).status, 200)
    t.equal((await gw.fetch('exec', '/prod/slow')).status, 504)
    t.equal((await gw.fetch('exec', '/prod/down')).status, 504)
  }, 2)
  t.equal(records.length, 2, 'the 200 is not written')
  const [timeout, down] = records as [Record<string, unknown>, Record<string, unknown>]
  t.equal(timeout.level, 50)
  t.equal(timeout.route, 'GET /slow')
  t.equal(timeout.stage, 'prod')
  t.equal(timeout.api, 'exec')
  t.equal(timeout.status, 504)
  t.same(timeout.error, { responseType: 'INTEGRATION_TIMEOUT', code: 'TG_ERR_INTEGRATION_TIMEOUT', message: 'endpoint request timed out' })
  t.equal(timeout.msg, 'Execution failed: endpoint request timed out')
  t.ok((timeout.integration as { latencyMs: number }).latencyMs >= 90, 'the integration ran until the timeout')
  t.equal(down.route, 'GET /down')
  t.match((down.error as { code: string }).code, 'TG_ERR_INTEGRATION_FAILURE')
  t.notOk('trace' in timeout, 'no data trace unless asked for')
})

t.test('INFO writes every request, with its steps', async (t) => {
  const records = await recordsOf(() => gw.fetch('exec', '/prod/info?page=2'), 1)
  t.equal(records.length, 1)
  const record = records[0]!
  t.equal(record.level, 30)
  t.equal(record.msg, 'Method completed with status: 200')
  t.equal(record.status, 200)
  t.equal(record.path, '/prod/info')
  t.match(record.requestId, /^[0-9a-f-]{36}$/)
  t.match(record.integration, { type: 'HTTP_PROXY', method: 'GET', path: '/info?page=2', status: 200 })
})

t.test('the data trace: requests and responses, bodies cut at 1 KiB', async (t) => {
  const big = JSON.stringify({ text: 'x'.repeat(3000) })
  const records = await recordsOf(() => gw.fetch('exec', '/prod/traced', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }), 1)
  t.equal(records.length, 1)
  const trace = records[0]!.trace as Record<string, { headers?: Record<string, string>; body?: string; status?: number }>
  const cut = `${big.slice(0, MAX_TRACE_BODY_BYTES)}... [truncated, ${big.length} bytes]`
  t.equal(trace.integrationRequest!.body, cut, 'the integration request body, after the template')
  t.equal(trace.integrationRequest!.headers!['content-type'] ?? trace.integrationRequest!.headers!['Content-Type'], 'application/json')
  t.equal(trace.integrationResponse!.status, 200)
  t.equal(trace.methodResponse!.status, 200)
  t.equal(trace.methodResponse!.body, cut, 'the method response body')
  t.equal(trace.methodRequest!.headers!['content-type'], 'application/json')
  t.equal(trace.methodRequest!.body, '(streamed, not captured)', 'the method request body went on as a stream')
})
