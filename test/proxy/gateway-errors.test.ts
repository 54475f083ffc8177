// Exact AWS error responses: unknown host, stage and route, 413 (Content-Length and chunked),
// integration timeout, connection refused, DNS failure, undefined stage variable.
import t, { type Test } from 'tap'
import { createServer } from 'node:net'
import { Readable } from 'node:stream'
import { api, echoUpstream, gatewayConfig, integration, rawRequest, route, stage, startGateway, startUpstream, statusOf, type Upstream } from './helpers.js'

let backend: Upstream
t.before(async () => {
  backend = await echoUpstream()
})
t.teardown(() => backend.close())

function restAssertError(t: Test, res: { status: number; headers: Record<string, unknown>; json(): unknown }, status: number, message: string | null, errorType: string | null) {
  t.equal(res.status, status)
  t.same(res.json(), { message })
  t.equal(res.headers['content-type'], 'application/json')
  t.match(res.headers['x-amzn-requestid'], /^[0-9a-f-]{36}$/)
  t.match(res.headers['x-amz-apigw-id'], /^[A-Za-z0-9+/]{15}=$/)
  t.equal(res.headers['x-amzn-errortype'], errorType ?? undefined)
}

function basic(origin: string) {
  return gatewayConfig([api('abc', [route('GET /pets', integration({ uri: `${origin}/pets` }))])])
}

t.test('unknown route on a REST API: 403 Missing Authentication Token', async (t) => {
  const gw = await startGateway(basic(backend.origin))
  t.teardown(() => gw.close())
  restAssertError(t, await gw.fetch('abc', '/prod/nope'), 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException')
  restAssertError(t, await gw.fetch('abc', '/prod/pets', { method: 'DELETE' }), 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException')
})

t.test('unknown API host, unknown stage, no stage: 403 Forbidden', async (t) => {
  const gw = await startGateway(basic(backend.origin))
  t.teardown(() => gw.close())
  restAssertError(t, await gw.fetch('zzz', '/prod/pets'), 403, 'Forbidden', 'ForbiddenException')
  restAssertError(t, await gw.fetch('abc', '/dev/pets'), 403, 'Forbidden', 'ForbiddenException')
  restAssertError(t, await gw.fetch('abc', '/'), 403, 'Forbidden', 'ForbiddenException')
  restAssertError(t, await gw.fetch('abc', '/Prod/pets'), 403, 'Forbidden', 'ForbiddenException')
  const other = await gw.fetch('abc', '/prod/pets', { headers: { host: 'abc.example.com' } })
  t.equal(other.status, 403, 'a host outside the execute-api domain')
  const upper = await gw.fetch('ABC', '/prod/pets')
  t.equal(upper.status, 200, 'the host is case-insensitive')
})

t.test('disableExecuteApiEndpoint: the API is not served by host', async (t) => {
  const config = gatewayConfig([api('abc', [route('GET /pets', integration({ uri: `${backend.origin}/pets` }))], { disableExecuteApiEndpoint: true })])
  const gw = await startGateway(config)
  t.teardown(() => gw.close())
  restAssertError(t, await gw.fetch('abc', '/prod/pets'), 403, 'Forbidden', 'ForbiddenException')
})

t.test('body over maxBodyBytes: 413 by Content-Length, before reading it', async (t) => {
  const gw = await startGateway(basic(backend.origin), { limits: { maxBodyBytes: 1000 } })
  t.teardown(() => gw.close())
  const before = backend.seen.length
  const raw = await rawRequest(gw.port, `POST /prod/pets HTTP/1.1\r\nHost: abc.execute-api.localhost\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(100)}`)
  t.equal(statusOf(raw), 413)
  t.match(raw, /x-amzn-RequestId: [0-9a-f-]{36}/)
  t.match(raw, /connection: close/i)
  t.match(raw, /\{"message":"HTTP content length exceeded 1000 bytes."\}$/)
  t.equal(backend.seen.length, before)
})

t.test('chunked body over maxBodyBytes: 413 while streaming', async (t) => {
  const config = gatewayConfig([api('abc', [route('POST /upload', integration({ uri: `${backend.origin}/upload` }))])])
  const gw = await startGateway(config, { limits: { maxBodyBytes: 1000 } })
  t.teardown(() => gw.close())
  const chunks = Array.from({ length: 20 }, () => 'y'.repeat(100))
  const res = await gw.fetch('abc', '/prod/upload', { method: 'POST', body: Readable.from(chunks) }).catch((err: Error) => err)
  t.comment(res instanceof Error ? 'client saw the connection close' : 'client saw the 413')
  if (res instanceof Error) {
    // The gateway may close the socket while the client is still sending: acceptable, but the
    // backend must never have seen a complete over-limit body.
    t.notOk(backend.seen.some((s) => s.url === '/upload' && s.body.length > 1000))
    return
  }
  restAssertError(t, res, 413, 'HTTP content length exceeded 1000 bytes.', null)
  t.notOk(backend.seen.some((s) => s.url === '/upload' && s.body.length > 1000), 'the backend never got the whole body')
})

t.test('integration timeout: 504 Endpoint request timed out', async (t) => {
  const silent = await startUpstream(() => {
    /* never answers */
  })
  t.teardown(() => silent.close())
  const config = gatewayConfig([api('abc', [route('GET /slow', integration({ uri: `${silent.origin}/slow`, timeoutMs: 100 }))])])
  const gw = await startGateway(config)
  t.teardown(() => gw.close())
  const started = Date.now()
  restAssertError(t, await gw.fetch('abc', '/prod/slow'), 504, 'Endpoint request timed out', 'InternalServerErrorException')
  t.ok(Date.now() - started < 2000, 'answered at the integration timeout')
})

t.test('connection refused: 504 Network error communicating with endpoint', async (t) => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()))
  const port = (closed.address() as { port: number }).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const config = gatewayConfig([api('abc', [route('GET /down', integration({ uri: `http://127.0.0.1:${port}/down` }))])])
  const gw = await startGateway(config)
  t.teardown(() => gw.close())
  restAssertError(t, await gw.fetch('abc', '/prod/down'), 504, 'Network error communicating with endpoint', 'InternalServerErrorException')
})

t.test('DNS failure: 500 Internal server error (invalid endpoint address)', async (t) => {
  const config = gatewayConfig([api('abc', [route('GET /dns', integration({ uri: 'http://no-such-host.invalid/x' }))])])
  const gw = await startGateway(config)
  t.teardown(() => gw.close())
  restAssertError(t, await gw.fetch('abc', '/prod/dns'), 500, 'Internal server error', 'InternalServerErrorException')
})

t.test('undefined stage variable: that route answers 500, the others serve', async (t) => {
  const config = gatewayConfig([
    api(
      'abc',
      [
        route('GET /a', integration({ uri: 'http://${stageVariables.missing}/a' })),
        route('GET /b', integration({ uri: `${backend.origin}/b` })),
      ],
      { stages: [stage('prod', {})] },
    ),
  ])
  const gw = await startGateway(config)
  t.teardown(() => gw.close())
  restAssertError(t, await gw.fetch('abc', '/prod/a'), 500, 'Internal server error', 'InternalServerErrorException')
  t.equal((await gw.fetch('abc', '/prod/b')).status, 200)
  t.match(gw.logs.join('\n'), /stage variable missing/)
})

t.test('no config applied yet: 403 Forbidden', async (t) => {
  const gw = await startGateway(null)
  t.teardown(() => gw.close())
  restAssertError(t, await gw.fetch('abc', '/prod/pets'), 403, 'Forbidden', 'ForbiddenException')
})

t.test('a request without Host is refused by the HTTP parser', async (t) => {
  const gw = await startGateway(basic(backend.origin))
  t.teardown(() => gw.close())
  const raw = await rawRequest(gw.port, 'GET /prod/pets HTTP/1.1\r\n\r\n')
  t.equal(statusOf(raw), 400)
})

t.test('headers over maxHeaderBytes: 431', async (t) => {
  const gw = await startGateway(basic(backend.origin), { limits: { maxHeaderBytes: 2048 } })
  t.teardown(() => gw.close())
  const raw = await rawRequest(gw.port, `GET /prod/pets HTTP/1.1\r\nHost: abc.execute-api.localhost\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`)
  t.equal(statusOf(raw), 431)
})
