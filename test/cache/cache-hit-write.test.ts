// What a hit writes, byte for byte: the same status line, headers (names, order, values) and
// body as the miss that stored it, but for this request's ids. Hits are written from a prepared
// header list (proxy/cache/prepared.ts) or, with CORS headers, the invalidation warning or an
// unread request body, by writeMethodResponse; both must write what the miss wrote. Raw
// sockets, so nothing is normalized on the way.
import t, { type Test } from 'tap'
import { connect } from 'node:net'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RouteCacheConfig, StageCacheConfig } from '../../proxy/config/schema.js'
import { MemoryCacheStore } from '../../proxy/stores/memory-cache.js'
import { api, DOMAIN, gatewayConfig, integration, integrationResponse, route, stage, startGateway, startUpstream, type Running, type Upstream } from '../proxy/helpers.js'

const APP = 'https://app.example.com'
// Bytes that are not UTF-8 text, and a multi-byte character: the body must come back as sent.
const SMALL = Buffer.concat([Buffer.from('{"name":"é",'), Buffer.from([0x00, 0xff, 0xfe, 0x80]), Buffer.from('}')])
const LARGE = Buffer.alloc(40 * 1024, 0xe9)

let backend: Upstream
let gw: Running

function answer(req: IncomingMessage, res: ServerResponse): void {
  const large = req.url!.includes('large')
  res.setHeader('content-type', 'application/octet-stream')
  res.setHeader('date', 'Tue, 01 Jan 2030 00:00:00 GMT')
  res.setHeader('x-amzn-requestid', 'from-the-backend')
  res.setHeader('x-multi', ['a', 'b'])
  res.setHeader('X-Mixed-Case', 'kept')
  res.setHeader('vary', 'accept-encoding')
  res.end(large ? LARGE : SMALL)
}

const cached = (): RouteCacheConfig => ({ ttlSeconds: 300, requireAuthorizationForCacheControl: false, unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER' })

t.before(async () => {
  backend = await startUpstream(answer)
  const proxied = (path: string) => integration({ type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${backend.origin}${path}` })
  const mapped = integration({
    type: 'HTTP',
    httpMethod: 'GET',
    uri: `${backend.origin}/mapped`,
    responses: [integrationResponse({ responseParameters: { 'method.response.header.Content-Type': "'text/plain'", 'method.response.header.X-Amzn-RequestId': "'mapped'" } })],
  })
  const routes = [route('GET /small/{id}', proxied('/small/{id}')), route('GET /large', proxied('/large')), route('GET /mapped', mapped)]
  const cache: StageCacheConfig = { capacityBytes: 8 * 1024 * 1024, routes: { 'GET /small/{id}': cached(), 'GET /large': cached(), 'GET /mapped': cached() } }
  const cors = { allowOrigins: [APP], allowMethods: ['*'], allowHeaders: [], exposeHeaders: ['x-multi'], maxAge: null, allowCredentials: false }
  const config = gatewayConfig([
    api('shop', routes, { stages: [{ ...stage('prod'), cache }] }),
    api('corsy', routes, { stages: [{ ...stage('prod'), cache }], cors }),
  ])
  gw = await startGateway(config, { cacheStore: new MemoryCacheStore() })
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

interface Raw {
  readonly statusLine: string
  readonly headers: [string, string][]
  readonly body: Buffer
}

/** One GET on a fresh connection; the raw response (head split into lines, body as bytes). */
function get(apiId: string, path: string, extra: Record<string, string> = {}): Promise<Raw> {
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${apiId}.execute-api.${DOMAIN}:${gw.port}`, ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`), 'Connection: close']
  return new Promise((resolve, reject) => {
    const socket = connect(gw.port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`))
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const all = Buffer.concat(chunks)
      const end = all.indexOf('\r\n\r\n')
      const [statusLine, ...rest] = all.subarray(0, end).toString('latin1').split('\r\n')
      const headers = rest.map((line): [string, string] => {
        const colon = line.indexOf(':')
        return [line.slice(0, colon), line.slice(colon + 1).trim()]
      })
      resolve({ statusLine: statusLine!, headers, body: all.subarray(end + 4) })
    })
  })
}

const IDS = new Set(['x-amzn-requestid', 'x-amz-apigw-id'])
/** The head without this request's ids (and node's Date, which only the MOCK-free routes here carry from the backend). */
const withoutIds = (r: Raw) => r.headers.map(([name, value]) => [name, IDS.has(name.toLowerCase()) ? '(id)' : value])
const value = (r: Raw, name: string) => r.headers.find(([n]) => n.toLowerCase() === name)?.[1]

async function hitAfterMiss(t: Test, apiId: string, path: string, extra: Record<string, string> = {}): Promise<{ miss: Raw; hit: Raw }> {
  const before = backend.seen.length
  const miss = await get(apiId, path, extra)
  const hit = await get(apiId, path, extra)
  t.equal(backend.seen.length, before + 1, 'the second request is a hit')
  t.equal(hit.statusLine, miss.statusLine)
  t.same(withoutIds(hit), withoutIds(miss), 'the same header lines, in the same order')
  t.ok(hit.body.equals(miss.body), 'the same body bytes')
  t.not(value(hit, 'x-amzn-requestid'), value(miss, 'x-amzn-requestid'), 'its own request id')
  t.not(value(hit, 'x-amz-apigw-id'), value(miss, 'x-amz-apigw-id'), 'its own extended id')
  t.match(value(hit, 'x-amz-apigw-id'), /^[A-Za-z0-9+/]{15}=$/)
  return { miss, hit }
}

t.test('HTTP_PROXY, small binary body: the hit writes what the miss wrote', async (t) => {
  const { hit } = await hitAfterMiss(t, 'shop', '/prod/small/1')
  t.ok(hit.body.equals(SMALL))
  t.equal(value(hit, 'content-length'), String(SMALL.length))
  t.same(
    hit.headers.filter(([n]) => n === 'x-multi').map(([, v]) => v),
    ['a', 'b'],
    'a repeated header stays repeated',
  )
  t.match(value(hit, 'x-amzn-requestid'), /^[0-9a-f-]{36}$/, "the gateway's request id replaces the backend's")
  t.equal(hit.headers.filter(([n]) => n.toLowerCase() === 'x-amzn-requestid').length, 1)
})

t.test('HTTP_PROXY, a body over the text limit: written from the buffer, the same bytes', async (t) => {
  const { hit } = await hitAfterMiss(t, 'shop', '/prod/large')
  t.ok(hit.body.equals(LARGE))
})

t.test('HTTP integration with mapped headers (mixed-case names)', async (t) => {
  const { hit } = await hitAfterMiss(t, 'shop', '/prod/mapped')
  t.equal(value(hit, 'content-type'), 'text/plain')
  t.equal(hit.headers.filter(([n]) => n.toLowerCase() === 'x-amzn-requestid').length, 1, 'one request id header')
})

t.test('with CORS headers (writeMethodResponse): the same as the miss, Allow-Origin and Vary included', async (t) => {
  const { hit } = await hitAfterMiss(t, 'corsy', '/prod/small/2', { Origin: APP })
  t.equal(value(hit, 'access-control-allow-origin'), APP)
  t.equal(value(hit, 'access-control-expose-headers'), 'x-multi')
  t.match(value(hit, 'vary'), /Origin/)
})

t.test('many hits on one entry each carry their own ids', async (t) => {
  await get('shop', '/prod/small/3')
  const hits = await Promise.all(Array.from({ length: 20 }, () => get('shop', '/prod/small/3')))
  t.equal(new Set(hits.map((h) => value(h, 'x-amzn-requestid'))).size, 20)
  t.equal(new Set(hits.map((h) => value(h, 'x-amz-apigw-id'))).size, 20)
  t.ok(hits.every((h) => h.body.equals(SMALL)))
  // The stage has no detailed metrics: its routes count in the stage's series.
  const row = gw.gateway.cache.counters.rows().find((r) => r.labels.startsWith('api="shop",stage="prod",'))
  t.ok(row !== undefined && row.hits >= 21, 'counted as hits')
})
