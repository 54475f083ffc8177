// Mapping templates end to end: VTL request and response templates on an HTTP integration
// against a real upstream, $context.requestOverride / responseOverride, a MOCK whose response
// template overrides the status, templates refused at config load, and hostile templates that
// fail their own request in bounded time while another route keeps answering.
import t from 'tap'
import { api, gatewayConfig, integration, integrationResponse, route, stage, startGateway, startUpstream, type Running, type Upstream } from './helpers.js'

const REQUEST_TEMPLATE = `#set($root = $input.path('$'))
{
  "name": $input.json('$.name'),
  "tags": [#foreach($tag in $root.tags)"$util.escapeJavaScript($tag)"#if($foreach.hasNext),#end#end],
  "half": #set($half = $root.qty / 2)$half,
  "petId": "$input.params('petId')",
  "search": "$input.params('q')",
  "agent": "$input.params('X-Agent')",
  "stage": "$context.stage",
  "resource": "$context.resourcePath",
  "version": "$stageVariables.version"
}
#set($context.requestOverride.header.X-Pet = "pet-$input.params('petId')")
#set($context.requestOverride.querystring.source = "vtl")
#set($context.requestOverride.header.Content-Length = "1")`

const RESPONSE_TEMPLATE = `#set($r = $input.path('$'))
#if($r.ok)
{"id": $r.id, "label": "$r.label.toUpperCase()"}
#else
#set($context.responseOverride.status = 422)
{"error": "$r.error"}
#end
#set($context.responseOverride.header.X-Backend-Id = "$r.id")`

let backend: Upstream
let gw: Running
t.before(async () => {
  backend = await startUpstream((req, res, body) => {
    // Not JSON.parse: escapeJavaScript's \' is not valid JSON (AWS documents the same).
    const name = /"name": "([^"]*)"/.exec(body)?.[1] ?? ''
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(name === 'bad' ? JSON.stringify({ ok: false, id: 0, error: 'no such pet' }) : JSON.stringify({ ok: true, id: 7, label: `got ${name}` }))
  })
  const http = (uri: string, requestTemplates: Record<string, string>, responseTemplates: Record<string, string>) =>
    integration({ type: 'HTTP', httpMethod: 'POST', uri, requestTemplates, responses: [integrationResponse({ statusCode: '200', responseTemplates })] })
  const mock = (requestTemplate: string, responseTemplate: string) =>
    integration({
      type: 'MOCK',
      httpMethod: '',
      requestTemplates: { 'application/json': requestTemplate },
      responses: [integrationResponse({ statusCode: '200', responseTemplates: { 'application/json': responseTemplate } })],
    })
  const config = gatewayConfig([
    api(
      'abc',
      [
        route('POST /pets/{petId}', http(`${backend.origin}/backend`, { 'application/json': REQUEST_TEMPLATE }, { 'application/json': RESPONSE_TEMPLATE })),
        route('GET /teapot', mock('{"statusCode": 200}', '#set($context.responseOverride.status = 418)\n{"teapot": true, "path": "$context.resourcePath", "account": "$context.accountId", "time": "$context.requestTime"}')),
        route('GET /ok', mock('{"statusCode": 200}', '{"ok": true}')),
        route('GET /hostile/loops', mock('{"statusCode": 200}', '#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end')),
        route('GET /hostile/recursion', mock('{"statusCode": 200}', '#macro(deep $n)#deep($n)#end#deep(1)')),
        route('GET /hostile/bloat', mock('{"statusCode": 200}', '#set($s = "0123456789")#foreach($i in [1..30])#set($s = "$s$s")#end$s')),
        route('GET /hostile/range', mock('{"statusCode": 200}', '#set($r = [0..2000000000])$r')),
        route('GET /too-large', mock(`{"statusCode": 200}${' '.repeat(300 * 1024)}`, '{}')),
        route('GET /syntax', mock('#if($x)never closed', '{}')),
      ],
      { stages: [stage('prod', { version: 'v2' })] },
    ),
  ])
  gw = await startGateway(config)
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

t.test('HTTP: the request template builds the backend body, overrides reach the backend', async (t) => {
  const res = await gw.fetch('abc', '/prod/pets/42?q=dogs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agent': 'tester' },
    body: JSON.stringify({ name: 'Fido', tags: ['good "boy"', "it's"], qty: 7 }),
  })
  const seen = backend.seen.at(-1)!
  t.equal(
    seen.body,
    '{\n  "name": "Fido",\n  "tags": ["good \\"boy\\"","it\\\'s"],\n  "half": 3,\n  "petId": "42",\n  "search": "dogs",\n  "agent": "tester",\n  "stage": "prod",\n  "resource": "/pets/{petId}",\n  "version": "v2"\n}\n',
    'exact rendered body (integer division, escapeJavaScript, params lookup, context, stage variables)',
  )
  t.equal(seen.headers['x-pet'], 'pet-42', '$context.requestOverride.header')
  t.equal(seen.url, '/backend?source=vtl', '$context.requestOverride.querystring')
  t.equal(seen.headers['content-type'], 'application/json')
  t.equal(Number(seen.headers['content-length']), Buffer.byteLength(seen.body), 'framing headers are not overridable')
  t.equal(res.status, 200)
  t.equal(res.text, '{"id": 7, "label": "GOT FIDO"}\n', 'the response template shaped the body')
  t.equal(res.headers['x-backend-id'], '7', '$context.responseOverride.header')
})

t.test('HTTP: the response template overrides the status from the body', async (t) => {
  const res = await gw.fetch('abc', '/prod/pets/1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "bad", "tags": [], "qty": 0}' })
  t.equal(res.status, 422)
  t.equal(res.text, '{"error": "no such pet"}\n')
  t.equal(res.headers['x-backend-id'], '0')
})

t.test('HTTP: a request body that is not JSON is a 400 when the template reads it', async (t) => {
  const res = await gw.fetch('abc', '/prod/pets/1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' })
  t.equal(res.status, 400)
  t.same(res.json(), { message: 'Invalid request body' })
})

t.test('MOCK: $context.responseOverride.status in the response template', async (t) => {
  const res = await gw.fetch('abc', '/prod/teapot')
  t.equal(res.status, 418)
  const body = res.json() as { teapot: boolean; path: string; account: string; time: string }
  t.same({ ...body, time: '' }, { teapot: true, path: '/teapot', account: '000000000000', time: '' }, 'the account of the gateway ARNs (default)')
  t.match(body.time, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/, '$context.requestTime in CLF')
  t.equal(res.headers['content-type'], 'application/json')
})

t.test('templates over 300 KB and with syntax errors are refused at config load; the route answers 500', async (t) => {
  t.match(gw.logs.join('\n'), /GET \/too-large.*over the 307200 bytes \(300 KB\) limit/s)
  t.match(gw.logs.join('\n'), /GET \/syntax.*#if without #end/s)
  const large = await gw.fetch('abc', '/prod/too-large')
  t.equal(large.status, 500)
  const syntax = await gw.fetch('abc', '/prod/syntax')
  t.equal(syntax.status, 500)
  t.same(syntax.json(), { message: 'Internal server error' })
})

for (const hostile of ['loops', 'recursion', 'bloat', 'range']) {
  t.test(`hostile template (${hostile}) fails its request in bounded time; other requests are served`, async (t) => {
    const started = performance.now()
    const [bad, ...good] = await Promise.all([
      gw.fetch('abc', `/prod/hostile/${hostile}`),
      gw.fetch('abc', '/prod/ok'),
      gw.fetch('abc', '/prod/ok'),
    ])
    const elapsed = performance.now() - started
    t.equal(bad!.status, 500)
    t.same(bad!.json(), { message: 'Internal server error' })
    t.equal(bad!.headers['x-amzn-errortype'], 'InternalServerErrorException')
    for (const res of good) {
      t.equal(res.status, 200)
      t.same(res.json(), { ok: true })
    }
    t.ok(elapsed < 3000, `bounded: ${Math.round(elapsed)} ms`)
    const after = await gw.fetch('abc', '/prod/ok')
    t.equal(after.status, 200, 'the proxy keeps serving')
  })
}
