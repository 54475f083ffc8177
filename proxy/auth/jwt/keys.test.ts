// The key store against a real issuer on port 0: one fetch per URL, concurrent callers coalesced,
// an unknown kid refetches at most once per interval, a failing issuer is closed for sets never
// fetched and stale-if-error for sets fetched before, oversize documents refused.
import t from 'tap'
import { createServer } from 'node:http'
import { signingKey, startIssuer, type Issuer } from '../../../test/helpers/issuer.js'
import { listen } from '../../../test/helpers/servers.js'
import { JwtKeyStore, KeyUnavailable } from './keys.js'

let issuer: Issuer
t.before(async () => {
  issuer = await startIssuer()
})
t.teardown(() => issuer.close())

const jwksHits = () => issuer.hits.get('/.well-known/jwks.json') ?? 0

t.test('keys are fetched once per URL, concurrent callers share the fetch', async (t) => {
  const store = new JwtKeyStore()
  const before = jwksHits()
  const keys = await Promise.all(Array.from({ length: 10 }, () => store.key(issuer.jwksUri, 'key-1', 'RS256')))
  t.equal(jwksHits(), before + 1)
  t.ok(keys.every((k) => k === keys[0]), 'the imported key is reused')
  await store.key(issuer.jwksUri, 'key-1', 'RS256')
  t.equal(jwksHits(), before + 1)
})

t.test('an unknown kid refetches at most once per interval', async (t) => {
  const store = new JwtKeyStore({ minRefetchIntervalMs: 300 })
  await store.key(issuer.jwksUri, 'key-1', 'RS256')
  const before = jwksHits()
  await t.rejects(store.key(issuer.jwksUri, 'made-up-1', 'RS256'), new KeyUnavailable('no signing key matches the token kid'))
  await t.rejects(store.key(issuer.jwksUri, 'made-up-2', 'RS256'), KeyUnavailable)
  t.equal(jwksHits(), before, 'within the interval of the first fetch: no refetch')
  await new Promise((r) => setTimeout(r, 320))
  const rotated = await signingKey('key-9')
  issuer.keys = [...issuer.keys, rotated]
  t.ok(await store.key(issuer.jwksUri, 'key-9', 'RS256'), 'after the interval, the new kid is fetched')
  await t.rejects(store.key(issuer.jwksUri, 'made-up-3', 'RS256'), KeyUnavailable)
  t.equal(jwksHits(), before + 1, 'one refetch for both')
  issuer.keys = issuer.keys.slice(0, 1)
})

t.test('a key that does not fit the algorithm is not used', async (t) => {
  const store = new JwtKeyStore({ minRefetchIntervalMs: 60_000 })
  await t.rejects(store.key(issuer.jwksUri, 'key-1', 'ES256'), KeyUnavailable)
  await t.rejects(store.key(issuer.jwksUri, 'key-1', 'RS384'), KeyUnavailable, 'the JWK declares alg RS256')
  t.ok(await store.key(issuer.jwksUri, 'key-1', 'RS256'))
})

t.test('an issuer that never answered: closed, retried after the backoff', async (t) => {
  const store = new JwtKeyStore({ failureBackoffMs: 200 })
  issuer.failWith = 0
  await t.rejects(store.key(issuer.jwksUri, 'key-1', 'RS256'), new KeyUnavailable('signing keys could not be retrieved'))
  issuer.failWith = null
  const before = jwksHits()
  await t.rejects(store.key(issuer.jwksUri, 'key-1', 'RS256'), KeyUnavailable, 'within the backoff: no new fetch')
  t.equal(jwksHits(), before)
  await new Promise((r) => setTimeout(r, 220))
  t.ok(await store.key(issuer.jwksUri, 'key-1', 'RS256'))
})

t.test('stale-if-error: keys fetched before keep verifying while refreshes fail', async (t) => {
  const store = new JwtKeyStore({ maxAgeMs: 50, failureBackoffMs: 0 })
  t.ok(await store.key(issuer.jwksUri, 'key-1', 'RS256'))
  await new Promise((r) => setTimeout(r, 60))
  issuer.failWith = 500
  const before = jwksHits()
  t.ok(await store.key(issuer.jwksUri, 'key-1', 'RS256'))
  await new Promise((r) => setTimeout(r, 50))
  t.equal(jwksHits(), before + 1, 'a refresh was attempted')
  t.ok(await store.key(issuer.jwksUri, 'key-1', 'RS256'), 'and failed: the keys in hand still verify')
  issuer.failWith = null
})

t.test('a set past its max age is refetched: removed keys stop verifying', async (t) => {
  const store = new JwtKeyStore({ maxAgeMs: 50, minRefetchIntervalMs: 60_000 })
  const extra = await signingKey('short-lived')
  issuer.keys = [...issuer.keys, extra]
  t.ok(await store.key(issuer.jwksUri, 'short-lived', 'RS256'))
  issuer.keys = issuer.keys.slice(0, 1)
  await new Promise((r) => setTimeout(r, 60))
  const before = jwksHits()
  t.ok(await store.key(issuer.jwksUri, 'short-lived', 'RS256'), 'the stale set answers while it is refetched in the background')
  await new Promise((r) => setTimeout(r, 50))
  t.equal(jwksHits(), before + 1)
  await t.rejects(store.key(issuer.jwksUri, 'short-lived', 'RS256'), KeyUnavailable, 'gone once the refetch is in')
})

t.test('discovery finds jwks_uri once; documents too large or not JSON are refused', async (t) => {
  const store = new JwtKeyStore({ maxBytes: 2048 })
  t.equal(await store.discoveredJwksUri(issuer.url), issuer.jwksUri)
  t.equal(await store.discoveredJwksUri(issuer.url), issuer.jwksUri)
  t.equal(issuer.hits.get('/.well-known/openid-configuration'), 1)

  const big = createServer((_req, res) => res.writeHead(200).end(JSON.stringify({ keys: [], pad: 'x'.repeat(5000) })))
  const bad = createServer((_req, res) => res.writeHead(200).end('<html>'))
  const bigPort = await listen(big)
  const badPort = await listen(bad)
  t.teardown(() => {
    big.close()
    bad.close()
  })
  await t.rejects(store.key(`http://127.0.0.1:${bigPort}/jwks`, 'k', 'RS256'), new KeyUnavailable('signing keys could not be retrieved'))
  await t.rejects(store.key(`http://127.0.0.1:${badPort}/jwks`, 'k', 'RS256'), KeyUnavailable)
  await t.rejects(store.discoveredJwksUri(`http://127.0.0.1:${badPort}`), new KeyUnavailable('the issuer discovery document could not be retrieved'))
})
