// The plain manifests (deploy/, `kubectl apply -k deploy/`): deploy/base/tollgate.yaml is the
// chart rendered with its default values, and stays so (UPDATE_GOLDEN=1 or `npm run chart:deploy`
// rewrites it); kustomize renders the base and the whole kit into valid objects.
import t, { type Test } from 'tap'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import {
  deployDir,
  describe,
  kubectlPath,
  mkOverlay,
  parseManifests,
  renderChart,
  renderKustomize,
  repoRoot,
  schemaProblems,
  strictFieldProblems,
  type K8sObject,
} from './helpers.js'

t.setTimeout(15 * 60_000)

const namespace = 'tollgate-system'
/** The only value that differs from the chart's defaults: plain manifests cannot generate a token. */
export const deployValues = { streamToken: { existingSecret: 'tollgate-stream-token' } }
const renderedFile = join(deployDir, 'base/tollgate.yaml')

const header = `# Rendered from charts/tollgate with its default values (stream token from the Secret
# tollgate-stream-token) by \`npm run chart:deploy\`. Do not edit: change the chart and re-render;
# test/chart/deploy.test.ts fails when this file is out of date.
`

/** Helm's bookkeeping labels make no sense outside Helm. */
function dehelm(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dehelm)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (k === 'labels' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const labels: Record<string, unknown> = { ...(v as Record<string, unknown>) }
      delete labels['helm.sh/chart']
      if (labels['app.kubernetes.io/managed-by'] === 'Helm') labels['app.kubernetes.io/managed-by'] = 'kustomize'
      out[k] = labels
    } else {
      out[k] = dehelm(v)
    }
  }
  return out
}

// Helm's install order, so the file reads top-down and does not depend on the renderer's order.
const kindOrder = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'ConfigMap',
  'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'DaemonSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'Ingress',
]
function order(o: K8sObject): string {
  const i = kindOrder.indexOf(o.kind)
  return `${String(i < 0 ? 99 : i).padStart(2, '0')} ${o.kind} ${o.metadata.namespace ?? ''} ${o.metadata.name}`
}

function renderDeploy(): string {
  const objs = renderChart(deployValues, { release: 'tollgate', namespace })
    .map((o) => dehelm(o) as K8sObject)
    .sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
  // YAML 1.1 output, so that strings such as "no" or "on" are quoted for kubectl's parser.
  return header + objs.map((o) => `---\n# ${o.kind} ${o.metadata.name}\n${stringify(o, { version: '1.1', lineWidth: 0 })}`).join('')
}

t.test('deploy/base/tollgate.yaml is the chart rendered with the default values', async (t) => {
  const fresh = renderDeploy()
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(renderedFile, fresh)
    t.pass(`wrote ${renderedFile}`)
    return
  }
  t.ok(existsSync(renderedFile), `${renderedFile} exists (npm run chart:deploy)`)
  const current = existsSync(renderedFile) ? readFileSync(renderedFile, 'utf8') : ''
  t.same(parseManifests(current), parseManifests(fresh), 'the rendered objects are current — run `npm run chart:deploy` after changing the chart')
  t.equal(current, fresh, 'and byte for byte')
})

function checkObjects(t: Test, objs: K8sObject[]): void {
  t.same(schemaProblems(objs), [], 'every object valid against its Kubernetes schema')
  t.same(strictFieldProblems(objs), [], 'no unknown fields')
  for (const o of objs) {
    if (['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) continue
    t.equal(o.metadata.namespace, namespace, `${describe(o)} in ${namespace}`)
  }
}

t.test('kubectl kustomize deploy/base: the namespace and the chart objects', async (t) => {
  kubectlPath()
  const objs = renderKustomize(join(deployDir, 'base'))
  checkObjects(t, objs)
  const ns = objs.find((o) => o.kind === 'Namespace')
  t.equal(ns?.metadata.name, namespace)
  t.equal(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted', 'the namespace enforces the restricted Pod Security Standard')
  const fromChart = parseManifests(renderDeploy())
  const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`
  t.same(objs.filter((o) => o.kind !== 'Namespace').map(key).sort(), fromChart.map(key).sort(), 'the same objects as the chart')
  t.notOk(objs.some((o) => o.kind === 'Secret'), 'no Secret: the stream token is created by the user')
  const sa = objs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'tollgate-proxy')
  t.equal(sa?.automountServiceAccountToken, false)
})

t.test('a kustomize overlay can move the base to another namespace', async (t) => {
  kubectlPath()
  const overlay = mkOverlay([join(deployDir, 'base')], { namespace: 'edge' })
  const objs = renderKustomize(overlay)
  for (const o of objs) {
    if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) continue
    t.equal(o.metadata.namespace, 'edge', `${describe(o)} moved`)
  }
  const crb = objs.find((o) => o.kind === 'ClusterRoleBinding')
  t.equal((crb?.subjects as Array<{ namespace: string }>)[0]?.namespace, 'edge', 'the ClusterRoleBinding follows the ServiceAccount')
  const proxy = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'tollgate-proxy') as any
  t.ok(proxy.spec.template.spec.containers[0].args.includes('--operator-url=ws://tollgate-operator:8081/v1/config'), 'proxies find the operator by its short name')
})

t.test('kubectl kustomize deploy/: the CRDs and the base', async (t) => {
  kubectlPath()
  const generated = join(repoRoot, 'crds/generated')
  if (!existsSync(generated)) {
    t.fail('crds/generated/ does not exist: generate the CRDs (npm run gen), then copy them with npm run chart:crds')
    return
  }
  let objs: K8sObject[]
  try {
    objs = renderKustomize(deployDir)
  } catch (err) {
    t.fail(`kubectl kustomize deploy/ failed — are the CRDs copied (npm run chart:crds)?\n${(err as Error).message}`)
    return
  }
  checkObjects(t, objs)
  const crds = objs.filter((o) => o.kind === 'CustomResourceDefinition')
  t.ok(crds.length > 0, 'the CRDs are included')
  for (const c of crds) t.equal((c.spec as { group: string }).group, 'tollgate.dev', `${describe(c)} is a Tollgate CRD`)
  t.ok(objs.some((o) => o.kind === 'Deployment' && o.metadata.name === 'tollgate-operator'))
  t.ok(objs.some((o) => o.kind === 'Deployment' && o.metadata.name === 'tollgate-proxy'))
})
