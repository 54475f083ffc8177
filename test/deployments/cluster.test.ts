// Deployments on a cluster: `tollgate deploy` (client-node) against the test API server, the real
// operator and a real proxy. A pinned stage keeps serving while the Api is edited; deploy moves
// it; rolling back is one edit of the Stage; the operator keeps a bounded history and never
// deletes a deployment a Stage serves.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { deployCommand, type DeployIo } from '../../cli/deploy.js'
import type { DeployOptions } from '../../cli/options.js'
import { validateResource, type ResourceObject } from '../../crds/validate.js'
import { startServer } from '../helpers/servers.js'
import { G, V, NS, api, call, cluster, condition, create, eventually, merge, operator, patchSpec, proxy, stage, statusOf, type Cluster } from '../operator/helpers.js'

function crd(plural: string): Record<string, unknown> {
  return parse(readFileSync(new URL(`../../crds/generated/${plural}.tollgate.dev.yaml`, import.meta.url), 'utf8')) as Record<string, unknown>
}

async function deploy(c: Cluster, over: Partial<DeployOptions> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io: DeployIo = { stdout: (s) => (out += s), stderr: (s) => (err += s) }
  const opts: DeployOptions = { api: 'pets', stage: 'prod', namespace: NS, dryRun: false, output: undefined, description: undefined, kubeconfig: '', ...over }
  const code = await deployCommand(opts, c.kc, io)
  return { code, out, err }
}

const deployments = (c: Cluster) => c.server.objects('ApiDeployment', NS) as ResourceObject[]
const revisionOf = (c: Cluster, name: string) => (c.server.objects('Stage', NS).find((s) => (s.metadata as { name: string }).name === name)?.spec as { revision?: string }).revision

t.test('deploy, edit, deploy again, roll back', async (t) => {
  const a = await startServer((_req, res) => res.end('a'))
  const b = await startServer((_req, res) => res.end('b'))
  t.teardown(async () => {
    await a.close()
    await b.close()
  })
  const c = await cluster(t)
  for (const plural of ['apis', 'stages', 'apideployments']) c.server.registerCRD(crd(plural))
  const op = await operator(t, c)
  const p = await proxy(t, op)

  await create(c, api('pets', a.port))
  await create(c, stage('pets-prod', 'pets', 'prod'))
  await create(c, stage('pets-beta', 'pets', 'beta'))
  await eventually('prod serves a (autoDeploy)', async () => (await call(p, 'pets')).body === 'a')

  const dry = await deploy(c, { dryRun: true, output: 'yaml' })
  t.equal(dry.code, 0)
  const printed = parse(dry.out) as ResourceObject
  t.match(printed, { kind: 'ApiDeployment', metadata: { name: /^pets-[0-9a-f]{8}$/, namespace: NS, labels: { 'tollgate.dev/api': 'pets' } }, spec: { apiRef: { name: 'pets' } } })
  t.ok(validateResource(printed).ok, 'the printed manifest is valid')
  t.equal(deployments(c).length, 0, '--dry-run writes nothing')

  const first = await deploy(c)
  t.equal(first.code, 0, first.err)
  const v1 = (printed.metadata as { name: string }).name
  t.match(first.out, `created apideployment ${NS}/${v1}`)
  t.match(first.out, "was the Api's current spec (autoDeploy)")
  t.equal(revisionOf(c, 'pets-prod'), v1)
  await eventually('prod is Accepted on the deployment', () => statusOf(c, 'Stage', 'pets-prod').deployment === v1)

  // Edit the Api: beta (autoDeploy) follows, prod keeps serving v1.
  await patchSpec(c, 'apis', 'pets', { routes: [{ path: '/item', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${b.port}/item` } }] })
  await eventually('beta follows the Api', async () => (await call(p, 'pets', '/beta/item')).body === 'b')
  t.equal((await call(p, 'pets')).body, 'a', 'prod still serves its deployment')

  const second = await deploy(c)
  t.equal(second.code, 0, second.err)
  const v2 = revisionOf(c, 'pets-prod')!
  t.not(v2, v1)
  t.match(second.out, `was ${v1}`)
  t.match(second.out, `"revision":"${v1}"`, 'prints how to roll back')
  await eventually('prod serves b', async () => (await call(p, 'pets')).body === 'b')

  const again = await deploy(c)
  t.match(again.out, `unchanged apideployment ${NS}/${v2}`, 'deploying an unchanged spec creates nothing')
  t.equal(deployments(c).length, 2)

  // Roll back: one edit of the Stage.
  await c.co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'stages', name: 'pets-prod', body: { spec: { revision: v1 } } }, merge)
  await eventually('prod serves a again', async () => (await call(p, 'pets')).body === 'a')
  t.equal((await call(p, 'pets', '/beta/item')).body, 'b')
  await eventually('statuses name the deployments', () => statusOf(c, 'ApiDeployment', v1).stages?.[0] === 'pets-prod' && condition(c, 'ApiDeployment', v2, 'Programmed')?.reason === 'NotServed')

  const events = () => c.server.objects('Event', NS) as Array<Record<string, any>>
  await eventually('a Deployed event on the deployment', () =>
    events().some((e) => e.involvedObject.kind === 'ApiDeployment' && e.involvedObject.name === v1 && e.reason === 'Deployed' && e.message === 'served by Stage pets-prod'),
  )

  // A canary through the operator: 100% of prod on v2, then removed (both are edits).
  await c.co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'stages', name: 'pets-prod', body: { spec: { canary: { revision: v2, percentTraffic: 100 } } } }, merge)
  await eventually('the canary serves b', async () => (await call(p, 'pets')).body === 'b')
  await eventually('the canary in the status', () => statusOf(c, 'Stage', 'pets-prod').canaryDeployment === v2 && statusOf(c, 'ApiDeployment', v2).stages?.[0] === 'pets-prod')
  await c.co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'stages', name: 'pets-prod', body: { spec: { canary: null } } }, merge)
  await eventually('the canary is gone', async () => (await call(p, 'pets')).body === 'a')

  // Errors are messages, not stack traces.
  const noApi = await deploy(c, { api: 'nope' })
  t.equal(noApi.code, 1)
  t.match(noApi.err, `Api ${NS}/nope not found`)
  const noStage = await deploy(c, { stage: 'nope' })
  t.equal(noStage.code, 1)
  t.match(noStage.err, 'no Stage of Api default/pets is named nope')
})

t.test('the operator keeps a bounded history and never deletes a served deployment', async (t) => {
  const c = await cluster(t)
  await operator(t, c, { deploymentHistory: 2 })
  await create(c, api('pets', 1))
  const snapshot = (path: string) => ({ routes: [{ path, method: 'GET', integration: { type: 'MOCK' } }] })
  const add = (name: string, apiName = 'pets') =>
    c.co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apideployments', body: { apiVersion: `${G}/${V}`, kind: 'ApiDeployment', metadata: { name, namespace: NS }, spec: { apiRef: { name: apiName }, snapshot: snapshot(`/${name}`) } } })
  // The served one is the oldest: it would be the first to go if serving did not protect it.
  await add('pets-served')
  await c.co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'stages', body: { ...stage('pets-prod', 'pets'), spec: { apiRef: { name: 'pets' }, stageName: 'prod', revision: 'pets-served' } } })
  for (const n of [1, 2, 3, 4]) await add(`pets-old-${n}`)
  await add('other-1', 'other')
  await eventually('history pruned to 2 unserved per Api', () => deployments(c).filter((d) => (d.spec as { apiRef: { name: string } }).apiRef.name === 'pets').length === 3, 5000)
  const names = deployments(c).map((d) => (d.metadata as { name: string }).name)
  t.ok(names.includes('pets-served'), 'the served deployment is kept')
  t.ok(names.includes('other-1'), "another Api's history is counted on its own")
  t.equal(names.filter((n) => n.startsWith('pets-old-')).length, 2)
})

t.test('an Api the operator refused is not deployed', async (t) => {
  const c = await cluster(t)
  await operator(t, c)
  // A greedy variable that is not last: the compiler refuses the Api.
  await create(c, api('pets', 1, '/{proxy+}/x'))
  await create(c, stage('pets-prod', 'pets', 'prod'))
  await eventually('the Api is refused', () => condition(c, 'Api', 'pets', 'Accepted')?.status === 'False')
  const res = await deploy(c)
  t.equal(res.code, 1)
  t.match(res.err, /Api default\/pets is not accepted \(InvalidPath: .*\); fix it before deploying/)
  t.equal(deployments(c).length, 0)
  t.equal(revisionOf(c, 'pets-prod'), undefined, 'the Stage is untouched')
})
