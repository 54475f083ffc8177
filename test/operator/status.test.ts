// `tollgate status --operator URL` (the built CLI, a child process) against the real operator on
// the test API server, with a proxy that serves everything and one that refuses a config:
// APIs, stages (current revision, canary on an ApiDeployment, URL), the fleet with the NACK and
// its reason, problems; table, JSON and YAML; a clear error when nothing answers.
import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { request } from 'undici'
import type { StatusReport } from '../../operator/status-report.js'
import { parse } from '../../cli/options.js'
import { statusCommand } from '../../cli/status.js'
import { startServer } from '../helpers/servers.js'
import { api, cluster, condition, create, eventually, G, NS, operator, proxy, stage, V } from './helpers.js'
import { refusingProxy } from './refusing.js'

const MAIN = join(process.cwd(), 'dist/cli/main.js')

/** The status command in this process (its output captured), for the cases that need no new process. */
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await statusCommand(parse(args, {}).status, (s) => (stdout += s), (s) => (stderr += s))
  return { code, stdout, stderr }
}

/** The built CLI, asynchronously: the operator answering it runs in this process. */
function tollgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, TOLLGATE_ADMIN_URL: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

t.test('tollgate status --operator: APIs, stages, fleet convergence with a NACK, problems', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const op = await operator(t, c, { leaderElect: true, identity: 'operator-s' })
  await eventually('leading', () => op.leading)
  await proxy(t, op, 'proxy-good')
  refusingProxy(t, op, 'proxy-old', 'refused')

  await create(c, api('listed', backend.port))
  await c.co.createNamespacedCustomObject({
    group: G,
    version: V,
    namespace: NS,
    plural: 'apideployments',
    body: { apiVersion: `${G}/${V}`, kind: 'ApiDeployment', metadata: { name: 'listed-v1', namespace: NS }, spec: { apiRef: { name: 'listed' }, snapshot: { routes: [{ path: '/v1', method: 'GET', integration: { type: 'MOCK' } }] } } },
  })
  await c.co.createNamespacedCustomObject({
    group: G,
    version: V,
    namespace: NS,
    plural: 'stages',
    body: { apiVersion: `${G}/${V}`, kind: 'Stage', metadata: { name: 'listed-prod', namespace: NS }, spec: { apiRef: { name: 'listed' }, stageName: 'prod', canary: { revision: 'listed-v1', percentTraffic: 10 } } },
  })
  await eventually('listed Programmed', () => condition(c, 'Stage', 'listed-prod', 'Programmed')?.status === 'True', 8000)
  const servedByOld = op.config!.hash
  await create(c, api('refused', backend.port))
  await create(c, stage('refused-prod', 'refused'))
  await create(c, stage('orphan', 'nowhere'))
  await eventually('the old proxy refused the current config', () => op.status().fleet.rejected === 1 && op.status().problems.some((p) => p.name === 'orphan'), 8000)
  await op.settled()
  const hash = op.config!.hash
  const short = hash.slice(0, 12)
  const listed = op.config!.apis.find((a) => a.id === 'listed')!
  const current = listed.stages[0]!.revision
  const canary = listed.stages[0]!.canary!.revision
  const url = `http://127.0.0.1:${op.metricsPort}`

  const raw = await request(`${url}/status`)
  t.equal(raw.headers['content-type'], 'application/json')
  t.equal(raw.headers['cache-control'], 'no-store')
  t.equal(((await raw.body.json()) as StatusReport).config?.hash, hash, '/status on the metrics port')

  const table = await tollgate('status', '--operator', url)
  t.equal(table.code, 0, table.stderr)
  const out = table.stdout
  t.match(out, /^Source: +operator operator-s \(leader\)$/m)
  t.match(out, new RegExp(`^Config: +${short} published \\S+ \\(\\d+s ago\\), domain localhost$`, 'm'))
  t.match(out, new RegExp(`^Fleet: +1/2 at ${short} \\(1 rejected\\)$`, 'm'))
  t.match(out, /^API +NAME +PROTOCOL +ENDPOINT +REVISIONS +STAGES$/m)
  t.match(out, /^listed +default\/listed +REST +REGIONAL +2 +1$/m)
  t.match(out, /^refused +default\/refused +REST +REGIONAL +1 +1$/m)
  t.match(out, new RegExp(`^listed +prod +${current} +<none> +10% listed-v1 +http://listed\\.execute-api\\.localhost:8080/prod$`, 'm'))
  t.match(out, new RegExp(`^proxy-good +Programmed +${short} +operator-s +127\\.0\\.0\\.1 +\\d+s +<none>$`, 'm'))
  t.match(out, new RegExp(`^proxy-old +Rejected +${servedByOld.slice(0, 12)} +operator-s +127\\.0\\.0\\.1 +\\d+s +refused ${short}: this proxy cannot serve api refused$`, 'm'))
  t.match(out, /^Stage +default\/orphan +error +ApiNotFound +spec\.apiRef +.*nowhere/m)

  const json = await tollgate('status', '--operator', url, '-o', 'json')
  t.equal(json.code, 0, json.stderr)
  const report = JSON.parse(json.stdout) as StatusReport
  t.equal(report.source, 'operator')
  t.same(report.replica, { identity: 'operator-s', leader: true })
  t.equal(report.config?.hash, hash)
  t.same(report.apis.find((a) => a.id === 'listed')?.stages, [
    { name: 'prod', resource: 'default/listed-prod', revision: current, url: 'http://listed.execute-api.localhost:8080/prod', canary: { revision: canary, deployment: 'listed-v1', percentTraffic: 10 } },
  ])
  t.match(report.fleet, { hash, total: 2, programmed: 1, pending: 0, rejected: 1, convergence: `1/2 at ${short}` })
  t.equal(report.fleet.convergedAt, undefined, 'not converged')
  t.match(report.fleet.proxies.find((p) => p.id === 'proxy-old'), { state: 'Rejected', ackedHash: servedByOld, nack: { hash, reason: 'this proxy cannot serve api refused' }, replica: 'operator-s' })
  t.match(report.problems, [{ kind: 'Stage', namespace: 'default', name: 'orphan', severity: 'error', reason: 'ApiNotFound' }])

  const yaml = await inProcess('status', '--operator', url, '-o', 'yaml')
  t.equal(yaml.code, 0, yaml.stderr)
  t.same((parseYaml(yaml.stdout) as StatusReport).apis, report.apis, 'YAML is the same document')

  // Every proxy serves once the refused Api is gone: converged.
  await c.co.deleteNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'refused' })
  await eventually('converged', () => op.status().fleet.convergedAt !== undefined, 8000)
  const converged = await inProcess('status', '--operator', url)
  t.equal(converged.code, 0, converged.stderr)
  t.match(converged.stdout, new RegExp(`^Fleet: +2/2 at ${op.config!.hash.slice(0, 12)}, converged \\S+Z$`, 'm'))
  t.notMatch(converged.stdout, /^refused /m, 'the deleted Api is not listed')
})

t.test('tollgate status: an endpoint that does not answer, or answers something else, is exit 1 naming the URL', async (t) => {
  const gone = await startServer(() => {})
  const port = gone.port
  await gone.close()
  const refused = await tollgate('status', '--operator', `http://127.0.0.1:${port}`)
  t.equal(refused.code, 1)
  t.equal(refused.stdout, '')
  t.match(refused.stderr, `tollgate: cannot reach the operator at http://127.0.0.1:${port} (ECONNREFUSED`)
  t.match(refused.stderr, /is the operator running, and is this its --metrics-port\?/)

  const other = await startServer((_req, res) => res.writeHead(404).end('not found'))
  t.teardown(other.close)
  const notStatus = await inProcess('status', '--admin', `http://127.0.0.1:${other.port}/`)
  t.equal(notStatus.code, 1)
  t.match(notStatus.stderr, `tollgate: GET http://127.0.0.1:${other.port}/status answered 404: not found; is tollgate run running with this --admin-port?`)

  t.throws(() => parse(['status', '--operator', 'http://a', '--admin', 'http://b'], {}), { code: 'TG_ERR_USAGE', message: 'use --operator URL or --admin URL, not both' })
  t.throws(() => parse(['status', '--admin', 'localhost:9090'], {}), /--admin must be an http\(s\) URL/)
  t.throws(() => parse(['status', '-o', 'wide'], {}), /-o must be table, json or yaml/)
  t.same(parse(['status'], { TOLLGATE_ADMIN_URL: 'http://10.0.0.1:9090/' }).status, { url: 'http://10.0.0.1:9090', target: 'admin listener', output: 'table' })
  t.same(parse(['status', '--operator', 'http://op:9090', '-o', 'yaml'], {}).status, { url: 'http://op:9090', target: 'operator', output: 'yaml' })
})
