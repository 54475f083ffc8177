// Trace context through HTTP: W3C traceparent/tracestate reach backends (HTTP_PROXY, HTTP) and
// functions (AWS_PROXY: the invoke request and the event's headers) of traced stages, continuing
// the caller's trace when it sent one; X-Amzn-Trace-Id from the caller is passed on as API
// Gateway does ("adds a trace header to incoming HTTP requests that don't already have one");
// untraced stages (and a gateway without tracing) add no traceparent at all.
import t from 'tap'
import { startGateway } from '../proxy/helpers.js'
import { API_KEY, parseTraceparent, startFixture, TOKEN, type Fixture } from './fixture.js'

let f: Fixture

t.before(async () => {
  f = await startFixture()
})
t.teardown(() => f.close())

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c'
const CALLER_SPAN = 'b7ad6b7169203331'
const XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'

t.test("a caller's traceparent is continued: same trace, the SERVER span its child, tracestate kept", async (t) => {
  await f.gw.fetch('shop', '/prod/plain', { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc,other=1' } })
  const seen = f.backend.seen.at(-1)!.headers
  const sent = parseTraceparent(seen.traceparent)
  t.equal(sent.traceId, CALLER_TRACE, 'the backend continues the caller\'s trace')
  t.not(sent.spanId, CALLER_SPAN, "… as a child of the gateway's span, not the caller's")
  t.equal(seen.tracestate, 'vendor=abc,other=1')
  const spans = await f.trace(CALLER_TRACE, 2)
  const server = spans.find((s) => s.name === 'GET /plain')!
  t.equal(server.parentSpanId, CALLER_SPAN)
  t.equal(server.traceState, 'vendor=abc,other=1')
  t.equal(spans.find((s) => s.name === 'GET')!.spanId, sent.spanId)
})

t.test("a caller's unsampled trace: nothing exported, the context still propagated (flags 00)", async (t) => {
  const before = f.receiver.spans.length
  const trace = '1'.repeat(31) + '2'
  await f.gw.fetch('shop', '/prod/plain', { headers: { traceparent: `00-${trace}-${CALLER_SPAN}-00` } })
  const sent = parseTraceparent(f.backend.seen.at(-1)!.headers.traceparent)
  t.equal(sent.traceId, trace)
  t.equal(sent.flags, '00')
  await f.gw.fetch('shop', '/prod/orders', { method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${trace}-${CALLER_SPAN}-00` }, body: '{}' })
  const call = f.fn.calls.at(-1)!
  t.equal(parseTraceparent(call.headers.traceparent).flags, '00', 'functions too')
  t.equal((call.event.headers as Record<string, string>).traceparent, call.headers.traceparent)
  await new Promise((r) => setTimeout(r, 50))
  await f.tracing.flush()
  t.equal(f.receiver.spans.length, before)
})

t.test('a malformed traceparent starts a new trace', async (t) => {
  await f.gw.fetch('shop', '/prod/plain', { headers: { traceparent: '00-zzzz-b7ad6b7169203331-01' } })
  const sent = parseTraceparent(f.backend.seen.at(-1)!.headers.traceparent)
  const spans = await f.trace(sent.traceId, 2)
  t.equal(spans.find((s) => s.name === 'GET /plain')!.parentSpanId, '')
})

t.test('HTTP (non-proxy) integrations get traceparent and the X-Amzn-Trace-Id', async (t) => {
  await f.gw.fetch('shop', '/prod/quotes', { headers: { 'x-amzn-trace-id': XRAY } })
  const seen = f.backend.seen.at(-1)!.headers
  parseTraceparent(seen.traceparent)
  t.equal(seen['x-amzn-trace-id'], XRAY, "the caller's X-Amzn-Trace-Id, not a new one")
  await f.gw.fetch('shop', '/prod/quotes')
  t.match(f.backend.seen.at(-1)!.headers['x-amzn-trace-id'], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/, 'without one: a fresh one')
  t.not(f.backend.seen.at(-1)!.headers['x-amzn-trace-id'], XRAY)
})

t.test('HTTP_PROXY passes the X-Amzn-Trace-Id on', async (t) => {
  await f.gw.fetch('shop', '/prod/plain', { headers: { 'x-amzn-trace-id': XRAY } })
  t.equal(f.backend.seen.at(-1)!.headers['x-amzn-trace-id'], XRAY)
})

t.test('AWS_PROXY: traceparent on the invocation and in the event; X-Amzn-Trace-Id passed on', async (t) => {
  const res = await f.gw.fetch('shop', '/prod/orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-amzn-trace-id': XRAY, traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    body: '{}',
  })
  t.equal(res.status, 201)
  t.equal(res.headers['x-amzn-trace-id'], XRAY, 'the REST proxy response carries the trace header')
  const call = f.fn.calls.at(-1)!
  const invoke = parseTraceparent(call.headers.traceparent)
  t.equal(invoke.traceId, CALLER_TRACE)
  t.equal(call.headers['x-amzn-trace-id'], XRAY, 'the invocation carries the X-Amzn-Trace-Id')
  const headers = call.event.headers as Record<string, string>
  t.equal(headers.traceparent, call.headers.traceparent, "the event's traceparent is the invocation's, not the caller's")
  t.equal(headers['x-amzn-trace-id'], XRAY, 'the event keeps the caller\'s header (in its spelling)')
  const multi = call.event.multiValueHeaders as Record<string, string[]>
  t.same(multi.traceparent, [call.headers.traceparent], 'one traceparent in the event')
})

t.test('untraced stage: no traceparent added anywhere; a caller\'s passes through HTTP_PROXY untouched', async (t) => {
  await f.gw.fetch('shop', '/dev/plain')
  t.equal(f.backend.seen.at(-1)!.headers.traceparent, undefined, 'HTTP_PROXY')
  await f.gw.fetch('shop', '/dev/quotes')
  t.equal(f.backend.seen.at(-1)!.headers.traceparent, undefined, 'HTTP')
  await f.gw.fetch('shop', '/dev/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  const call = f.fn.calls.at(-1)!
  t.equal(call.headers.traceparent, undefined, 'function invocation')
  t.equal((call.event.headers as Record<string, string>).traceparent, undefined, 'function event')
  await f.gw.fetch('shop', '/dev/pets/3', { headers: { authorization: TOKEN, 'x-api-key': API_KEY } })
  t.equal(f.authorizer.calls.at(-1)!.headers.traceparent, undefined, 'authorizer invocation')

  const caller = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`
  await f.gw.fetch('shop', '/dev/plain', { headers: { traceparent: caller, 'x-amzn-trace-id': XRAY } })
  t.equal(f.backend.seen.at(-1)!.headers.traceparent, caller, 'forwarded as any other header')
  t.equal(f.backend.seen.at(-1)!.headers['x-amzn-trace-id'], XRAY)
})

t.test('a gateway without tracing ignores tracingEnabled', async (t) => {
  const plain = await startGateway(f.gw.gateway.config!)
  t.teardown(() => plain.close())
  t.equal((await plain.fetch('shop', '/prod/plain')).status, 200)
  t.equal(f.backend.seen.at(-1)!.headers.traceparent, undefined)
})
