// `tollgate status --admin URL` against `tollgate run` (both the built CLI, as processes): the
// APIs and stages it serves, the fleet of one, problems of a bad edit (the previous version keeps
// serving) and of a file that does not parse, each with its file; and /status carries no
// secret of the manifests (API key values and digests, the cache key, stage variables).
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'undici'
import type { StatusReport } from '../../operator/status-report.js'
import { parse } from '../../cli/options.js'
import { statusCommand } from '../../cli/status.js'
import { readManifests } from '../../cli/manifests.js'
import { compileOptions } from '../../cli/check.js'
import { compile } from '../../operator/compile/index.js'
import { manifestDir } from '../helpers/servers.js'

const MAIN = join(process.cwd(), 'dist/cli/main.js')
const KEY = 'StandaloneStatusKey0123456789'
const CACHE_SECRET = 'standalone-status-cache-secret-0123456789'
const VARIABLE = 'standalone-status-variable-s3cret'

const SHOP = (path: string) => `apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop000001
  routes:
    - {path: ${path}, method: GET, apiKeyRequired: true, integration: {type: MOCK}}
`

const REST = `apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: shop-prod}
spec:
  apiRef: {name: shop}
  stageName: prod
  variables: {password: ${VARIABLE}}
  cache: {enabled: true, encrypted: true, keySecretRef: {name: secrets, key: cache}}
---
apiVersion: v1
kind: Secret
metadata: {name: secrets}
stringData: {key: ${KEY}, cache: ${CACHE_SECRET}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: customer}
spec:
  valueFrom: {secretKeyRef: {name: secrets, key: key}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: plan}
spec:
  apiStages: [{apiRef: {name: shop}, stage: prod}]
  apiKeys: [{name: customer}]
`

function tollgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, TOLLGATE_ADMIN_URL: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

async function statusJson(admin: string): Promise<StatusReport> {
  return (await (await request(`${admin}/status`)).body.json()) as StatusReport
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

t.test('tollgate status --admin against tollgate run', async (t) => {
  const dir = manifestDir({ 'shop.yaml': SHOP('/orders'), 'rest.yaml': REST })
  const child = spawn(process.execPath, [MAIN, 'run', '-f', dir, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const start = Date.now()
  while (!/admin \(.*\) on http:\/\/127\.0\.0\.1:\d+/.test(output)) {
    if (Date.now() - start > 30_000) throw new Error(`tollgate run did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const port = Number(output.match(/tollgate listening on http:\/\/127\.0\.0\.1:(\d+)/)![1])
  const admin = `http://127.0.0.1:${output.match(/admin \(.*\) on http:\/\/127\.0\.0\.1:(\d+)/)![1]}`

  const first = await tollgate('status', '--admin', admin)
  t.equal(first.code, 0, first.stderr)
  const hash = (await statusJson(admin)).config!.hash
  const short = hash.slice(0, 12)
  t.match(first.stdout, /^Source: +standalone \(tollgate run\)$/m)
  t.match(first.stdout, new RegExp(`^Fleet: +1/1 at ${short}, converged \\S+Z$`, 'm'))
  t.match(first.stdout, /^Problems: +none$/m)
  t.match(first.stdout, /^shop000001 +default\/shop +REST +REGIONAL +1 +1$/m)
  t.match(first.stdout, new RegExp(`^shop000001 +prod +[0-9a-f]{12} +<none> +<none> +http://shop000001\\.execute-api\\.localhost:${port}/prod$`, 'm'))
  t.match(first.stdout, new RegExp(`^standalone +Programmed +${short} +127\\.0\\.0\\.1:${port} +\\d+s +<none>$`, 'm'))
  t.match(first.stdout, /^No problems\.$/m)

  // /status as served: none of the secrets the config carries.
  const raw = await (await request(`${admin}/status`)).body.text()
  const digest = createHash('sha256').update(KEY).digest('hex')
  for (const secret of [KEY, digest, CACHE_SECRET, VARIABLE, 'encryptionKey', 'valueSha256', 'variables']) t.notOk(raw.includes(secret), `${secret.slice(0, 16)}… is not in /status`)
  const manifests = await readManifests([dir], 'default')
  const config = JSON.stringify(compile(manifests.resources, compileOptions(parse(['run', '-f', dir], {}).run)).config)
  t.ok(config.includes(digest) && config.includes(VARIABLE) && config.includes('encryptionKey'), 'the config does carry them')

  // A bad edit: the previous version keeps serving; the problem names the file and line.
  const shopFile = join(dir, 'shop.yaml')
  writeFileSync(`${shopFile}.tmp`, SHOP('orders'))
  renameSync(`${shopFile}.tmp`, shopFile)
  await eventually('the refused edit', async () => (await statusJson(admin)).problems.length > 0)
  const edited = await statusJson(admin)
  t.match(edited.problems, [{ kind: 'Api', namespace: 'default', name: 'shop', severity: 'error', field: 'spec.routes[0].path', kept: true, file: shopFile, line: 1 }])
  t.equal(edited.config!.hash, hash, 'the config did not change')
  t.equal(edited.fleet.convergence, `1/1 at ${short}`)

  // A file that does not parse: nothing is applied; the file is the problem.
  writeFileSync(join(dir, 'broken.yaml'), 'kind: Api\nspec: [unclosed\n')
  await eventually('the file problem', async () => (await statusJson(admin)).problems.some((p) => p.kind === 'File'))
  let text = ''
  const code = await statusCommand(parse(['status', '--admin', admin], {}).status, (s) => (text += s), () => {})
  t.equal(code, 0)
  // The last compile's problems stand beside it: shop.yaml is still wrong.
  t.match(text, /^Problems: +2 errors, 0 warnings$/m)
  t.match(text, new RegExp(`^File +<none> +${escape(join(dir, 'broken.yaml'))}:\\d+ +error +YamlSyntaxError `, 'm'))
  t.match(text, new RegExp(`^Api +default/shop +${escape(shopFile)}:1 +error +\\w+ +spec\\.routes\\[0\\]\\.path +.*\\(the previous version keeps serving\\)$`, 'm'))
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
