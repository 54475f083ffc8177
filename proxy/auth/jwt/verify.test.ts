// What a verified token leaves for $context.authorizer (principalId = sub, the claims, the scopes
// from scope or scp), the token cache (verified once, kept until exp), and COGNITO_USER_POOLS'
// per-issuer key sets ({issuer}/.well-known/jwks.json when no jwksUri is configured).
import t from 'tap'
import { startIssuer, type Issuer } from '../../../test/helpers/issuer.js'
import type { JwtAuthorizerConfig } from '../../config/schema.js'
import { JwtKeyStore } from './keys.js'
import { TokenCache } from './token-cache.js'
import { JwtVerifier, scopesOf, TokenRejected } from './verify.js'

let issuer: Issuer
let pool2: Issuer
t.before(async () => {
  issuer = await startIssuer()
  pool2 = await startIssuer({ discovery: false })
})
t.teardown(async () => {
  await issuer.close()
  await pool2.close()
})

function config(partial: Partial<JwtAuthorizerConfig>): JwtAuthorizerConfig {
  return {
    type: 'JWT',
    name: 'default/a',
    source: { kind: 'Authorizer', namespace: 'default', name: 'a' },
    issuers: [issuer.url],
    audiences: ['api'],
    identitySources: [],
    ...partial,
  }
}

t.test('the authorizer result: principalId is sub, claims as in the token, scopes', async (t) => {
  const verifier = new JwtVerifier(config({}), new JwtKeyStore())
  const token = await issuer.mint({ aud: 'api', sub: 'alice', email: 'alice@example.com', 'custom:role': 'admin', scope: 'pets/read  pets/write' })
  const { result, tokenUse } = await verifier.verify(token)
  t.equal(result.principalId, 'alice')
  t.equal(result.claims?.email, 'alice@example.com')
  t.equal(result.claims?.['custom:role'], 'admin')
  t.equal(result.claims?.iss, issuer.url)
  t.same(result.scopes, ['pets/read', 'pets/write'])
  t.same(result.context, {})
  t.equal(tokenUse, undefined)
  t.ok(result.latencyMs >= 0)
  t.ok(Object.isFrozen(result.claims), 'claims cannot be changed by later stages')

  const cached = verifier.cache.get(token, Date.now())
  t.equal(cached?.result.principalId, 'alice')
  t.equal(cached?.result.latencyMs, 0, 'a cache hit reports no authorizer latency')
  t.equal(verifier.cache.get(token, Date.now() + 3_700_000), undefined, 'gone after exp + skew')
})

t.test('scopes come from scope (space-separated) and scp (list or string)', async (t) => {
  t.same(scopesOf({ scope: 'a b' }), ['a', 'b'])
  t.same(scopesOf({ scp: ['a', 'b'] }), ['a', 'b'])
  t.same(scopesOf({ scp: 'a' }), ['a'])
  t.same(scopesOf({ scope: 'a', scp: ['b'] }), ['a', 'b'])
  t.equal(scopesOf({}), null)
})

t.test('COGNITO_USER_POOLS with several pools: each issuer has its own key set', async (t) => {
  const store = new JwtKeyStore()
  const verifier = new JwtVerifier(config({ type: 'COGNITO_USER_POOLS', issuers: [issuer.url, pool2.url], audiences: [] }), store)
  const fromPool1 = await verifier.verify(await issuer.mint({ token_use: 'id', aud: 'any-client' }))
  t.equal(fromPool1.tokenUse, 'id')
  // pool2 signs with its own key-1: only its own set verifies it.
  const fromPool2 = await verifier.verify(await pool2.mint({ token_use: 'access', client_id: 'c' }))
  t.equal(fromPool2.result.claims?.iss, pool2.url)
  t.equal(pool2.hits.get('/.well-known/jwks.json'), 1)
  t.equal(pool2.hits.get('/.well-known/openid-configuration'), undefined, 'no discovery for user pools')
  const forged = await pool2.mint({ iss: issuer.url, token_use: 'id' })
  await t.rejects(verifier.verify(forged), new TokenRejected('the token signature is invalid'), "pool2's key does not verify tokens claiming pool1")
})

t.test('the token cache is bounded and evicts the least recently used', async (t) => {
  const cache = new TokenCache<number>(2)
  cache.set('a', 1, 1000)
  cache.set('b', 2, 1000)
  t.equal(cache.get('a', 0), 1)
  cache.set('c', 3, 1000)
  t.equal(cache.get('b', 0), undefined, 'b was the least recently used')
  t.equal(cache.get('a', 0), 1)
  t.equal(cache.get('c', 0), 3)
  t.equal(cache.get('c', 1000), undefined, 'expired')
  t.equal(cache.size, 1)
  // Keyed by the tail, but only the exact string hits.
  const tail = 'x'.repeat(43)
  const long = new TokenCache<string>(10)
  long.set(`header.payload.${tail}`, 'verified', 1000)
  t.equal(long.get(`header.payload.${tail}`, 0), 'verified')
  t.equal(long.get(`header.forged.${tail}`, 0), undefined, 'same tail, another token: a miss')
  t.equal(long.get(`header.payload.${tail}`, 0), 'verified', 'and the entry is still there')
  const off = new TokenCache<number>(0)
  off.set('a', 1, 1000)
  t.equal(off.get('a', 0), undefined)
})
