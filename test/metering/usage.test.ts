// Usage reporting through HTTP: the admin listener's GetUsage / UpdateUsage, and the
// `tollgate usage get|update` commands that call it, against a standalone gateway.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { manifestDir } from '../helpers/servers.js'

const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))
const KEY_A = 'KeyA0123456789abcdefghijkl'
const KEY_B = 'KeyB0123456789abcdefghijkl'

const MANIFESTS = `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  routes:
    - {path: /pets, method: GET, apiKeyRequired: true, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec: {apiRef: {name: shop}}
---
apiVersion: v1
kind: Secret
metadata: {name: keys}
stringData: {a: ${KEY_A}, b: ${KEY_B}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: a, labels: {plan: metered}}
spec: {valueFrom: {secretKeyRef: {name: keys, key: a}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: b, labels: {plan: metered}}
spec: {valueFrom: {secretKeyRef: {name: keys, key: b}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: metered}
spec:
  apiStages: [{apiRef: {name: shop}, stage: prod}]
  quota: {limit: 100, period: MONTH}
  apiKeySelector: {matchLabels: {plan: metered}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: unmetered}
spec:
  apiStages: [{apiRef: {name: shop}, stage: beta}]
`

const today = new Date().toISOString().slice(0, 10)
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)

async function start(t: Test, tokenFile?: string): Promise<Standalone> {
  const dir = manifestDir({ 'shop.yaml': MANIFESTS })
  const s = await startStandalone(
    { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, adminPort: 0, ...(tokenFile ? { adminTokenFile: tokenFile } : {}) },
    () => {},
  )
  t.teardown(() => s.close())
  return s
}

async function call(s: Standalone, key: string): Promise<number> {
  const r = await request(`http://127.0.0.1:${s.port}/prod/pets`, { headers: { host: `shop.execute-api.localhost:${s.port}`, 'x-api-key': key } })
  await r.body.text()
  return r.statusCode
}

async function admin(s: Standalone, path: string, init: { method?: 'GET' | 'PATCH'; body?: string; token?: string } = {}) {
  const headers: Record<string, string> = {}
  if (init.token) headers.authorization = `Bearer ${init.token}`
  const r = await request(`http://127.0.0.1:${s.adminPort}${path}`, { method: init.method ?? 'GET', headers, ...(init.body ? { body: init.body } : {}) })
  return { status: r.statusCode, json: (await r.body.json()) as Record<string, unknown> }
}

function tollgate(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args])
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

t.test('GetUsage: [used, remaining] per key per day, AWS-shaped', async (t) => {
  const s = await start(t)
  t.ok(s.adminPort, 'admin listener')
  for (let i = 0; i < 3; i++) t.equal(await call(s, KEY_A), 200)
  t.equal(await call(s, KEY_B), 200)
  const r = await admin(s, `/v1/usageplans/default%2Fmetered/usage?startDate=${yesterday}&endDate=${today}`)
  t.equal(r.status, 200)
  // Yesterday may be in the previous month: remaining is the full limit there either way.
  t.same(r.json, {
    usagePlanId: 'default/metered',
    startDate: yesterday,
    endDate: today,
    items: { 'default/a': [[0, 100], [3, 97]], 'default/b': [[0, 100], [1, 99]] },
  })
  const one = await admin(s, `/v1/usageplans/default%2Fmetered/usage?startDate=${today}&endDate=${today}&keyId=default%2Fa`)
  t.same(one.json.items, { 'default/a': [[3, 97]] }, 'one key')

  t.equal((await admin(s, `/v1/usageplans/default%2Fnope/usage?startDate=${today}&endDate=${today}`)).status, 404, 'unknown plan')
  t.equal((await admin(s, `/v1/usageplans/default%2Fmetered/usage?startDate=${today}&endDate=${today}&keyId=default%2Fz`)).status, 404, 'key not in plan')
  t.equal((await admin(s, `/v1/usageplans/default%2Fmetered/usage?startDate=2024-13-01&endDate=${today}`)).status, 400, 'bad date')
  t.equal((await admin(s, `/v1/usageplans/default%2Fmetered/usage?startDate=2020-01-01&endDate=2020-12-31`)).status, 400, 'over 90 days')
  const unmetered = await admin(s, `/v1/usageplans/default%2Funmetered/usage?startDate=${today}&endDate=${today}`)
  t.equal(unmetered.status, 409, 'a plan without a quota counts no usage')
  t.match(unmetered.json.message, /no quota/)
})

t.test('UpdateUsage sets the remaining quota; requests then stop at 0', async (t) => {
  const s = await start(t)
  t.equal(await call(s, KEY_A), 200)
  const body = JSON.stringify({ patchOperations: [{ op: 'replace', path: '/remaining', value: '2' }] })
  const r = await admin(s, '/v1/usageplans/default%2Fmetered/keys/default%2Fa/usage', { method: 'PATCH', body })
  t.equal(r.status, 200)
  t.same(r.json.items, { 'default/a': [[1, 2]] })
  t.same([await call(s, KEY_A), await call(s, KEY_A), await call(s, KEY_A)], [200, 200, 429])
  t.equal((await admin(s, '/v1/usageplans/default%2Fmetered/keys/default%2Fa/usage', { method: 'PATCH', body: '{}' })).status, 400)
})

t.test('a token, when configured, is required', async (t) => {
  const file = join(manifestDir({}), 'token')
  writeFileSync(file, 'sekrit-admin-token\n')
  const s = await start(t, file)
  const path = `/v1/usageplans/default%2Fmetered/usage?startDate=${today}&endDate=${today}`
  t.equal((await admin(s, path)).status, 401)
  t.equal((await admin(s, path, { token: 'wrong' })).status, 401)
  t.equal((await admin(s, path, { token: 'sekrit-admin-token' })).status, 200)
})

t.test('tollgate usage get / update call the admin listener', async (t) => {
  const s = await start(t)
  for (let i = 0; i < 2; i++) t.equal(await call(s, KEY_B), 200)
  const url = `http://127.0.0.1:${s.adminPort}`
  const got = await tollgate('usage', 'get', '--plan', 'metered', '--key', 'b', '--from', today, '--to', today, '--admin-url', url)
  t.equal(got.code, 0, got.stderr)
  t.same(JSON.parse(got.stdout), { usagePlanId: 'default/metered', startDate: today, endDate: today, items: { 'default/b': [[2, 98]] } })
  const upd = await tollgate('usage', 'update', '--plan', 'default/metered', '--key', 'default/b', '--remaining', '50', '--admin-url', url)
  t.equal(upd.code, 0, upd.stderr)
  t.same(JSON.parse(upd.stdout).items, { 'default/b': [[2, 50]] })
  const bad = await tollgate('usage', 'get', '--plan', 'nope', '--from', today, '--to', today, '--admin-url', url)
  t.equal(bad.code, 1)
  t.match(bad.stderr, /404: no usage plan default\/nope/)
  t.equal((await tollgate('usage', 'get', '--from', today, '--to', today)).code, 2, 'no --plan: usage error')
  const down = await tollgate('usage', 'get', '--plan', 'metered', '--from', today, '--to', today, '--admin-url', 'http://127.0.0.1:1')
  t.equal(down.code, 1)
  t.match(down.stderr, /cannot reach the admin listener/)
})
