// The authorizer result cache: expiry and the bound (least recently used entries go first).
import t from 'tap'
import { AuthorizerCache } from './cache.js'
import type { AuthorizerOutput } from './output.js'

const out = (n: number): AuthorizerOutput => ({ kind: 'simple', isAuthorized: n % 2 === 0, context: { n } })

t.test('an entry is served until it expires, then gone', async (t) => {
  const c = new AuthorizerCache(10)
  c.set('k', out(0), 1000)
  t.same(c.get('k', 999), out(0))
  t.equal(c.get('k', 1000), undefined, 'expired at expiresAt')
  t.equal(c.size, 0, 'and removed')
})

t.test('bounded: the least recently used entry is evicted first', async (t) => {
  const c = new AuthorizerCache(3)
  c.set('a', out(1), 10_000)
  c.set('b', out(2), 10_000)
  c.set('c', out(3), 10_000)
  t.ok(c.get('a', 0), 'a used: now the most recent')
  c.set('d', out(4), 10_000)
  t.equal(c.size, 3)
  t.equal(c.get('b', 0), undefined, 'b was the least recently used')
  t.ok(c.get('a', 0))
  t.ok(c.get('c', 0))
  t.ok(c.get('d', 0))
})
