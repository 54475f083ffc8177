// The response cache through HTTP on a real gateway and real upstreams, with a MemoryCacheStore
// on an injected clock: hits and misses (and their counters), key parameters, TTL expiry,
// per-method settings, the 1 MB limit, invalidation with Cache-Control: max-age=0 and the three
// strategies, flush spaces, coalesced misses (backend calls counted).
import t from 'tap'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RouteCacheConfig, StageCacheConfig } from '../../proxy/config/schema.js'
import { MemoryCacheStore } from '../../proxy/stores/memory-cache.js'
import { api, gatewayConfig, integration, integrationResponse, route, stage, startGateway, startUpstream, type Running, type Upstream } from '../proxy/helpers.js'

let now = Date.UTC(2031, 0, 1)
const store = new MemoryCacheStore({ now: () => now })
let delayMs = 0
let version = 1
let backend: Upstream
let gw: Running

const cached = (partial: Partial<RouteCacheConfig> = {}): RouteCacheConfig => ({
  ttlSeconds: 300,
  requireAuthorizationForCacheControl: false,
  unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
  ...partial,
})

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url!, 'http://x')
  const send = () => {
    if (url.pathname === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('x'.repeat(1024 * 1024 + 1))
      return
    }
    if (url.pathname === '/cookie') res.setHeader('set-cookie', 'session=abc')
    res.writeHead(200, { 'content-type': 'application/json', 'x-version': String(version) })
    res.end(JSON.stringify({ path: url.pathname, query: url.search, version, call: backend.seen.length }))
  }
  if (delayMs > 0) setTimeout(send, delayMs)
  else send()
}

const calls = (path: string) => backend.seen.filter((s) => new URL(s.url, 'http://x').pathname === path).length

t.before(async () => {
  backend = await startUpstream(answer)
  const http = (path: string, extra: Parameters<typeof integration>[0] = {}) =>
    integration({ type: 'HTTP', httpMethod: 'GET', uri: `${backend.origin}${path}`, responses: [integrationResponse()], ...extra })
  const mock = integration({
    type: 'MOCK',
    httpMethod: '',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: [integrationResponse({ responseTemplates: { 'application/json': '{"request":"$context.requestId"}' } })],
  })
  const routes = [
    route('GET /mock', mock),
    route('GET /pets', http('/pets', { cacheKeyParameters: ['method.request.querystring.page', 'method.request.header.x-tenant'], requestParameters: { 'integration.request.querystring.page': 'method.request.querystring.page' } })),
    route('GET /pets/{id}', http('/pets/{id}', { cacheKeyParameters: ['method.request.path.id'] })),
    route('GET /uncached', http('/uncached')),
    route('POST /search', http('/search', { httpMethod: 'POST' })),
    route('POST /orders', http('/orders', { httpMethod: 'POST' })),
    route('GET /big', http('/big')),
    route('GET /cookie', http('/cookie', { responses: [integrationResponse({ responseParameters: { 'method.response.header.Set-Cookie': 'integration.response.header.Set-Cookie' } })] })),
    route('GET /slow', http('/slow')),
    route('GET /strict', http('/strict')),
    route('GET /ignored', http('/ignored')),
    route('GET /silent', http('/silent')),
    route('GET /proxied/{id}', integration({ type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${backend.origin}/proxied/{id}` })),
    route('GET /streamed/{id}', integration({ type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${backend.origin}/streamed/{id}` })),
  ]
  const cache = (flushToken?: string): StageCacheConfig => ({
    capacityBytes: 64 * 1024 * 1024,
    ...(flushToken !== undefined ? { flushToken } : {}),
    routes: {
      'GET /mock': cached(),
      'GET /pets': cached({ ttlSeconds: 60 }),
      'GET /pets/{id}': cached(),
      'POST /search': cached(),
      'GET /big': cached(),
      'GET /cookie': cached(),
      'GET /slow': cached(),
      'GET /strict': cached({ requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403' }),
      'GET /ignored': cached({ requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER' }),
      'GET /silent': cached({ requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER' }),
      'GET /proxied/{id}': cached(),
    },
  })
  const config = gatewayConfig([
    api('shop', routes, {
      stages: [
        // Detailed metrics: the counters below are per route.
        { ...stage('prod'), cache: cache(), metrics: { detailedRoutes: routes.map((r) => r.key) } },
        { ...stage('beta'), cache: cache('flush-1') },
        stage('plain'),
      ],
    }),
  ])
  gw = await startGateway(config, { cacheStore: store })
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

t.test('MOCK: the second request is served from the cache, with its own request id', async (t) => {
  const first = await gw.fetch('shop', '/prod/mock')
  const second = await gw.fetch('shop', '/prod/mock')
  t.equal(first.status, 200)
  t.equal(second.text, first.text, 'the cached body (the first request id inside)')
  t.equal((first.json() as { request: string }).request, first.headers['x-amzn-requestid'])
  t.not(second.headers['x-amzn-requestid'], first.headers['x-amzn-requestid'], 'fresh ids on a hit')
  t.equal(second.headers['content-type'], 'application/json')
  const row = gw.gateway.cache.counters.rows().find((r) => r.labels === 'api="shop",stage="prod",method="GET",resource="/mock"')
  t.same(row && { hits: row.hits, misses: row.misses }, { hits: 1, misses: 1 }, 'CacheHitCount 1, CacheMissCount 1')
})

t.test('HTTP: one backend call per key; key parameters split entries, other parameters do not', async (t) => {
  const a = await gw.fetch('shop', '/prod/pets?page=1')
  const b = await gw.fetch('shop', '/prod/pets?page=1&other=zzz')
  t.equal(b.text, a.text)
  t.equal(calls('/pets'), 1)
  const c = await gw.fetch('shop', '/prod/pets?page=2')
  t.not(c.text, a.text)
  await gw.fetch('shop', '/prod/pets?page=1', { headers: { 'x-tenant': 'acme' } })
  await gw.fetch('shop', '/prod/pets?page=1', { headers: { 'X-Tenant': 'acme' } })
  t.equal(calls('/pets'), 3, 'page 2 and tenant acme are their own entries (header names are case-insensitive)')
  await gw.fetch('shop', '/prod/pets')
  await gw.fetch('shop', '/prod/pets?page=')
  t.equal(calls('/pets'), 5, 'an absent parameter and an empty one are different keys')
  const one = await gw.fetch('shop', '/prod/pets/1')
  const two = await gw.fetch('shop', '/prod/pets/2')
  t.not(one.text, two.text, 'path parameters in the key')
})

t.test('TTL: an entry expires on the store clock', async (t) => {
  const before = calls('/pets')
  await gw.fetch('shop', '/prod/pets?page=ttl')
  now += 59_000
  await gw.fetch('shop', '/prod/pets?page=ttl')
  t.equal(calls('/pets'), before + 1, 'still cached after 59 s (TTL 60)')
  now += 1_000
  await gw.fetch('shop', '/prod/pets?page=ttl')
  t.equal(calls('/pets'), before + 2, 'fetched again at 60 s')
})

t.test('methods: a POST is cached only when its method setting says so; uncached routes always call', async (t) => {
  await gw.fetch('shop', '/prod/search', { method: 'POST' })
  await gw.fetch('shop', '/prod/search', { method: 'POST' })
  t.equal(calls('/search'), 1, 'POST /search is cached (enabled explicitly)')
  await gw.fetch('shop', '/prod/orders', { method: 'POST' })
  await gw.fetch('shop', '/prod/orders', { method: 'POST' })
  t.equal(calls('/orders'), 2)
  await gw.fetch('shop', '/prod/uncached')
  await gw.fetch('shop', '/prod/uncached')
  t.equal(calls('/uncached'), 2)
  await gw.fetch('shop', '/plain/pets/1')
  await gw.fetch('shop', '/plain/pets/1')
  t.equal(calls('/pets/1'), 3, 'a stage without a cache calls every time (1 from prod + 2)')
})

t.test('responses over 1 MB and responses setting cookies are not cached', async (t) => {
  const big = await gw.fetch('shop', '/prod/big')
  t.equal(big.text.length, 1024 * 1024 + 1, 'served whole')
  await gw.fetch('shop', '/prod/big')
  t.equal(calls('/big'), 2)
  const cookie = await gw.fetch('shop', '/prod/cookie')
  t.equal(cookie.headers['set-cookie'], 'session=abc', 'the method response sets a cookie')
  await gw.fetch('shop', '/prod/cookie')
  t.equal(calls('/cookie'), 2)
})

t.test('stages and flush tokens are separate key spaces', async (t) => {
  const prod = await gw.fetch('shop', '/prod/pets/7')
  version++
  const beta = await gw.fetch('shop', '/beta/pets/7')
  t.not(beta.text, prod.text, 'beta has its own entry')
  t.equal(calls('/pets/7'), 2)
})

t.test('Cache-Control: max-age=0 without required authorization refreshes the entry', async (t) => {
  const first = await gw.fetch('shop', '/prod/pets/9')
  version++
  const fresh = await gw.fetch('shop', '/prod/pets/9', { headers: { 'cache-control': 'max-age=0' } })
  t.not(fresh.text, first.text, 'the backend answered')
  const after = await gw.fetch('shop', '/prod/pets/9')
  t.equal(after.text, fresh.text, 'and its response replaced the entry')
  t.equal(calls('/pets/9'), 2)
  await gw.fetch('shop', '/prod/pets/9', { headers: { 'cache-control': 'no-cache, max-age=60' } })
  t.equal(calls('/pets/9'), 2, 'other directives do not invalidate')
})

t.test('unauthorized invalidation: FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER', async (t) => {
  const strict = await gw.fetch('shop', '/prod/strict')
  const denied = await gw.fetch('shop', '/prod/strict', { headers: { 'cache-control': 'max-age=0' } })
  t.equal(denied.status, 403)
  t.same(denied.json(), { message: 'User is not authorized to access this resource' })
  t.equal(denied.headers['x-amzn-errortype'], 'AccessDeniedException')
  t.equal((await gw.fetch('shop', '/prod/strict')).text, strict.text, 'the entry is untouched')
  t.equal(calls('/strict'), 1)

  const ignored = await gw.fetch('shop', '/prod/ignored')
  version++
  const warned = await gw.fetch('shop', '/prod/ignored', { headers: { 'cache-control': 'max-age=0' } })
  t.equal(warned.status, 200)
  t.equal(warned.text, ignored.text, 'served from the cache: the header was ignored')
  t.match(warned.headers.warning, /^199 /, 'with a warning header')
  t.equal(calls('/ignored'), 1)

  const silent = await gw.fetch('shop', '/prod/silent')
  const quiet = await gw.fetch('shop', '/prod/silent', { headers: { 'cache-control': 'max-age=0' } })
  t.equal(quiet.text, silent.text)
  t.equal(quiet.headers.warning, undefined, 'no warning header')
  t.equal(calls('/silent'), 1)
})

t.test('concurrent misses for one key make one backend call', async (t) => {
  delayMs = 150
  try {
    const replies = await Promise.all(Array.from({ length: 20 }, () => gw.fetch('shop', '/prod/slow')))
    t.equal(calls('/slow'), 1, 'one call for 20 requests')
    t.equal(new Set(replies.map((r) => r.text)).size, 1)
    t.ok(replies.every((r) => r.status === 200))
    const ids = new Set(replies.map((r) => r.headers['x-amzn-requestid']))
    t.equal(ids.size, 20, 'each with its own request id')
  } finally {
    delayMs = 0
  }
  const row = gw.gateway.cache.counters.rows().find((r) => r.labels === 'api="shop",stage="prod",method="GET",resource="/slow"')!
  t.same({ hits: row.hits, misses: row.misses }, { hits: 19, misses: 1 })
  t.match(gw.gateway.cache.counters.prometheus(), /tollgate_cache_hits_total\{api="shop",stage="prod",method="GET",resource="\/slow"\} 19/)
})

t.test('HTTP_PROXY: a cached route serves the backend response (end-to-end headers) from the cache', async (t) => {
  const first = await gw.fetch('shop', '/prod/proxied/1?x=1')
  const second = await gw.fetch('shop', '/prod/proxied/1?x=1')
  t.equal(first.status, 200)
  t.equal(second.text, first.text)
  t.equal(second.headers['x-version'], first.headers['x-version'], 'backend headers are part of the entry')
  t.equal(second.headers['content-type'], 'application/json')
  t.ok(second.headers['x-amzn-requestid'] && second.headers['x-amzn-requestid'] !== first.headers['x-amzn-requestid'])
  t.equal(calls('/proxied/1'), 1)
  await gw.fetch('shop', '/prod/streamed/1')
  await gw.fetch('shop', '/prod/streamed/1')
  t.equal(calls('/streamed/1'), 2, 'an uncached HTTP_PROXY route calls every time')
})
