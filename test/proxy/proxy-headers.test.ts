// HTTP_PROXY header handling: hop-by-hop headers removed both ways (RFC 9110), Host set to the
// backend, X-Forwarded-For appended, X-Forwarded-Proto/-Port set; backend status and headers
// returned as-is otherwise; HEAD only through HEAD or ANY routes.
import t from 'tap'
import { api, bodyOf, gatewayConfig, integration, rawRequest, route, startGateway, startUpstream, statusOf, type Running, type Upstream } from './helpers.js'

let backend: Upstream
let gw: Running
t.before(async () => {
  backend = await startUpstream((req, res) => {
    res.writeHead(418, {
      connection: 'x-secret',
      'x-secret': 'hop',
      'keep-alive': 'timeout=99',
      'proxy-foo': 'bar',
      'x-public': 'kept',
      'set-cookie': ['a=1', 'b=2'],
      'content-type': 'text/plain',
    })
    res.end(req.method === 'HEAD' ? undefined : "I'm a teapot")
  })
  gw = await startGateway(
    gatewayConfig([
      api('abc', [
        route('ANY /{proxy+}', integration({ uri: `${backend.origin}/{proxy}` })),
        route('GET /only-get', integration({ uri: `${backend.origin}/only-get` })),
      ]),
    ]),
  )
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

t.test('request: hop-by-hop removed, forwarding headers set', async (t) => {
  const raw = await rawRequest(
    gw.port,
    [
      'GET /prod/a/b?x=1 HTTP/1.1',
      'Host: abc.execute-api.localhost',
      'Connection: close, X-Hop',
      'X-Hop: drop-me',
      'Keep-Alive: timeout=5',
      'Proxy-Authorization: Basic Zm9v',
      'TE: trailers',
      'X-Forwarded-For: 203.0.113.7',
      'X-Forwarded-Proto: https',
      'X-Keep: yes',
      '',
      '',
    ].join('\r\n'),
  )
  t.equal(statusOf(raw), 418)
  const seen = backend.seen.at(-1)!
  t.equal(seen.url, '/a/b?x=1')
  t.equal(seen.headers['x-hop'], undefined, 'a header named by Connection is dropped')
  t.equal(seen.headers['proxy-authorization'], undefined)
  t.equal(seen.headers.te, undefined)
  t.not(seen.headers['keep-alive'], 'timeout=5')
  t.equal(seen.headers['x-keep'], 'yes', 'end-to-end headers pass')
  t.equal(seen.headers.host, `127.0.0.1:${backend.port}`, 'Host is the backend')
  t.equal(seen.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1', 'the client address is appended')
  t.equal(seen.headers['x-forwarded-proto'], 'http')
  t.equal(seen.headers['x-forwarded-port'], String(gw.port))
  t.match(seen.headers['x-amzn-trace-id'], /^Root=1-/)
  t.equal(seen.headers['x-amzn-apigateway-api-id'], 'abc')
})

t.test('response: status and end-to-end headers as-is, hop-by-hop removed', async (t) => {
  const res = await gw.fetch('abc', '/prod/teapot')
  t.equal(res.status, 418)
  t.equal(res.text, "I'm a teapot")
  t.equal(res.headers['x-public'], 'kept')
  t.same(res.headers['set-cookie'], ['a=1', 'b=2'], 'multi-valued headers survive')
  t.equal(res.headers['x-secret'], undefined, 'a header named by Connection is dropped')
  t.equal(res.headers['proxy-foo'], undefined)
  t.not(res.headers['keep-alive'], 'timeout=99')
  t.match(res.headers['x-amzn-requestid'], /^[0-9a-f-]{36}$/)
  t.equal(res.headers['x-amzn-trace-id'], undefined, 'proxy responses carry no X-Amzn-Trace-Id')
})

t.test('HEAD: served by an ANY route, not by a GET route', async (t) => {
  const head = await gw.fetch('abc', '/prod/teapot', { method: 'HEAD' })
  t.equal(head.status, 418)
  t.equal(backend.seen.at(-1)!.method, 'HEAD')
  const raw = await rawRequest(gw.port, 'HEAD /prod/only-get HTTP/1.1\r\nHost: abc.execute-api.localhost\r\nConnection: close\r\n\r\n')
  // /only-get has GET only, so HEAD falls through to ANY /{proxy+}.
  t.equal(statusOf(raw), 418)
  t.equal(bodyOf(raw), '', 'no body on HEAD')
})

t.test('keep-alive: many requests share a client connection', async (t) => {
  for (let i = 0; i < 20; i++) t.equal((await gw.fetch('abc', `/prod/n/${i}`)).status, 418)
  const seen = backend.seen.slice(-20).map((s) => s.url)
  t.same(seen, Array.from({ length: 20 }, (_, i) => `/n/${i}`))
})
