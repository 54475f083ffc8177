// HTTP_PROXY responses are written as they arrive (proxy-call.ts): the head before the body is
// complete, large bodies with backpressure, the integration timeout only until the head (and
// from dispatch, so time spent waiting for a pool connection counts), failures before and after
// the head, a client that leaves, and the headers the gateway owns.
import t from 'tap'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { api, DOMAIN, gatewayConfig, integration, rawRequest, route, startGateway, startUpstream, statusOf, type Running } from './helpers.js'

const CHUNK = Buffer.alloc(64 * 1024, 'x')
const BIG_CHUNKS = 256 // 16 MiB

function bigHash(): string {
  const hash = createHash('sha256')
  for (let i = 0; i < BIG_CHUNKS; i++) {
    CHUNK[0] = i & 255
    hash.update(CHUNK)
  }
  return hash.digest('hex')
}

async function writeBig(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': CHUNK.length * BIG_CHUNKS })
  for (let i = 0; i < BIG_CHUNKS; i++) {
    CHUNK[0] = i & 255
    if (!res.write(Buffer.from(CHUNK))) await once(res, 'drain')
  }
  res.end()
}

let release: () => void = () => {}
const seenClose: string[] = []
let backend: Awaited<ReturnType<typeof startUpstream>>
let gw: Running

t.before(async () => {
  backend = await startUpstream((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) seenClose.push(req.url!)
    })
    switch (req.url) {
      case '/big':
        void writeBig(res)
        return
      case '/two-parts':
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('first;')
        new Promise<void>((resolve) => (release = resolve)).then(() => res.end('second'))
        return
      case '/slow-body':
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.flushHeaders()
        setTimeout(() => res.end('late but fine'), 300)
        return
      case '/dies':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' })
        res.write('0123456789')
        setTimeout(() => res.destroy(), 20)
        return
      case '/endless':
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('tick')
        return
      case '/ids':
        res.writeHead(200, { 'x-amzn-RequestId': 'from-backend', 'x-amz-apigw-id': 'from-backend', 'apigw-requestid': 'from-backend' })
        res.end('ok')
        return
      default:
        res.end(req.url)
    }
  })
  gw = await startGateway(gatewayConfig([api('abc', [route('ANY /{proxy+}', integration({ uri: `${backend.origin}/{proxy}`, timeoutMs: 200 }))])]))
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

function get(path: string) {
  return request(`http://127.0.0.1:${gw.port}${path}`, { headers: { host: `abc.execute-api.${DOMAIN}:${gw.port}` }, dispatcher: gw.agent })
}

t.test('the head and the first chunk arrive before the backend finished', async (t) => {
  const res = await get('/prod/two-parts')
  t.equal(res.statusCode, 200)
  t.match(res.headers['x-amzn-requestid'], /^[0-9a-f-]{36}$/)
  const it = res.body[Symbol.asyncIterator]()
  const first = await it.next()
  t.equal(String(first.value), 'first;', 'streamed, not buffered')
  release()
  let rest = ''
  for (let r = await it.next(); !r.done; r = await it.next()) rest += String(r.value)
  t.equal(rest, 'second')
})

t.test('a large body reaches a slow client intact (backpressure)', async (t) => {
  const res = await get('/prod/big')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-length'], String(CHUNK.length * BIG_CHUNKS))
  const hash = createHash('sha256')
  let n = 0
  for await (const chunk of res.body) {
    if (n++ < 5) await sleep(20) // let the buffers fill up
    hash.update(chunk as Buffer)
  }
  t.equal(hash.digest('hex'), bigHash())
})

t.test('the integration timeout ends when the head arrives', async (t) => {
  const res = await get('/prod/slow-body')
  t.equal(res.statusCode, 200)
  t.equal(await res.body.text(), 'late but fine', 'the body took longer than timeoutMs')
})

t.test('the backend dying mid-body cuts the client connection; the gateway keeps serving', async (t) => {
  const res = await get('/prod/dies')
  t.equal(res.statusCode, 200, 'the head was already sent')
  await t.rejects(res.body.text(), 'the client sees a truncated response')
  const next = await gw.fetch('abc', '/prod/after')
  t.equal(next.status, 200)
  t.equal(next.text, '/after')
})

t.test('a client that leaves mid-response aborts the upstream request', async (t) => {
  const res = await get('/prod/endless')
  const it = res.body[Symbol.asyncIterator]()
  t.equal(String((await it.next()).value), 'tick')
  res.body.destroy()
  for (let i = 0; i < 100 && !seenClose.includes('/endless'); i++) await sleep(10)
  t.ok(seenClose.includes('/endless'), 'the backend saw its request aborted')
  t.equal((await gw.fetch('abc', '/prod/still-up')).text, '/still-up')
})

t.test('the ids the gateway owns replace the backend\'s', async (t) => {
  const raw = await rawRequest(gw.port, `GET /prod/ids HTTP/1.1\r\nHost: abc.execute-api.${DOMAIN}\r\nConnection: close\r\n\r\n`)
  t.equal(statusOf(raw), 200)
  t.equal(raw.match(/^x-amzn-requestid:/gim)?.length, 1, 'one x-amzn-RequestId')
  t.match(raw, /^x-amzn-RequestId: [0-9a-f-]{36}\r$/m)
  t.equal(raw.match(/^x-amz-apigw-id:/gim)?.length, 1, 'one x-amz-apigw-id')
  t.match(raw, /^x-amz-apigw-id: [A-Za-z0-9+/]{15}=\r$/m)
  t.match(raw, /^apigw-requestid: from-backend\r$/m, 'a REST API passes the HTTP API header through')
})

t.test('an unread chunked body on a GET closes the connection after the response', async (t) => {
  const raw = await rawRequest(gw.port, `GET /prod/chunked HTTP/1.1\r\nHost: abc.execute-api.${DOMAIN}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`)
  t.equal(statusOf(raw), 200)
  t.match(raw, /^connection: close\r$/im)
})

t.test('a client X-Amzn-Trace-Id is forwarded as-is', async (t) => {
  await gw.fetch('abc', '/prod/traced', { headers: { 'x-amzn-trace-id': 'Root=1-00000000-abcdefabcdefabcdefabcdef' } })
  t.equal(backend.seen.at(-1)!.headers['x-amzn-trace-id'], 'Root=1-00000000-abcdefabcdefabcdefabcdef')
})

t.test('the integration timeout counts the wait for a pool connection', async (t) => {
  const hang = await startUpstream(() => {
    /* never answers */
  })
  t.teardown(() => hang.close())
  const one = await startGateway(gatewayConfig([api('abc', [route('GET /hang', integration({ uri: `${hang.origin}/hang`, timeoutMs: 500 }))])]), {
    upstreamConnections: 1,
  })
  t.teardown(() => one.close())
  const first = one.fetch('abc', '/prod/hang')
  await sleep(250)
  const sent = Date.now()
  const second = await one.fetch('abc', '/prod/hang')
  const waited = Date.now() - sent
  t.equal(second.status, 504)
  t.equal((await first).status, 504)
  // Queued behind the first call until ~250 ms after it was sent, then on the wire: a timer that
  // started on the wire would answer at ~750 ms.
  t.ok(waited >= 450 && waited < 700, `answered at its own deadline (${waited} ms after it was sent)`)
})
