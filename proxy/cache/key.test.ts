// Cache keys: every component splits entries, and no two different inputs meet in one key by
// way of a separator.
import t from 'tap'
import type { RequestContext } from '../context.js'
import type { RouteConfig } from '../config/schema.js'
import { cacheKeyBuilder } from './key.js'

const route = {
  key: 'GET /pets/{id}',
  method: 'GET',
  path: '/pets/{id}',
  integration: { cacheKeyParameters: ['method.request.path.id', 'method.request.querystring.a', 'method.request.querystring.b', 'method.request.header.x-tenant'] },
} as unknown as RouteConfig

interface Fake {
  method?: string
  id?: string
  query?: Record<string, string>
  headers?: Record<string, string>
  apiKeyId?: string | null
  principal?: string | null
  userArn?: string | null
}

function ctx(f: Fake): RequestContext {
  return {
    method: f.method ?? 'GET',
    pathParams: f.id === undefined ? {} : { id: f.id },
    query: (name: string) => f.query?.[name],
    header: (name: string) => f.headers?.[name],
    apiKeyId: f.apiKeyId ?? null,
    authorizer: f.principal == null ? null : { principalId: f.principal, context: {}, claims: null, scopes: null, latencyMs: 0 },
    identity: f.userArn == null ? null : { accessKey: 'AK', accountId: '0', userArn: f.userArn, user: 'u', caller: 'u' },
  } as unknown as RequestContext
}

const key = cacheKeyBuilder(route, 'prod')

t.test('the same request gives the same key; it is a digest', async (t) => {
  t.equal(key(ctx({ id: '1' })), key(ctx({ id: '1' })))
  t.match(key(ctx({ id: '1' })), /^[0-9a-f]{64}$/)
})

t.test('every component splits entries', async (t) => {
  const base = key(ctx({ id: '1', query: { a: 'x' } }))
  const others = [
    key(ctx({ id: '2', query: { a: 'x' } })),
    key(ctx({ id: '1', query: { a: 'y' } })),
    key(ctx({ id: '1', query: { a: 'x' }, headers: { 'x-tenant': 't' } })),
    key(ctx({ id: '1', query: { a: 'x' }, method: 'HEAD' })),
    key(ctx({ id: '1', query: { a: 'x' }, apiKeyId: 'default/alice' })),
    key(ctx({ id: '1', query: { a: 'x' }, principal: 'alice' })),
    key(ctx({ id: '1', query: { a: 'x' }, userArn: 'arn:aws:iam::0:user/alice' })),
    cacheKeyBuilder(route, 'beta')(ctx({ id: '1', query: { a: 'x' } })),
    cacheKeyBuilder(route, 'prod', 'canary-rev')(ctx({ id: '1', query: { a: 'x' } })),
  ]
  t.equal(new Set([base, ...others]).size, others.length + 1)
})

t.test('no separator confusion: values cannot shift into the next parameter; absent is not empty', async (t) => {
  t.not(key(ctx({ query: { a: 'x,y' } })), key(ctx({ query: { a: 'x', b: 'y' } })))
  t.not(key(ctx({ query: { a: 'x","y' } })), key(ctx({ query: { a: 'x', b: 'y' } })))
  t.not(key(ctx({ query: { a: '' } })), key(ctx({})))
  t.not(key(ctx({ query: { a: 'null' } })), key(ctx({})))
})

t.test('the key is the SHA-256 of the JSON array of its parts (keys stay the same across versions)', async (t) => {
  const { hash } = await import('node:crypto')
  const cases: Array<[Fake, unknown[]]> = [
    [{ id: '1' }, ['GET', '/pets/{id}', 'prod', '', '1', null, null, null, null, null, null]],
    [
      { id: 'é"\\', query: { a: 'x', b: '' }, headers: { 'x-tenant': 't\u2028' }, apiKeyId: 'default/alice', principal: 'p', userArn: 'arn:aws:iam::0:user/u' },
      ['GET', '/pets/{id}', 'prod', '', 'é"\\', 'x', '', 't\u2028', 'default/alice', ['p', {}], 'arn:aws:iam::0:user/u'],
    ],
  ]
  for (const [fake, parts] of cases) t.equal(key(ctx(fake)), hash('sha256', JSON.stringify(parts), 'hex'))
  for (const odd of ['\ud800', 'a\udc00b', '😀', '\u0000\u001f', 'tab\there', '</script>', '\u007f\u2029']) {
    t.equal(key(ctx({ id: odd, method: 'PATCH' })), hash('sha256', JSON.stringify(['PATCH', '/pets/{id}', 'prod', '', odd, null, null, null, null, null, null]), 'hex'), [...odd].map((c) => c.codePointAt(0)!.toString(16)).join(' '))
  }
  const long = 'x'.repeat(600)
  t.equal(key(ctx({ id: long })), hash('sha256', JSON.stringify(['GET', '/pets/{id}', 'prod', '', long, null, null, null, null, null, null]), 'hex'), 'long texts too (not memoized)')
  const canary = cacheKeyBuilder(route, 'prod', 'rev-2')
  t.equal(canary(ctx({ id: '1' })), hash('sha256', JSON.stringify(['GET', '/pets/{id}', 'prod', 'rev-2', '1', null, null, null, null, null, null]), 'hex'))
})

t.test('a repeated request gets the same digest from the memo; past its size, keys are still right', async (t) => {
  const k = cacheKeyBuilder(route, 'prod')
  const ids = Array.from({ length: 1500 }, (_, i) => String(i))
  const first = ids.map((id) => k(ctx({ id })))
  const again = ids.map((id) => k(ctx({ id })))
  t.same(again, first)
  t.equal(new Set(first).size, ids.length)
  t.equal(first[7], key(ctx({ id: '7' })), 'the same digest as another builder of the route')
})

t.test('a route with one key parameter: anonymous requests by value, others by their whole text, the same keys', async (t) => {
  const { hash } = await import('node:crypto')
  const one = { ...route, integration: { cacheKeyParameters: ['method.request.path.id'] } } as unknown as RouteConfig
  const k = cacheKeyBuilder(one, 'prod')
  const expected = (method: string, id: string | null, apiKeyId: string | null = null, who: unknown = null, arn: string | null = null) =>
    hash('sha256', JSON.stringify([method, '/pets/{id}', 'prod', '', id, apiKeyId, who, arn]), 'hex')
  for (let round = 0; round < 2; round++) {
    t.equal(k(ctx({ id: '1' })), expected('GET', '1'), `anonymous (round ${round})`)
    t.equal(k(ctx({})), expected('GET', null), `absent parameter (round ${round})`)
    t.equal(k(ctx({ id: '1', apiKeyId: 'default/alice' })), expected('GET', '1', 'default/alice'), 'an API key')
    t.equal(k(ctx({ id: '1', principal: 'p' })), expected('GET', '1', null, ['p', {}]), 'an authorizer')
    t.equal(k(ctx({ id: '1', userArn: 'arn:aws:iam::0:user/u' })), expected('GET', '1', null, null, 'arn:aws:iam::0:user/u'), 'an IAM caller')
    t.equal(k(ctx({ id: '1', method: 'HEAD' })), expected('HEAD', '1'), 'another method')
    t.equal(k(ctx({ id: '1' })), expected('GET', '1'), 'back to GET')
  }
  const none = cacheKeyBuilder({ ...route, integration: {} } as unknown as RouteConfig, 'prod')
  t.equal(none(ctx({ id: '1' })), hash('sha256', JSON.stringify(['GET', '/pets/{id}', 'prod', '', null, null, null]), 'hex'), 'no parameters')
})
