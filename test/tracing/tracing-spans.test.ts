// Traced requests through HTTP: the OTLP receiver gets, for each request of a traced stage, a
// SERVER span with the HTTP semantic-convention attributes and the API/stage ones, and child
// spans for the authorizer, the meter, the cache lookup and the integration (a CLIENT span), all
// in one trace with the right parents; failures mark the spans that failed; an untraced stage
// exports nothing; no API key or token leaves in a span.
import t from 'tap'
import { KIND, STATUS, type ReceivedSpan } from './otlp-receiver.js'
import { API_KEY, parseTraceparent, startFixture, TOKEN, type Fixture } from './fixture.js'

let f: Fixture

t.before(async () => {
  f = await startFixture()
})
t.teardown(() => f.close())

const byName = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan => {
  const found = spans.find((s) => s.name === name)
  if (found === undefined) throw new Error(`no span ${name} among ${spans.map((s) => s.name).join(', ')}`)
  return found
}

t.test('a request: SERVER span, authorizer, meter, cache and CLIENT spans under it', async (t) => {
  const res = await f.gw.fetch('shop', '/prod/pets/7', { headers: { authorization: TOKEN, 'x-api-key': API_KEY, 'user-agent': 'trace-test/1' } })
  t.equal(res.status, 200)
  const sent = parseTraceparent(f.backend.seen.at(-1)!.headers.traceparent)
  const spans = await f.trace(sent.traceId, 5)
  t.same(spans.map((s) => s.name).sort(), ['GET /pets/{petId}', 'GET', 'authorize', 'cache lookup', 'meter'].sort())

  const server = byName(spans, 'GET /pets/{petId}')
  t.equal(server.kind, KIND.SERVER)
  t.equal(server.parentSpanId, '', 'a new trace: the SERVER span is its root')
  t.match(server.attributes, {
    'http.request.method': 'GET',
    'http.route': '/pets/{petId}',
    'http.response.status_code': 200,
    'url.path': '/prod/pets/7',
    'url.scheme': 'http',
    'server.address': 'shop.execute-api.localhost',
    'client.address': '127.0.0.1',
    'user_agent.original': 'trace-test/1',
    'tollgate.api.id': 'shop',
    'tollgate.api.name': 'default/shop',
    'tollgate.stage': 'prod',
    'tollgate.route.key': 'GET /pets/{petId}',
    'tollgate.request_id': res.headers['x-amzn-requestid'],
  })
  t.match(server.attributes['tollgate.amzn_trace_id'], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
  t.equal(server.status.code, STATUS.UNSET)
  t.match(server.resource, { 'service.name': 'tollgate-test', 'service.instance.id': 'proxy-1' })

  for (const child of spans.filter((s) => s !== server)) {
    t.equal(child.parentSpanId, server.spanId, `${child.name} is a child of the SERVER span`)
    t.ok(child.startNs >= server.startNs && child.endNs <= server.endNs, `${child.name} lies within the request`)
  }
  const authorize = byName(spans, 'authorize')
  t.equal(authorize.kind, KIND.INTERNAL)
  t.match(authorize.attributes, { 'tollgate.authorization.type': 'CUSTOM', 'tollgate.authorizer.name': 'tok' })
  const meter = byName(spans, 'meter')
  t.match(meter.attributes, { 'tollgate.api_key.required': true, 'tollgate.api_key.id': 'default/gold' })
  t.equal(byName(spans, 'cache lookup').attributes['tollgate.cache.hit'], false)
  t.ok(authorize.endNs <= meter.startNs && meter.endNs <= byName(spans, 'cache lookup').startNs, 'in pipeline order')

  const client = byName(spans, 'GET')
  t.equal(client.kind, KIND.CLIENT)
  t.match(client.attributes, {
    'http.request.method': 'GET',
    'http.response.status_code': 200,
    'server.address': '127.0.0.1',
    'server.port': f.backend.port,
    'url.full': `${f.backend.origin}/pets/7`,
    'tollgate.integration.type': 'HTTP_PROXY',
  })
  t.equal(sent.spanId, client.spanId, "the backend's traceparent names the CLIENT span")
  t.equal(sent.flags, '01', 'sampled')

  const auth = parseTraceparent(f.authorizer.calls.at(-1)!.headers.traceparent)
  t.equal(auth.traceId, server.traceId, 'the authorizer function is called within the trace')
  t.equal(auth.spanId, authorize.spanId, '… as a child of the authorize span')
})

t.test('a cache hit: the lookup says so, and there is no integration span', async (t) => {
  const calls = f.backend.seen.length
  const res = await f.gw.fetch('shop', '/prod/pets/7', { headers: { authorization: TOKEN, 'x-api-key': API_KEY, traceparent: `00-${'c'.repeat(32)}-${'1'.repeat(16)}-01` } })
  t.equal(res.status, 200)
  t.equal(f.backend.seen.length, calls, 'served from the cache')
  const spans = await f.trace('c'.repeat(32), 4)
  t.same(spans.map((s) => s.name).sort(), ['GET /pets/{petId}', 'authorize', 'cache lookup', 'meter'])
  t.equal(byName(spans, 'cache lookup').attributes['tollgate.cache.hit'], true)
})

t.test('AWS_PROXY: a CLIENT span for the invocation, named after the function', async (t) => {
  const res = await f.gw.fetch('shop', '/prod/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":1}' })
  t.equal(res.status, 201)
  const sent = parseTraceparent(f.fn.calls.at(-1)!.headers.traceparent)
  const spans = await f.trace(sent.traceId, 2)
  const client = byName(spans, 'invoke orders')
  t.equal(client.kind, KIND.CLIENT)
  t.match(client.attributes, { 'faas.invoked_name': 'orders', 'http.request.method': 'POST', 'http.response.status_code': 200, 'tollgate.integration.type': 'AWS_PROXY' })
  t.equal(sent.spanId, client.spanId)
  t.equal(byName(spans, 'POST /orders').attributes['http.response.status_code'], 201)
})

t.test('HTTP (non-proxy) and MOCK integrations', async (t) => {
  t.equal((await f.gw.fetch('shop', '/prod/quotes')).status, 200)
  const sent = parseTraceparent(f.backend.seen.at(-1)!.headers.traceparent)
  const spans = await f.trace(sent.traceId, 2)
  t.match(byName(spans, 'GET').attributes, { 'tollgate.integration.type': 'HTTP', 'url.full': `${f.backend.origin}/quotes` })
  t.equal(byName(spans, 'GET').spanId, sent.spanId)

  t.equal((await f.gw.fetch('shop', '/prod/mock', { headers: { traceparent: `00-${'d'.repeat(32)}-${'2'.repeat(16)}-01` } })).status, 200)
  const mock = await f.trace('d'.repeat(32), 1)
  t.same(mock.map((s) => s.name), ['GET /mock'], 'a mock calls nothing: the SERVER span alone')
})

t.test('failures: a refused caller fails the authorize span; a 5xx fails the SERVER span', async (t) => {
  const refused = await f.gw.fetch('shop', '/prod/pets/8', { headers: { authorization: 'Bearer nope', 'x-api-key': API_KEY, traceparent: `00-${'e'.repeat(32)}-${'3'.repeat(16)}-01` } })
  t.equal(refused.status, 401)
  const spans = await f.trace('e'.repeat(32), 2)
  const authorize = byName(spans, 'authorize')
  t.equal(authorize.status.code, STATUS.ERROR)
  t.match(authorize.attributes, { 'error.type': 'TG_ERR_UNAUTHORIZED', 'tollgate.response_type': 'UNAUTHORIZED' })
  const server = byName(spans, 'GET /pets/{petId}')
  t.equal(server.attributes['http.response.status_code'], 401)
  t.equal(server.status.code, STATUS.UNSET, 'a 4xx is not a server error')
  t.notOk(spans.some((s) => s.name === 'meter'), 'nothing after the authorizer ran')

  await f.backend.close()
  const down = await f.gw.fetch('shop', '/prod/plain', { headers: { traceparent: `00-${'f'.repeat(32)}-${'4'.repeat(16)}-01` } })
  t.ok(down.status >= 500, `backend down: ${down.status}`)
  const failed = await f.trace('f'.repeat(32), 2)
  const client = byName(failed, 'GET')
  t.equal(client.status.code, STATUS.ERROR)
  t.equal(client.attributes['error.type'], 'no_response')
  const failedServer = byName(failed, 'GET /plain')
  t.equal(failedServer.status.code, STATUS.ERROR)
  t.equal(failedServer.attributes['error.type'], String(down.status))
})

t.test('an untraced stage exports nothing', async (t) => {
  const before = f.receiver.spans.length
  const res = await f.gw.fetch('shop', '/dev/mock', { headers: { traceparent: `00-${'a'.repeat(32)}-${'5'.repeat(16)}-01` } })
  t.equal(res.status, 200)
  await new Promise((r) => setTimeout(r, 50))
  await f.tracing.flush()
  t.equal(f.receiver.spans.length, before)
  t.notOk(f.receiver.spans.some((s) => s.traceId === 'a'.repeat(32)))
})

t.test('exports are OTLP JSON and carry no API key or token', async (t) => {
  t.ok(f.receiver.bodies.length > 0)
  t.ok(f.receiver.contentTypes.every((c) => c.startsWith('application/json')), 'JSON')
  const all = f.receiver.bodies.join('\n')
  t.notOk(all.includes(API_KEY), 'no API key')
  t.notOk(all.includes('let-me-in'), 'no token')
})
