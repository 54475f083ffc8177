// Deployments end to end (ADR 0012): manifests compiled by the real compiler, served by a real
// gateway, called through HTTP. A pinned stage keeps serving its ApiDeployment while the Api is
// edited; deploying moves it; rolling back is one edit of the Stage; autoDeploy follows the Api.
import t from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { startGateway, startUpstream, type Running, type Upstream } from '../proxy/helpers.js'

const OPTS = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' as const, port: 8080 } }

let v1: Upstream
let v2: Upstream
let gw: Running

function tagged(tag: string): Promise<Upstream> {
  return startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ tag, url: req.url }))
  })
}

function apiSpec(origin: string, extraRoute = false): Record<string, unknown> {
  const routes: unknown[] = [{ path: '/pets', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${origin}/pets` } }]
  if (extraRoute) routes.push({ path: '/new', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${origin}/new` } })
  return { apiId: 'pets', routes }
}

const api = (spec: Record<string, unknown>): ResourceObject => ({ apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'pets' }, spec })
const deployment = (name: string, spec: Record<string, unknown>): ResourceObject => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'ApiDeployment',
  metadata: { name },
  spec: { apiRef: { name: 'pets' }, snapshot: spec },
})
const stage = (name: string, revision?: string): ResourceObject => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'Stage',
  metadata: { name },
  spec: { apiRef: { name: 'pets' }, ...(revision !== undefined ? { revision } : {}) },
})

function apply(resources: ResourceObject[]): Record<string, { status: Record<string, unknown>; reasons: string[] }> {
  const result = compile(resources, OPTS)
  gw.gateway.apply(result.config)
  return Object.fromEntries(result.statuses.map((s) => [`${s.ref.kind}/${s.ref.name}`, { status: s.status, reasons: s.problems.map((p) => p.reason) }]))
}

async function tagOf(stageName: string, path = '/pets'): Promise<string | number> {
  const res = await gw.fetch('pets', `/${stageName}${path}`)
  return res.status === 200 ? (res.json() as { tag: string }).tag : res.status
}

t.before(async () => {
  v1 = await tagged('v1')
  v2 = await tagged('v2')
  gw = await startGateway(null)
})
t.teardown(async () => {
  await gw.close()
  await v1.close()
  await v2.close()
})

t.test('a revision keeps serving after the Api is edited, until deployed; rollback; autoDeploy', async (t) => {
  const specV1 = apiSpec(v1.origin)
  const specV2 = apiSpec(v2.origin, true)
  // Deployed v1 to prod; beta has no revision (autoDeploy).
  let statuses = apply([api(specV1), deployment('pets-v1', specV1), stage('prod', 'pets-v1'), stage('beta')])
  t.same(statuses['Stage/prod']!.reasons, [])
  t.equal(statuses['Stage/prod']!.status.deployment, 'pets-v1')
  t.equal(await tagOf('prod'), 'v1')
  t.equal(await tagOf('beta'), 'v1')

  // The Api is edited: beta follows at once, prod does not (a new route included).
  statuses = apply([api(specV2), deployment('pets-v1', specV1), stage('prod', 'pets-v1'), stage('beta')])
  t.equal(await tagOf('prod'), 'v1', 'the pinned stage serves its deployment')
  t.equal(await tagOf('prod', '/new'), 403, 'a route added after the deployment is not served by the pinned stage')
  t.equal(await tagOf('beta'), 'v2', 'autoDeploy follows the Api')
  t.equal(await tagOf('beta', '/new'), 'v2')
  t.not(statuses['Stage/prod']!.status.revision, statuses['Stage/beta']!.status.revision, 'two revisions served side by side')
  t.same(statuses['ApiDeployment/pets-v1']!.status.stages, ['prod'])

  // Deploy: a new ApiDeployment, the Stage pointed at it.
  statuses = apply([api(specV2), deployment('pets-v1', specV1), deployment('pets-v2', specV2), stage('prod', 'pets-v2'), stage('beta')])
  t.equal(await tagOf('prod'), 'v2')
  t.equal(await tagOf('prod', '/new'), 'v2')
  t.same(statuses['ApiDeployment/pets-v1']!.status.stages, [], 'the old deployment is history')

  // Roll back: one edit of the Stage.
  apply([api(specV2), deployment('pets-v1', specV1), deployment('pets-v2', specV2), stage('prod', 'pets-v1'), stage('beta')])
  t.equal(await tagOf('prod'), 'v1')
  t.equal(await tagOf('prod', '/new'), 403)
  t.equal(await tagOf('beta'), 'v2')
})

t.test('a Stage naming a deleted deployment is not served; the others keep serving', async (t) => {
  const spec = apiSpec(v1.origin)
  const statuses = apply([api(spec), stage('prod', 'pets-gone'), stage('beta')])
  t.same(statuses['Stage/prod']!.reasons, ['RevisionNotFound'])
  t.equal(await tagOf('prod'), 403, 'unknown stage: 403 as API Gateway answers')
  t.equal(await tagOf('beta'), 'v1')
})
