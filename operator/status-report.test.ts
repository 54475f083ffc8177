// The /status document from a real compile: APIs, stages (revision, deployment, canary, URL),
// fleet states and convergence, problems (errors, warnings, refused edits), and no secret of
// the config in it.
import t from 'tap'
import { createHash } from 'node:crypto'
import { parseManifests, type LoadProblem } from './sources/files.js'
import { LastKnownGood } from './last-known-good.js'
import { buildStatusReport, type ReportProxy, type StatusInput } from './status-report.js'
import type { ResourceObject } from '../crds/validate.js'

const OPTS = { domain: 'example.test', defaultNamespace: 'default', endpoint: { scheme: 'https' as const } }

function resources(yaml: string): ResourceObject[] {
  const problems: LoadProblem[] = []
  const out = parseManifests(yaml, 'test.yaml', 'default', problems).map((r) => r.resource)
  if (problems.length > 0) throw new Error(JSON.stringify(problems))
  return out
}

const PETS = `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: pets}
spec:
  apiId: pets000001
  routes:
    - {path: /pets, method: GET, integration: {type: MOCK}}
    - {path: /pets/new, method: GET, integration: {type: MOCK}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiDeployment
metadata: {name: pets-v1}
spec:
  apiRef: {name: pets}
  snapshot:
    routes:
      - {path: /pets, method: GET, integration: {type: MOCK}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: pets-prod}
spec:
  apiRef: {name: pets}
  stageName: prod
  revision: pets-v1
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: pets-beta}
spec:
  apiRef: {name: pets}
  stageName: beta
  canary: {revision: pets-v1, percentTraffic: 12.5}
`

function input(over: Partial<StatusInput> & Pick<StatusInput, 'statuses' | 'rejected'>): StatusInput {
  return { source: 'operator', now: new Date('2025-03-01T12:00:00Z'), published: null, proxies: [], convergedAt: null, ...over }
}

t.test('APIs and stages: revision, deployment, canary and URL', async (t) => {
  const { result, rejected } = new LastKnownGood(OPTS).reconcile(resources(PETS))
  const config = result.config
  const current = config.apis[0]!.stages.find((s) => s.name === 'beta')!.revision
  const deployed = config.apis[0]!.stages.find((s) => s.name === 'prod')!.revision
  t.not(current, deployed, 'two revisions')
  const report = buildStatusReport(input({ statuses: result.statuses, rejected, published: { config, at: new Date('2025-03-01T11:00:00Z') } }))
  t.same(report.config, { hash: config.hash, publishedAt: '2025-03-01T11:00:00.000Z', domain: 'example.test' })
  t.same(report.apis, [
    {
      id: 'pets000001',
      name: 'default/pets',
      protocol: 'REST',
      endpointType: 'REGIONAL',
      revisions: [current, deployed].sort(),
      stages: [
        { name: 'beta', resource: 'default/pets-beta', revision: current, url: 'https://pets000001.execute-api.example.test/beta', canary: { revision: deployed, deployment: 'pets-v1', percentTraffic: 12.5 } },
        { name: 'prod', resource: 'default/pets-prod', revision: deployed, deployment: 'pets-v1', url: 'https://pets000001.execute-api.example.test/prod' },
      ],
    },
  ])
  t.same(report.problems, [])
})

t.test('no secrets: key digests, cache encryption keys, SigV4 secrets and stage variables stay out', async (t) => {
  const keyValue = 'StatusKeyValue0123456789abcdef'
  const cacheSecret = 'status-cache-secret-0123456789abcdef'
  const sigv4 = 'status-sigv4-secret-0123456789abcdefghij'
  const variable = 'status-variable-password-42'
  const yaml = `${PETS}
---
apiVersion: v1
kind: Secret
metadata: {name: keys}
stringData: {gold: ${keyValue}, cache: ${cacheSecret}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: gold}
spec:
  valueFrom: {secretKeyRef: {name: keys, key: gold}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: gold}
spec:
  apiStages: [{apiRef: {name: pets}, stage: cached}]
  apiKeys: [{name: gold}]
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: pets-cached}
spec:
  apiRef: {name: pets}
  stageName: cached
  variables: {password: ${variable}}
  cache: {enabled: true, encrypted: true, keySecretRef: {name: keys, key: cache}}
  canary: {revision: pets-v1, percentTraffic: 1, variableOverrides: {password: canary-${variable}}}
---
apiVersion: v1
kind: Secret
metadata: {name: robot, labels: {tollgate.dev/iam-identity: 'true'}}
stringData:
  accessKeyId: AKIASTATUS000000001
  secretAccessKey: ${sigv4}
  policy: '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}}'
`
  const { result, rejected } = new LastKnownGood(OPTS).reconcile(resources(yaml))
  const config = result.config
  const digest = createHash('sha256').update(keyValue).digest('hex')
  const encryptionKey = config.apis[0]!.stages.find((s) => s.name === 'cached')!.cache!.encryptionKey!
  // The config does carry them: the report is what must not.
  const configText = JSON.stringify(config)
  for (const secret of [digest, encryptionKey, sigv4, variable]) t.ok(configText.includes(secret), `the config carries ${secret.slice(0, 12)}…`)
  const proxies: ReportProxy[] = [{ id: 'p', ackedHash: config.hash, nack: null }]
  const text = JSON.stringify(buildStatusReport(input({ statuses: result.statuses, rejected, published: { config, at: new Date() }, proxies })))
  t.ok(text.includes('"cached"'), 'the stage is listed')
  for (const secret of [keyValue, digest, encryptionKey, cacheSecret, sigv4, variable, 'AKIASTATUS000000001']) t.notOk(text.includes(secret), `${secret.slice(0, 12)}… is not in /status`)
})

t.test('fleet: Programmed, Pending, Rejected against the published hash; converged only when all ACKed', async (t) => {
  const { result, rejected } = new LastKnownGood(OPTS).reconcile(resources(PETS))
  const config = result.config
  const hash = config.hash
  const old = 'a'.repeat(64)
  const published = { config, at: new Date('2025-03-01T11:00:00Z') }
  const proxies: ReportProxy[] = [
    { id: 'p-ok', ackedHash: hash, nack: null, replica: 'operator-a', remoteAddress: '10.0.0.1', connectedAt: new Date('2025-03-01T10:00:00Z') },
    { id: 'p-refusing', ackedHash: old, nack: { hash, reason: 'cannot serve api pets000001' } },
    { id: 'p-behind', ackedHash: old, nack: { hash: 'b'.repeat(64), reason: 'an older refusal' } },
    { id: 'p-new', ackedHash: '', nack: null },
  ]
  const convergedAt = new Date('2025-03-01T11:00:01Z')
  const report = buildStatusReport(input({ statuses: result.statuses, rejected, published, proxies, convergedAt }))
  t.match(report.fleet, { hash, total: 4, programmed: 1, pending: 2, rejected: 1, convergence: `1/4 at ${hash.slice(0, 12)}` })
  t.equal(report.fleet.convergedAt, undefined, 'not converged: no convergedAt')
  t.same(
    report.fleet.proxies.map((p) => [p.id, p.state]),
    [
      ['p-behind', 'Pending'],
      ['p-new', 'Pending'],
      ['p-ok', 'Programmed'],
      ['p-refusing', 'Rejected'],
    ],
  )
  t.same(report.fleet.proxies.find((p) => p.id === 'p-ok'), { id: 'p-ok', state: 'Programmed', ackedHash: hash, replica: 'operator-a', address: '10.0.0.1', connectedAt: '2025-03-01T10:00:00.000Z' })
  t.same(report.fleet.proxies.find((p) => p.id === 'p-refusing')?.nack, { hash, reason: 'cannot serve api pets000001' })

  const all = buildStatusReport(input({ statuses: result.statuses, rejected, published, proxies: [proxies[0]!], convergedAt }))
  t.equal(all.fleet.convergence, `1/1 at ${hash.slice(0, 12)}`)
  t.equal(all.fleet.convergedAt, '2025-03-01T11:00:01.000Z')

  const none = buildStatusReport(input({ statuses: [], rejected: [], proxies: [{ id: 'p', ackedHash: '', nack: null }] }))
  t.equal(none.config, null)
  t.same(none.apis, [])
  t.equal(none.fleet.convergence, 'no config published')
  t.equal(none.fleet.proxies[0]!.state, 'Pending')
})

t.test('problems: errors, warnings, refused edits (kept) with file and line, and file problems', async (t) => {
  const lkg = new LastKnownGood(OPTS)
  const good = `${PETS}
---
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: edited}
spec:
  routes: [{path: /a, method: GET, integration: {type: MOCK}}]
`
  lkg.reconcile(resources(good))
  const bad = `${good.replace('path: /a,', 'path: a,')}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: orphan}
spec: {apiRef: {name: nowhere}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: pets-vars}
spec:
  apiRef: {name: edited}
  stageName: vars
  methodSettings:
    /nothing/GET: {throttlingRateLimit: 1, throttlingBurstLimit: 1}
`
  const { result, rejected } = lkg.reconcile(resources(bad))
  const origins = new Map([['Api/default/edited', { file: 'apis/edited.yaml', line: 3 }]])
  const fileProblems = [{ file: 'apis/broken.yaml', line: 2, reason: 'YamlSyntaxError', message: 'unexpected end' }]
  const report = buildStatusReport(input({ source: 'standalone', statuses: result.statuses, rejected, published: { config: result.config, at: new Date() }, origins, fileProblems }))
  t.same(report.problems[0], { kind: 'File', namespace: '', name: 'apis/broken.yaml', severity: 'error', reason: 'YamlSyntaxError', field: '', message: 'unexpected end', file: 'apis/broken.yaml', line: 2 })
  t.match(report.problems[1], { kind: 'Api', namespace: 'default', name: 'edited', severity: 'error', field: 'spec.routes[0].path', kept: true, file: 'apis/edited.yaml', line: 3 })
  t.match(
    report.problems.find((p) => p.name === 'orphan'),
    { kind: 'Stage', severity: 'error', reason: 'ApiNotFound' },
  )
  t.equal(report.problems.find((p) => p.name === 'orphan')?.kept, undefined, 'never valid: nothing kept')
  t.match(report.problems.find((p) => p.name === 'pets-vars'), { kind: 'Stage', severity: 'warning', reason: 'RouteNotFound', field: 'spec.methodSettings["/nothing/GET"]' })
  t.ok(report.apis.some((a) => a.stages.some((s) => s.name === 'vars')), 'a stage with a warning is served')
  t.ok(report.apis.some((a) => a.name === 'default/edited'), 'the previous version of the edited Api keeps serving')
})
