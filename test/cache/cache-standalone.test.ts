// The response cache served the way `tollgate run` serves files: compiled from a Stage with an
// encrypted cache (key from a Secret), API keys and usage plans. Key confusion and poisoning
// attempts, the flush command against the admin listener, the declarative flush annotation,
// and the counters on /metrics.
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { request } from 'undici'
import { cacheCommand } from '../../cli/cache.js'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { MemoryCacheStore } from '../../proxy/stores/memory-cache.js'
import { manifestDir, startServer } from '../helpers/servers.js'

const ALICE = 'AliceKey0123456789abcdefXYZ'
const BOB = 'BobKey0123456789abcdefghijkl'

function manifests(backend: string, flush: string): string {
  const http = (path: string, extra = '') =>
    `{type: HTTP, httpMethod: GET, uri: '${backend}${path}', responses: [{statusCode: '200'}]${extra}}`
  return `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  routes:
    # The backend answers with the key it is given: a per-caller response on a shared path.
    - {path: /profile, method: GET, apiKeyRequired: true, integration: ${http('/profile', ", requestParameters: {integration.request.header.x-owner: method.request.header.x-api-key}")}}
    - {path: /items, method: GET, integration: ${http('/items', ", requestParameters: {integration.request.querystring.q: method.request.querystring.q}, cacheKeyParameters: [method.request.querystring.q]")}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata:
  name: prod
  annotations: {tollgate.dev/cache-flush: "${flush}"}
spec:
  apiRef: {name: shop}
  cache: {enabled: true, capacity: 16Mi, encrypted: true, keySecretRef: {name: cache, key: key}}
  methodSettings: {'*/*': {metricsEnabled: true}}
---
apiVersion: v1
kind: Secret
metadata: {name: cache}
stringData: {key: "a-long-random-cache-encryption-key-0123456789"}
---
apiVersion: v1
kind: Secret
metadata: {name: keys}
stringData: {alice: ${ALICE}, bob: ${BOB}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: alice}
spec: {valueFrom: {secretKeyRef: {name: keys, key: alice}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: bob}
spec: {valueFrom: {secretKeyRef: {name: keys, key: bob}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: all}
spec:
  apiStages: [{apiRef: {name: shop}, stage: prod}]
  apiKeys: [{name: alice}, {name: bob}]
`
}

const seen: { path: string; owner: string | undefined; query: string }[] = []
const backend = await startServer((req, res) => {
  const url = new URL(req.url!, 'http://x')
  const owner = req.headers['x-owner'] as string | undefined
  seen.push({ path: url.pathname, owner, query: url.search })
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ path: url.pathname, owner: owner ?? null, q: url.searchParams.get('q'), n: seen.length }))
})
t.teardown(() => backend.close())
const calls = (path: string) => seen.filter((s) => s.path === path).length

const dir = manifestDir({ 'shop.yaml': manifests(`http://127.0.0.1:${backend.port}`, '1') })
const store = new MemoryCacheStore()
const s: Standalone = await startStandalone(
  { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, adminPort: 0 },
  () => {},
  { cacheStore: store },
)
t.teardown(() => s.close())

async function get(path: string, headers: Record<string, string> = {}) {
  const r = await request(`http://127.0.0.1:${s.port}/prod${path}`, { headers: { host: `shop.execute-api.localhost:${s.port}`, ...headers } })
  const text = await r.body.text()
  return { status: r.statusCode, headers: r.headers, text }
}

t.test('key confusion: a response for one API key is never served to another', async (t) => {
  const alice = await get('/profile', { 'x-api-key': ALICE })
  const bob = await get('/profile', { 'x-api-key': BOB })
  t.match(alice.text, ALICE)
  t.match(bob.text, BOB, 'bob gets his own response')
  t.notMatch(bob.text, ALICE)
  t.equal(calls('/profile'), 2)
  const again = await get('/profile', { 'x-api-key': ALICE })
  t.equal(again.text, alice.text, 'alice is served her cached response')
  t.equal(calls('/profile'), 2)
  const stranger = await get('/profile', { 'x-api-key': 'NobodysKey0123456789abcdefgh' })
  t.equal(stranger.status, 403, 'an unknown key is refused before the cache is looked at')
  const none = await get('/profile')
  t.equal(none.status, 403)
  t.notMatch(stranger.text + none.text, ALICE)
})

t.test('poisoning: unkeyed inputs do not reach the backend, and keyed ones are read as the backend reads them', async (t) => {
  const clean = await get('/items?q=shoes')
  const attempt = await get('/items?q=shoes&q=<script>', { 'x-forwarded-host': 'evil.example', 'x-evil': '1' })
  t.not(attempt.text, clean.text, 'the last q wins for the key as for the backend: its own entry')
  t.match(attempt.text, '<script>')
  const victim = await get('/items?q=shoes')
  t.equal(victim.text, clean.text, 'the victim gets the clean entry')
  const sameAsAttack = await get('/items?q=<script>')
  t.equal(sameAsAttack.text, attempt.text, 'an equal request shares the entry: same key, same backend request')
  t.notOk(seen.some((r) => r.query.includes('evil')), 'unkeyed headers never reached the backend')
  // Cache-Control: max-age=0 from an anonymous caller: authorization is required by default; the header is ignored.
  const before = calls('/items')
  const refresh = await get('/items?q=shoes', { 'cache-control': 'max-age=0' })
  t.equal(refresh.text, clean.text)
  t.match(refresh.headers.warning, /^199 /)
  t.equal(calls('/items'), before)
})

t.test('tollgate cache flush --stage prod empties the stage', async (t) => {
  const before = calls('/items')
  await get('/items?q=flush')
  await get('/items?q=flush')
  t.equal(calls('/items'), before + 1)
  const out: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write
  let code: number
  try {
    code = await cacheCommand({ action: 'flush', stage: 'prod', api: '', adminUrl: `http://127.0.0.1:${s.adminPort}`, tokenFile: '' })
  } finally {
    process.stdout.write = write
  }
  t.equal(code, 0)
  t.same(out, ['flushed shop/prod\n'])
  await get('/items?q=flush')
  t.equal(calls('/items'), before + 2, 'fetched again after the flush')
  const missing = await request(`http://127.0.0.1:${s.adminPort}/v1/cache/data?stage=nope`, { method: 'DELETE' })
  t.equal(missing.statusCode, 404)
  await missing.body.text()
})

t.test('changing the tollgate.dev/cache-flush annotation flushes the stage', async (t) => {
  const before = calls('/items')
  await get('/items?q=annotation')
  await get('/items?q=annotation')
  t.equal(calls('/items'), before + 1)
  const file = join(dir, 'shop.yaml')
  writeFileSync(`${file}.tmp`, manifests(`http://127.0.0.1:${backend.port}`, '2'))
  renameSync(`${file}.tmp`, file)
  await s.reload()
  await get('/items?q=annotation')
  t.equal(calls('/items'), before + 2)
})

t.test('CacheHitCount and CacheMissCount on /metrics', async (t) => {
  const r = await request(`http://127.0.0.1:${s.adminPort}/metrics`)
  const text = await r.body.text()
  t.match(text, /tollgate_cache_hits_total\{api="shop",stage="prod",method="GET",resource="\/items"\} [1-9]/)
  t.match(text, /tollgate_cache_misses_total\{api="shop",stage="prod",method="GET",resource="\/profile"\} 2/)
})
