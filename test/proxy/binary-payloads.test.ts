// Binary payloads end to end: API Gateway's content type conversion tables ("Content type
// conversions in API Gateway",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html)
// row by row through HTTP, for HTTP and MOCK integrations, from manifests compiled by the real
// compiler to a real gateway, a real upstream on port 0 sending and receiving real bytes (a PNG
// signature) and an undici client comparing exact bytes. Also: the first Accept media type
// decides, binary payloads and mapping templates (AWS's "Unable to transform request"), base64
// that does not decode (500), chunked bodies converted, HTTP APIs passing bytes unchanged, and
// the method response checks of the compiler.
import t from 'tap'
import { Readable } from 'node:stream'
import { request, type Dispatcher } from 'undici'
import { compile } from '../../operator/compile/index.js'
import type { ResourceObject } from '../../crds/validate.js'
import { startServer } from '../helpers/servers.js'
import { DOMAIN, startGateway, type Running } from './helpers.js'
import { expectedOf, payloadOf, PNG, PNG_BASE64, REQUEST_TABLE, RESPONSE_TABLE, type Outcome } from './content-conversions.js'
import type { ContentHandling } from '../../proxy/integrations/content-handling.js'

const HANDLINGS: readonly (readonly [string, ContentHandling])[] = [
  ['none', null],
  ['text', 'CONVERT_TO_TEXT'],
  ['binary', 'CONVERT_TO_BINARY'],
]
const slug = (handling: ContentHandling): string => HANDLINGS.find(([, h]) => h === handling)![0]
const INTERNAL_ERROR = '{"message":"Internal server error"}'
const WORDS = 'this is a UTF8 text typed object'
const MOCK_REQUEST_TEMPLATE = `#if($input.body == "${PNG_BASE64}")#set($s = 200)#else#set($s = 400)#end{"statusCode": $s}`

interface Seen {
  readonly url: string
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

let seen: Seen[] = []
let gw: Running
let upstream: Awaited<ReturnType<typeof startServer>>

/** The routes of one REST API: every contentHandling, for HTTP and MOCK, both ways. */
function restRoutes(origin: string): unknown[] {
  const routes: unknown[] = []
  for (const [name, handling] of HANDLINGS) {
    const ch = handling === null ? {} : { contentHandling: handling }
    routes.push(
      // Request payloads, passed through to the backend.
      {
        path: `/req/${name}`,
        method: 'POST',
        methodResponses: [{ statusCode: '200' }],
        integration: { type: 'HTTP', httpMethod: 'POST', uri: `${origin}/echo`, ...ch, responses: [{ statusCode: '200' }] },
      },
      // Request payloads read by a request template.
      {
        path: `/tpl/${name}`,
        method: 'POST',
        integration: {
          type: 'HTTP',
          httpMethod: 'POST',
          uri: `${origin}/echo`,
          ...ch,
          requestTemplates: { $default: '{"data": "$input.body"}' },
          responses: [{ statusCode: '200' }],
        },
      },
      // Request payloads read by a MOCK's request template: 200 when $input.body is the PNG's base64.
      {
        path: `/mock-req/${name}`,
        method: 'POST',
        methodResponses: [{ statusCode: '200' }, { statusCode: '400' }],
        integration: {
          type: 'MOCK',
          ...ch,
          requestTemplates: { $default: MOCK_REQUEST_TEMPLATE },
          responses: [
            { statusCode: '200', responseTemplates: { 'application/json': '{"read": "the base64 of the PNG"}' } },
            { statusCode: '400', selectionPattern: '400', responseTemplates: { 'application/json': '{"read": "something else"}' } },
          ],
        },
      },
      // Response payloads from the backend ({kind}: binary = PNG bytes as image/png, text = base64 as application/json).
      {
        path: `/res/{kind}/${name}`,
        method: 'GET',
        methodResponses: [{ statusCode: '200', responseParameters: { 'method.response.header.Content-Type': false } }],
        integration: {
          type: 'HTTP',
          httpMethod: 'GET',
          uri: `${origin}/payload/{kind}`,
          responses: [{ statusCode: '200', ...ch, responseParameters: { 'method.response.header.Content-Type': 'integration.response.header.Content-Type' } }],
        },
      },
      // Response payloads read by a response template.
      {
        path: `/tpl-res/{kind}/${name}`,
        method: 'GET',
        integration: {
          type: 'HTTP',
          httpMethod: 'GET',
          uri: `${origin}/payload/{kind}`,
          responses: [{ statusCode: '200', ...ch, responseTemplates: { 'application/json': '{"data": "$input.body"}' } }],
        },
      },
      // MOCK integration responses (no payload) with a response template.
      {
        path: `/mock-res/${name}`,
        method: 'GET',
        integration: {
          type: 'MOCK',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          responses: [{ statusCode: '200', ...ch, responseTemplates: { 'application/json': '{"mock": true}' } }],
        },
      },
    )
  }
  return routes
}

function manifests(origin: string): ResourceObject[] {
  const api = (name: string, spec: Record<string, unknown>): ResourceObject => ({ apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name }, spec: { apiId: name, ...spec } })
  const stage = (apiName: string): ResourceObject => ({ apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: `${apiName}-prod` }, spec: { apiRef: { name: apiName }, stageName: 'prod' } })
  return [
    api('typed', { binaryMediaTypes: ['image/png'], routes: restRoutes(origin) }),
    api('plain', { routes: restRoutes(origin) }),
    api('all', { binaryMediaTypes: ['*/*'], routes: restRoutes(origin) }),
    api('web', { protocol: 'HTTP', binaryMediaTypes: ['*/*'], routes: [{ routeKey: 'ANY /payload/{kind}', integration: { type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `${origin}/payload/{kind}` } }] }),
    stage('typed'),
    stage('plain'),
    stage('all'),
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'web' }, spec: { apiRef: { name: 'web' }, stageName: '$default' } },
  ]
}

interface BinaryReply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

async function send(apiId: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: Dispatcher.DispatchOptions['body'] } = {}): Promise<BinaryReply> {
  const res = await request(`http://127.0.0.1:${gw.port}${path}`, {
    method: (opts.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: { host: `${apiId}.execute-api.${DOMAIN}:${gw.port}`, ...opts.headers },
    body: opts.body ?? null,
    dispatcher: gw.agent,
  })
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) }
}

/** What the upstream received for the one request sent by `fn`. */
async function received(fn: () => Promise<BinaryReply>): Promise<{ reply: BinaryReply; got: Seen | undefined }> {
  seen = []
  const reply = await fn()
  return { reply, got: seen.at(-1) }
}

t.before(async () => {
  upstream = await startServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks) })
      if (req.url === '/payload/binary') {
        res.writeHead(200, { 'content-type': 'image/png' })
        res.end(PNG)
      } else if (req.url === '/payload/text') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(PNG_BASE64)
      } else if (req.url === '/payload/words') {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end(WORDS)
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('ok')
      }
    })
  })
  const origin = `http://127.0.0.1:${upstream.port}`
  const { config, statuses } = compile(manifests(origin), { domain: DOMAIN, defaultNamespace: 'default', endpoint: { scheme: 'http' } })
  for (const s of statuses) if (s.problems.some((p) => p.severity === 'error')) throw new Error(`${s.ref.name}: ${JSON.stringify(s.problems)}`)
  gw = await startGateway(config)
})
t.teardown(async () => {
  await gw.close()
  await upstream.close()
})

const apiOf = (row: { binaryMediaTypes: 'undefined' | 'set' }): string => (row.binaryMediaTypes === 'set' ? 'typed' : 'plain')
const binaryAfter = (row: { payload: 'text' | 'binary'; outcome: Outcome }): boolean =>
  row.outcome === 'base64-decoded' || (row.payload === 'binary' && row.outcome === 'as is')

t.test('request table, HTTP: the backend receives the converted bytes', async (t) => {
  for (const [i, row] of REQUEST_TABLE.entries()) {
    const contentType = row.binaryType ? 'image/png' : 'text/plain'
    const { reply, got } = await received(() =>
      send(apiOf(row), `/prod/req/${slug(row.contentHandling)}`, { method: 'POST', headers: { 'content-type': contentType }, body: payloadOf(row) }),
    )
    const name = `row ${i + 1}: ${row.payload} data as ${contentType}, ${row.binaryMediaTypes} binaryMediaTypes, ${row.contentHandling ?? 'no contentHandling'} -> ${row.doc}`
    t.equal(reply.status, 200, name)
    t.same(got?.body, expectedOf(row), `${name}: exact bytes`)
    t.equal(got?.headers['content-length'], String(expectedOf(row).length), `${name}: Content-Length of the converted body`)
    t.equal(got?.headers['content-type'], contentType, `${name}: the request's Content-Type`)
  }
})

t.test('request table, MOCK: a request template reads text, never binary', async (t) => {
  for (const [i, row] of REQUEST_TABLE.entries()) {
    const contentType = row.binaryType ? 'image/png' : 'text/plain'
    const reply = await send(apiOf(row), `/prod/mock-req/${slug(row.contentHandling)}`, { method: 'POST', headers: { 'content-type': contentType }, body: payloadOf(row) })
    const name = `row ${i + 1}: ${row.payload} data, ${row.binaryMediaTypes} binaryMediaTypes, ${row.contentHandling ?? 'no contentHandling'} -> ${row.doc}`
    if (binaryAfter(row)) {
      t.equal(reply.status, 500, `${name}: a binary payload cannot be read by the template`)
      t.equal(reply.body.toString(), INTERNAL_ERROR)
    } else {
      // Text data passes as the base64 text it is; binary data arrives base64-encoded: $input.body is the PNG's base64 either way.
      t.equal(reply.status, 200, name)
      t.equal(reply.body.toString(), '{"read": "the base64 of the PNG"}', `${name}: $input.body`)
    }
  }
})

t.test('response table, HTTP: the client receives the converted bytes', async (t) => {
  for (const [i, row] of RESPONSE_TABLE.entries()) {
    const accept = row.binaryAccept ? 'image/png' : 'text/html'
    const reply = await send(apiOf(row), `/prod/res/${row.payload}/${slug(row.contentHandling)}`, { headers: { accept } })
    const name = `row ${i + 1}: ${row.payload} data, Accept ${accept}, ${row.binaryMediaTypes} binaryMediaTypes, ${row.contentHandling ?? 'no contentHandling'} -> ${row.doc}`
    t.equal(reply.status, 200, name)
    t.same(reply.body, expectedOf(row), `${name}: exact bytes`)
    if (row.outcome === 'as is') t.equal(reply.headers['transfer-encoding'], 'chunked', `${name}: streamed as it arrives`)
    else t.equal(reply.headers['content-length'], String(expectedOf(row).length), `${name}: converted whole, with its length`)
    t.equal(reply.headers['content-type'], row.payload === 'binary' ? 'image/png' : 'application/json', `${name}: mapped Content-Type`)
  }
})

t.test('response table, MOCK: no payload to convert, the template answers', async (t) => {
  for (const [i, row] of RESPONSE_TABLE.entries()) {
    const accept = row.binaryAccept ? 'image/png' : 'text/html'
    const reply = await send(apiOf(row), `/prod/mock-res/${slug(row.contentHandling)}`, { headers: { accept } })
    t.equal(reply.status, 200, `row ${i + 1}`)
    t.equal(reply.body.toString(), '{"mock": true}', `row ${i + 1}: ${row.contentHandling ?? 'no contentHandling'}, Accept ${accept}`)
  }
})

t.test('only the first media type of Accept decides', async (t) => {
  const encoded = await send('typed', '/prod/res/binary/none', { headers: { accept: 'text/html, image/png' } })
  t.equal(encoded.body.toString(), PNG_BASE64, 'text/html first: the binary payload is base64-encoded')
  const raw = await send('typed', '/prod/res/binary/none', { headers: { accept: 'image/png, text/html;q=0.9' } })
  t.same(raw.body, PNG, 'image/png first: the bytes as they are')
  const none = await send('typed', '/prod/res/binary/none')
  t.equal(none.body.toString(), PNG_BASE64, 'no Accept is a text Accept')
})

t.test('base64 that does not decode is a 500 (API_CONFIGURATION_ERROR)', async (t) => {
  // Text that is not base64, converted to binary (request and response).
  let r = await send('typed', '/prod/req/binary', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: WORDS })
  t.equal(r.status, 500)
  t.equal(r.body.toString(), INTERNAL_ERROR)
  t.ok(r.headers['x-amzn-requestid'], 'a REST gateway response')
  r = await send('typed', '/prod/res/words/none', { headers: { accept: 'image/png' } })
  t.equal(r.status, 500, 'a text payload, a binary Accept: base64-decoded, and these words are not base64')
  // Without binaryMediaTypes nothing is binary: PNG bytes are text, and text to binary fails.
  r = await send('plain', '/prod/req/binary', { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG })
  t.equal(r.status, 500)
  r = await send('plain', '/prod/res/binary/binary', { headers: { accept: 'image/png' } })
  t.equal(r.status, 500)
  // Without binaryMediaTypes and conversions, bytes pass untouched (AWS would re-encode them as UTF-8).
  const untouched = await send('plain', '/prod/res/binary/none', { headers: { accept: 'image/png' } })
  t.same(untouched.body, PNG)
})

t.test('a binary request and a request template', async (t) => {
  let { reply, got } = await received(() => send('typed', '/prod/tpl/text', { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG }))
  t.equal(reply.status, 200)
  t.equal(got?.body.toString(), `{"data": "${PNG_BASE64}"}`, 'CONVERT_TO_TEXT: $input.body is the base64 of the bytes')

  ;({ reply, got } = await received(() => send('typed', '/prod/tpl/none', { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG })))
  t.equal(reply.status, 500, 'no contentHandling: the template cannot read binary ("Unable to transform request")')
  t.equal(reply.body.toString(), INTERNAL_ERROR)
  t.equal(got, undefined, 'the backend is not called')

  ;({ reply, got } = await received(() => send('typed', '/prod/tpl/binary', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: PNG_BASE64 })))
  t.equal(reply.status, 500, 'CONVERT_TO_BINARY decodes the text to binary, which the template cannot read')
  t.equal(got, undefined)

  ;({ reply, got } = await received(() => send('typed', '/prod/tpl/none', { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'héllo' })))
  t.equal(got?.body.toString(), '{"data": "héllo"}', 'text passes as UTF-8 text')

  ;({ reply, got } = await received(() => send('plain', '/prod/tpl/none', { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG })))
  t.equal(reply.status, 200, 'without binaryMediaTypes the bytes are text')
  t.same(got?.body, Buffer.from(`{"data": "${PNG.toString('utf8')}"}`), 'decoded as UTF-8, invalid bytes as U+FFFD (as Java does)')
  t.ok(got?.body.includes(Buffer.from('\ufffdPNG')), 'the 0x89 byte became U+FFFD')
})

t.test('a binary response and a response template', async (t) => {
  let r = await send('typed', '/prod/tpl-res/binary/text', { headers: { accept: 'image/png' } })
  t.equal(r.status, 200)
  t.equal(r.body.toString(), `{"data": "${PNG_BASE64}"}`, 'CONVERT_TO_TEXT: $input.body is the base64 of the bytes')
  r = await send('typed', '/prod/tpl-res/binary/none', { headers: { accept: 'text/html' } })
  t.equal(r.body.toString(), `{"data": "${PNG_BASE64}"}`, 'no contentHandling, a text Accept: base64-encoded')
  r = await send('typed', '/prod/tpl-res/binary/none', { headers: { accept: 'image/png' } })
  t.equal(r.status, 500, 'no contentHandling, a binary Accept: still binary, the template cannot read it')
  t.equal(r.body.toString(), INTERNAL_ERROR)
  r = await send('typed', '/prod/tpl-res/text/binary', { headers: { accept: 'text/html' } })
  t.equal(r.status, 500, 'CONVERT_TO_BINARY: decoded to binary, the template cannot read it')
})

t.test('binaryMediaTypes */*: every payload with a media type is binary, JSON included', async (t) => {
  const json = '{"a":1}'
  let { reply, got } = await received(() => send('all', '/prod/tpl/none', { method: 'POST', headers: { 'content-type': 'application/json' }, body: json }))
  t.equal(reply.status, 500, 'a JSON request is binary: a template cannot read it without CONVERT_TO_TEXT')
  t.equal(got, undefined)
  ;({ reply, got } = await received(() => send('all', '/prod/tpl/text', { method: 'POST', headers: { 'content-type': 'application/json' }, body: json })))
  t.equal(got?.body.toString(), `{"data": "${Buffer.from(json).toString('base64')}"}`, 'with CONVERT_TO_TEXT the template reads its base64')
  ;({ reply, got } = await received(() => send('all', '/prod/tpl/none', { method: 'POST', body: 'no content type' })))
  t.equal(got?.body.toString(), '{"data": "no content type"}', 'a request without Content-Type is text')
  const r = await send('all', '/prod/res/binary/none', { headers: { accept: '*/*' } })
  t.same(r.body, PNG, "curl's Accept */* is binary: the bytes as they are")
  const mock = await send('all', '/prod/mock-res/none', { headers: { accept: '*/*' } })
  t.equal(mock.status, 200, 'a MOCK has no payload: its response template renders')
  t.equal(mock.body.toString(), '{"mock": true}')
})

t.test('a chunked request body is converted and sent with its length', async (t) => {
  const { reply, got } = await received(() =>
    send('typed', '/prod/req/text', { method: 'POST', headers: { 'content-type': 'image/png' }, body: Readable.from([PNG.subarray(0, 5), PNG.subarray(5)]) }),
  )
  t.equal(reply.status, 200)
  t.equal(got?.body.toString(), PNG_BASE64)
  t.equal(got?.headers['content-length'], String(PNG_BASE64.length))
  t.equal(got?.headers['transfer-encoding'], undefined)
})

t.test('without a conversion the request body streams untouched', async (t) => {
  const { got } = await received(() =>
    send('typed', '/prod/req/none', { method: 'POST', headers: { 'content-type': 'image/png' }, body: Readable.from([PNG.subarray(0, 5), PNG.subarray(5)]) }),
  )
  t.same(got?.body, PNG)
  t.equal(got?.headers['transfer-encoding'], 'chunked', 'streamed as it arrives, not buffered')
})

t.test('HTTP APIs: binaryMediaTypes do not apply, HTTP_PROXY passes bytes unchanged', async (t) => {
  let r = await send('web', '/payload/binary', { headers: { accept: 'text/html' } })
  t.equal(r.status, 200)
  t.same(r.body, PNG)
  r = await send('web', '/payload/text', { headers: { accept: 'image/png' } })
  t.equal(r.body.toString(), PNG_BASE64, 'never decoded')
  const { got } = await received(() => send('web', '/payload/echo', { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG }))
  t.same(got?.body, PNG, 'request bytes unchanged')
})

t.test('the compiler: undeclared method responses and headers, ignored fields', async (t) => {
  const integration = (responseParameters: Record<string, string>, statusCode = '200') => ({
    type: 'MOCK',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: [{ statusCode, responseParameters }],
  })
  const { statuses } = compile(
    [
      {
        apiVersion: 'tollgate.dev/v1alpha1',
        kind: 'Api',
        metadata: { name: 'checked' },
        spec: {
          routes: [
            { path: '/a', method: 'GET', methodResponses: [{ statusCode: '200' }], integration: integration({ 'method.response.header.X-Id': "'1'" }) },
            { path: '/b', method: 'GET', methodResponses: [{ statusCode: '200' }], integration: integration({}, '201') },
            {
              path: '/c',
              method: 'GET',
              methodResponses: [{ statusCode: '200', responseParameters: { 'method.response.header.X-Id': true } }],
              integration: integration({ 'method.response.header.x-id': "'1'" }),
            },
            { path: '/d', method: 'GET', integration: integration({ 'method.response.header.X-Id': "'1'" }, '299') },
          ],
        },
      },
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'web' }, spec: { protocol: 'HTTP', binaryMediaTypes: ['*/*'], routes: [] } },
    ],
    { domain: DOMAIN, defaultNamespace: 'default', endpoint: { scheme: 'http' } },
  )
  const problems = (name: string) => statuses.find((s) => s.ref.name === name)!.problems.map((p) => `${p.reason} ${p.field}`)
  t.same(problems('checked'), [
    'UndeclaredResponseHeader spec.routes[0].integration.responses[0].responseParameters["method.response.header.X-Id"]',
    'UndeclaredMethodResponse spec.routes[1].integration.responses[0].statusCode',
  ], 'route /c declares the header (names compare case-insensitively), route /d lists no methodResponses and is not checked')
  t.same(problems('web'), ['FieldIgnored spec.binaryMediaTypes'])
})
