// The test API server, exercised through the real @kubernetes/client-node, as the operator will use it.
import t from 'tap'
import { request } from 'node:http'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1Lease,
} from '@kubernetes/client-node'
import { startApiServer, type TestApiServer } from './apiserver.js'
import { waitFor } from '../helpers/servers.js'

const G = 'tollgate.dev'
const V = 'v1alpha1'
const NS = 'default'

type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown>; [k: string]: unknown }

/** The HTTP status and Status body of a failed client call. */
async function apiError(p: Promise<unknown>): Promise<{ code: number; status: Record<string, any> }> {
  try {
    await p
  } catch (e) {
    if (e instanceof ApiException) {
      const body = e.body as unknown
      return { code: e.code, status: typeof body === 'string' && body !== '' ? (JSON.parse(body) as Record<string, any>) : {} }
    }
    throw e
  }
  throw new Error('expected the call to fail')
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)

function api(name: string, spec: Record<string, unknown> = { protocol: 'HTTP' }): Obj {
  return { apiVersion: `${G}/${V}`, kind: 'Api', metadata: { name, namespace: NS }, spec }
}

let server: TestApiServer
t.before(async () => {
  server = await startApiServer({ bookmarkIntervalMs: 100 })
})
t.teardown(() => server.close())

t.test('custom objects: create, get, list, replace, patch, delete', async (t) => {
  const co = server.kubeconfig().makeApiClient(CustomObjectsApi)
  const created = (await co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', body: api('crud') })) as Obj
  t.match(created.metadata, { name: 'crud', namespace: NS, generation: 1, uid: /^[0-9a-f-]{36}$/, resourceVersion: /^\d+$/, creationTimestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ })
  t.equal(created.kind, 'Api')

  const again = await apiError(co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', body: api('crud') }))
  t.equal(again.code, 409)
  t.match(again.status, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'apis.tollgate.dev "crud" already exists', details: { name: 'crud', group: G, kind: 'apis' } })

  const generated = (await co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', body: { ...api(''), metadata: { generateName: 'gen-', namespace: NS } } })) as Obj
  t.match(generated.metadata?.name, /^gen-[a-z0-9]{5}$/)

  const got = (await co.getNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud' })) as Obj
  t.same(got.spec, { protocol: 'HTTP' })

  const list = (await co.listNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis' })) as { kind: string; metadata: { resourceVersion: string }; items: Obj[] }
  t.equal(list.kind, 'ApiList')
  t.equal(list.metadata.resourceVersion, String(server.resourceVersion()))
  t.ok(list.items.some((i) => i.metadata?.name === 'crud'))
  t.equal(list.items[0]!.kind, 'Api', 'custom resource list items carry their kind')

  const all = (await co.listCustomObjectForAllNamespaces({ group: G, version: V, resourcePlural: 'apis' })) as { items: Obj[] }
  t.ok(all.items.length >= 2)

  const replaced = (await co.replaceNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud', body: { ...got, spec: { protocol: 'REST' } } })) as Obj
  t.equal(replaced.metadata?.generation, 2)
  t.ok(Number(replaced.metadata?.resourceVersion) > Number(got.metadata?.resourceVersion))

  const noRv = await apiError(co.replaceNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud', body: api('crud', { protocol: 'WEBSOCKET' }) }))
  t.equal(noRv.code, 422)
  t.match(noRv.status, { reason: 'Invalid', message: 'Api.tollgate.dev "crud" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update', details: { name: 'crud', group: G, kind: 'Api', causes: [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion' }] } })

  const stale = await apiError(co.replaceNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud', body: { ...got, spec: { protocol: 'WEBSOCKET' } } }))
  t.equal(stale.code, 409)
  t.match(stale.status, {
    reason: 'Conflict',
    message: 'Operation cannot be fulfilled on apis.tollgate.dev "crud": the object has been modified; please apply your changes to the latest version and try again',
    details: { name: 'crud', group: G, kind: 'apis' },
  })

  const merged = (await co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud', body: { metadata: { labels: { team: 'a' } }, spec: { endpointType: 'REGIONAL' } } }, merge)) as Obj
  t.same(merged.spec, { protocol: 'REST', endpointType: 'REGIONAL' })
  t.equal(merged.metadata?.generation, 3)

  // The generated client's default patch content type is JSON patch.
  const jp = (await co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud', body: [{ op: 'replace', path: '/spec/protocol', value: 'HTTP' }, { op: 'remove', path: '/spec/endpointType' }] })) as Obj
  t.same(jp.spec, { protocol: 'HTTP' })
  t.equal(jp.metadata?.labels?.['team'], 'a')
  const last = server.requests.filter((r) => r.method === 'PATCH').at(-1)!
  t.equal(last.contentType, 'application/json-patch+json')

  const failedTest = await apiError(co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud', body: [{ op: 'test', path: '/spec/protocol', value: 'REST' }] }))
  t.equal(failedTest.code, 422)

  const smp = await apiError(co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud', body: { spec: {} } }, strategic))
  t.equal(smp.code, 415)
  t.match(smp.status, { reason: 'UnsupportedMediaType', message: /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/ })

  const patchStaleRv = await apiError(co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud', body: { metadata: { resourceVersion: '1' }, spec: { protocol: 'REST' } } }, merge))
  t.equal(patchStaleRv.code, 409, 'a resourceVersion in a patch is a precondition')

  const missing = await apiError(co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'nope', body: { spec: {} } }, merge))
  t.equal(missing.code, 404)
  t.match(missing.status, { reason: 'NotFound', message: 'apis.tollgate.dev "nope" not found' })

  const copied = await apiError(co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', body: { ...got, metadata: { name: 'copy', resourceVersion: got.metadata!.resourceVersion! } } }))
  t.match(copied, { code: 500, status: { message: 'resourceVersion should not be set on objects to be created' } }, 'creating a copy of a read object fails as on a real server')

  const noKind = await apiError(co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', body: { metadata: { name: 'nokind' } } }))
  t.equal(noKind.code, 400)

  const badName = await apiError(co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', body: api('Bad_Name') }))
  t.equal(badName.code, 422)
  t.match(badName.status.message, /metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/)

  const noNs = await apiError(co.createNamespacedCustomObject({ group: G, version: V, namespace: 'ghost', plural: 'apis', body: { ...api('x'), metadata: { name: 'x' } } }))
  t.equal(noNs.code, 404)
  t.match(noNs.status, { message: 'namespaces "ghost" not found' })

  const deleted = (await co.deleteNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud' })) as Obj
  t.equal(deleted.metadata?.name, 'crud', 'delete of a custom resource answers with the object')
  t.equal((await apiError(co.getNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'crud' }))).code, 404)
  await co.deleteNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: generated.metadata!.name! })
})

t.test('status subresource and generation', async (t) => {
  const co = server.kubeconfig().makeApiClient(CustomObjectsApi)
  const created = (await co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'stages', body: { apiVersion: `${G}/${V}`, kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: 'a' }, status: { ignored: true } } })) as Obj
  t.equal(created.status, undefined, 'create drops status')
  t.equal(created.metadata?.generation, 1)

  const withStatus = (await co.replaceNamespacedCustomObjectStatus({ group: G, version: V, namespace: NS, plural: 'stages', name: 'prod', body: { ...created, spec: { apiRef: 'changed' }, metadata: { ...created.metadata, labels: { ignored: 'yes' } }, status: { servedRevision: 'r1' } } })) as Obj
  t.same(withStatus.status, { servedRevision: 'r1' })
  t.same(withStatus.spec, { apiRef: 'a' }, 'a status write changes only status')
  t.equal(withStatus.metadata?.labels, undefined)
  t.equal(withStatus.metadata?.generation, 1, 'status changes do not bump generation')

  const staleStatus = await apiError(co.replaceNamespacedCustomObjectStatus({ group: G, version: V, namespace: NS, plural: 'stages', name: 'prod', body: { ...created, status: { servedRevision: 'r0' } } }))
  t.equal(staleStatus.code, 409)

  const patched = (await co.patchNamespacedCustomObjectStatus({ group: G, version: V, namespace: NS, plural: 'stages', name: 'prod', body: { status: { conditions: [{ type: 'Ready', status: 'True' }] }, spec: { apiRef: 'nope' } } }, merge)) as Obj
  t.same(patched.status, { servedRevision: 'r1', conditions: [{ type: 'Ready', status: 'True' }] })
  t.same(patched.spec, { apiRef: 'a' })
  t.equal(patched.metadata?.generation, 1)

  const mainWrite = (await co.replaceNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'stages', name: 'prod', body: { ...patched, spec: { apiRef: 'b' }, status: { servedRevision: 'overwritten?' } } })) as Obj
  t.equal(mainWrite.metadata?.generation, 2, 'spec changes bump generation')
  t.same(mainWrite.status, patched.status, 'main-resource writes ignore status')

  const labelsOnly = (await co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'stages', name: 'prod', body: { metadata: { labels: { x: 'y' } } } }, merge)) as Obj
  t.equal(labelsOnly.metadata?.generation, 2, 'metadata changes do not bump generation')

  const rv = labelsOnly.metadata?.resourceVersion
  const noop = (await co.patchNamespacedCustomObjectStatus({ group: G, version: V, namespace: NS, plural: 'stages', name: 'prod', body: { status: patched.status } }, merge)) as Obj
  t.equal(noop.metadata?.resourceVersion, rv, 'a write that changes nothing does not advance resourceVersion')
})

t.test('server-side apply through KubernetesObjectApi', async (t) => {
  const client = KubernetesObjectApi.makeApiClient(server.kubeconfig())
  const spec = { apiVersion: `${G}/${V}`, kind: 'UsagePlan', metadata: { name: 'gold', namespace: NS }, spec: { throttle: { rateLimit: 10, burstLimit: 20 }, description: 'x' } }
  const created = (await client.patch(spec, undefined, undefined, 'tollgate', undefined, PatchStrategy.ServerSideApply)) as Obj
  t.same(created.spec, spec.spec)
  t.equal(created.metadata?.generation, 1)
  const applyReq = server.requests.filter((r) => r.method === 'PATCH').at(-1)!
  t.equal(applyReq.contentType, 'application/apply-patch+yaml')
  t.equal(applyReq.fieldManager, 'tollgate')
  t.match(created.metadata?.managedFields, [{ manager: 'tollgate', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:throttle': { 'f:rateLimit': {} } } } }])

  // Dropping a field from the applied configuration removes it.
  const reapplied = (await client.patch({ ...spec, spec: { throttle: { rateLimit: 10, burstLimit: 20 } } }, undefined, undefined, 'tollgate', undefined, PatchStrategy.ServerSideApply)) as Obj
  t.same(reapplied.spec, { throttle: { rateLimit: 10, burstLimit: 20 } })

  // Another manager setting a field it does not own conflicts, unless forced.
  const other = { ...spec, spec: { throttle: { rateLimit: 99 } } }
  const c = await apiError(client.patch(other, undefined, undefined, 'someone-else', undefined, PatchStrategy.ServerSideApply))
  t.equal(c.code, 409)
  t.match(c.status.message, /Apply failed with 1 conflict: conflict with "tollgate": \.spec\.throttle\.rateLimit/)
  const forced = (await client.patch(other, undefined, undefined, 'someone-else', true, PatchStrategy.ServerSideApply)) as Obj
  t.equal((forced.spec?.['throttle'] as Record<string, unknown>)['rateLimit'], 99)

  // fieldManager is required for apply.
  const noManager = await apiError(client.patch(spec, undefined, undefined, undefined, undefined, PatchStrategy.ServerSideApply))
  t.equal(noManager.code, 422)

  // Apply to status changes only status.
  const co = server.kubeconfig().makeApiClient(CustomObjectsApi)
  const statusApplied = (await co.patchNamespacedCustomObjectStatus(
    { group: G, version: V, namespace: NS, plural: 'usageplans', name: 'gold', body: { apiVersion: `${G}/${V}`, kind: 'UsagePlan', metadata: { name: 'gold' }, status: { ready: true }, spec: { ignored: 1 } }, fieldManager: 'tollgate-status', force: true },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  )) as Obj
  t.same(statusApplied.status, { ready: true })
  t.notOk('ignored' in (statusApplied.spec ?? {}))
  t.equal(statusApplied.metadata?.generation, forced.metadata?.generation)

  // The generic client discovers the resource from /apis/tollgate.dev/v1alpha1.
  const read = (await client.read({ apiVersion: `${G}/${V}`, kind: 'UsagePlan', metadata: { name: 'gold', namespace: NS } })) as Obj
  t.same(read.status, { ready: true })
})

t.test('core: secrets, configmaps, services, namespaces', async (t) => {
  const core = server.kubeconfig().makeApiClient(CoreV1Api)
  const secret = await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'key' }, stringData: { value: 's3cret' } } })
  t.equal(secret.kind, 'Secret')
  t.equal(secret.type, 'Opaque')
  t.same(secret.data, { value: Buffer.from('s3cret').toString('base64') })
  t.equal(secret.metadata?.generation, undefined)

  // Core kinds accept updates without resourceVersion (unconditional), and strategic merge patch.
  const upd = await core.replaceNamespacedSecret({ namespace: NS, name: 'key', body: { metadata: { name: 'key' }, data: { value: Buffer.from('new').toString('base64') } } })
  t.equal(Buffer.from(upd.data!['value']!, 'base64').toString(), 'new')

  const list = await core.listNamespacedSecret({ namespace: NS })
  t.equal(list.items.length, 1)
  const rawList = await fetch(`${server.url}/api/v1/namespaces/${NS}/secrets`, { headers: { authorization: `Bearer ${server.token}` } }).then((r) => r.json() as Promise<{ kind: string; apiVersion: string; items: Record<string, unknown>[] }>)
  t.equal(rawList.kind, 'SecretList')
  t.equal(rawList.items[0]!['kind'], undefined, 'typed list items carry no kind, as on a real server')

  const svc = await core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'backend' }, spec: { selector: { app: 'b' }, ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] } } })
  t.match(svc.spec, { type: 'ClusterIP', clusterIP: /^10\.96\./, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 9090 }] })
  const patched = await core.patchNamespacedService({ namespace: NS, name: 'backend', body: { spec: { ports: [{ port: 80, targetPort: 8080 }] } } }, strategic)
  t.equal(patched.spec?.ports?.length, 2, 'strategic merge patch merges ports by key')
  t.equal(patched.spec?.ports?.[0]?.targetPort, 8080)
  const svcDelete = await core.deleteNamespacedService({ namespace: NS, name: 'backend' })
  t.ok(svcDelete)

  const badSvc = await apiError(core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'noports' }, spec: {} } }))
  t.equal(badSvc.code, 422)
  t.match(badSvc.status.message, /spec.ports: Required value/)

  const cm = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cfg', labels: { app: 'x' } }, data: { a: '1' } } })
  t.equal(cm.data?.['a'], '1')
  const byLabel = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'app in (x,y),!missing' })
  t.equal(byLabel.items.length, 1)
  const byField = await core.listNamespacedConfigMap({ namespace: NS, fieldSelector: 'metadata.name!=cfg' })
  t.equal(byField.items.length, 0)
  const badField = await apiError(core.listNamespacedConfigMap({ namespace: NS, fieldSelector: 'spec.x=1' }))
  t.equal(badField.code, 400)

  const ns = await core.createNamespace({ body: { metadata: { name: 'team-a' } } })
  t.equal(ns.status?.phase, 'Active')
  await core.createNamespacedSecret({ namespace: 'team-a', body: { metadata: { name: 's' } } })
  const delStatus = await core.deleteNamespacedSecret({ namespace: 'team-a', name: 's' })
  t.match(delStatus, { status: 'Success', details: { name: 's', kind: 'secrets' } })
  await core.deleteNamespace({ name: 'team-a' })
  t.equal((await apiError(core.readNamespace({ name: 'team-a' }))).code, 404)
})

t.test('events: core/v1 and events.k8s.io/v1 are the same objects', async (t) => {
  const kc = server.kubeconfig()
  const core = kc.makeApiClient(CoreV1Api)
  const ev1 = kc.makeApiClient(EventsV1Api)
  const now = new Date()
  await ev1.createNamespacedEvent({
    namespace: NS,
    body: {
      metadata: { name: 'api-ready.1' },
      eventTime: now,
      reportingController: 'tollgate.dev/operator',
      reportingInstance: 'operator-0',
      action: 'Reconcile',
      reason: 'Programmed',
      type: 'Normal',
      note: 'Api programmed',
      regarding: { apiVersion: `${G}/${V}`, kind: 'Api', name: 'x', namespace: NS },
    },
  })
  const asCore = await core.readNamespacedEvent({ namespace: NS, name: 'api-ready.1' })
  t.equal(asCore.message, 'Api programmed')
  t.equal(asCore.reportingComponent, 'tollgate.dev/operator')
  t.equal(asCore.involvedObject.kind, 'Api')
  const byReason = await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.kind=Api,reason=Programmed' })
  t.equal(byReason.items.length, 1)

  await core.createNamespacedEvent({ namespace: NS, body: { metadata: { name: 'legacy.1' }, involvedObject: { kind: 'Api', name: 'y', namespace: NS }, reason: 'Failed', message: 'bad', type: 'Warning', count: 1 } })
  const asV1 = await ev1.readNamespacedEvent({ namespace: NS, name: 'legacy.1' })
  t.equal(asV1.note, 'bad')
  t.equal(asV1.deprecatedCount, 1)

  const invalidEvent = await apiError(ev1.createNamespacedEvent({ namespace: NS, body: { metadata: { name: 'bad.1' }, eventTime: now } }))
  t.equal(invalidEvent.code, 422, 'events.k8s.io/v1 requires reportingController, action, reason, …')
})

t.test('leases: optimistic concurrency for leader election', async (t) => {
  const leases = server.kubeconfig().makeApiClient(CoordinationV1Api)
  const now = new Date()
  const lease: V1Lease = { metadata: { name: 'tollgate-operator', namespace: NS }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 } }
  const created = await leases.createNamespacedLease({ namespace: NS, body: lease })
  t.equal(created.spec?.holderIdentity, 'a')
  // client-node sends MicroTime as JavaScript's ISO string and hands it back as a string.
  t.equal(String(created.spec?.renewTime), now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'), 'MicroTime is served with six fraction digits')

  // Two candidates read the same version; only the first write wins.
  const seenByA = await leases.readNamespacedLease({ namespace: NS, name: 'tollgate-operator' })
  const seenByB = await leases.readNamespacedLease({ namespace: NS, name: 'tollgate-operator' })
  await leases.replaceNamespacedLease({ namespace: NS, name: 'tollgate-operator', body: { ...seenByA, spec: { ...seenByA.spec, renewTime: new Date() } } })
  const lost = await apiError(leases.replaceNamespacedLease({ namespace: NS, name: 'tollgate-operator', body: { ...seenByB, spec: { ...seenByB.spec, holderIdentity: 'b', leaseTransitions: 1 } } }))
  t.equal(lost.code, 409)
  t.match(lost.status.message, /^Operation cannot be fulfilled on leases.coordination.k8s.io "tollgate-operator": the object has been modified/)
  const current = await leases.readNamespacedLease({ namespace: NS, name: 'tollgate-operator' })
  t.equal(current.spec?.holderIdentity, 'a')
})

t.test('failNext injects one error', async (t) => {
  const co = server.kubeconfig().makeApiClient(CustomObjectsApi)
  const f = server.failNext('list', 'apis', 500)
  const e = await apiError(co.listNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis' }))
  t.equal(e.code, 500)
  t.equal(e.status['reason'], 'InternalError')
  t.ok(f.fired)
  await co.listNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis' })

  const created = (await co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', body: api('faulty') })) as Obj
  server.failNext('update', 'apis/status', { code: 409, reason: 'Conflict', message: 'injected' })
  const c = await apiError(co.replaceNamespacedCustomObjectStatus({ group: G, version: V, namespace: NS, plural: 'apis', name: 'faulty', body: { ...created, status: { a: 1 } } }))
  t.equal(c.code, 409)
  t.equal(c.status['message'], 'injected')
  const ok = (await co.replaceNamespacedCustomObjectStatus({ group: G, version: V, namespace: NS, plural: 'apis', name: 'faulty', body: { ...created, status: { a: 1 } } })) as Obj
  t.same(ok.status, { a: 1 })
  await co.deleteNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apis', name: 'faulty' })
})

function names(objs: readonly KubernetesObject[]): string[] {
  return objs.map((o) => o.metadata!.name!).sort()
}

t.test('informer: events, broken watches, 410 and relist', async (t) => {
  const kc = server.kubeconfig()
  const co = kc.makeApiClient(CustomObjectsApi)
  const ns = 'informer'
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } })
  const path = `/apis/${G}/${V}/namespaces/${ns}/apis`
  const informer = makeInformer<KubernetesObject>(kc, path, () => co.listNamespacedCustomObject({ group: G, version: V, namespace: ns, plural: 'apis' }) as never)
  const seen: string[] = []
  const errors: unknown[] = []
  let restart = true
  informer.on('add', (o) => seen.push(`add ${o.metadata!.name!}`))
  informer.on('update', (o) => seen.push(`update ${o.metadata!.name!}`))
  informer.on('delete', (o) => seen.push(`delete ${o.metadata!.name!}`))
  informer.on('error', (err) => {
    errors.push(err)
    // client-node informers stop for good on any error but 410; an operator restarts them.
    if (restart) setTimeout(() => void informer.start(), 50)
  })
  await informer.start()
  t.teardown(() => informer.stop())
  await waitFor(() => server.openWatches('apis') > 0, 5000, 'watch')

  const create = (name: string, spec: Record<string, unknown> = {}) => co.createNamespacedCustomObject({ group: G, version: V, namespace: ns, plural: 'apis', body: { ...api(name, spec), metadata: { name, namespace: ns } } })
  await create('one')
  await co.patchNamespacedCustomObject({ group: G, version: V, namespace: ns, plural: 'apis', name: 'one', body: { spec: { protocol: 'REST' } } }, merge)
  await create('two')
  await co.deleteNamespacedCustomObject({ group: G, version: V, namespace: ns, plural: 'apis', name: 'two' })
  await waitFor(() => seen.length === 4, 5000, 'four informer events')
  t.same(seen, ['add one', 'update one', 'add two', 'delete two'])

  // A broken connection is an error for the informer; restarted, it resumes from its resourceVersion.
  const before = server.requests.filter((r) => r.verb === 'list' && r.path === path).length
  t.equal(server.breakWatches(), 1)
  await waitFor(() => errors.length === 1, 5000, 'informer error')
  await waitFor(() => server.openWatches('apis') > 0, 5000, 'watch again')
  await create('three')
  await waitFor(() => seen.includes('add three'), 5000, 'add three')
  t.equal(server.requests.filter((r) => r.verb === 'list' && r.path === path).length, before, 'no relist after a resumable break')
  const resumed = server.requests.filter((r) => r.verb === 'watch' && r.path === path).at(-1)!
  t.match(resumed.query, /resourceVersion=\d+/)

  // A graceful end (server-side timeout) is not an error: the informer reconnects by itself.
  server.breakWatches({ graceful: true })
  await waitFor(() => server.openWatches('apis') > 0, 5000, 'watch after graceful end')
  t.equal(errors.length, 1)

  // Changes while disconnected, then compaction: the informer's watch gets 410 and it relists.
  restart = false
  server.breakWatches()
  await waitFor(() => errors.length === 2, 5000, 'second error')
  await co.deleteNamespacedCustomObject({ group: G, version: V, namespace: ns, plural: 'apis', name: 'one' })
  await create('four')
  server.compactHistory()
  const lists = server.requests.filter((r) => r.verb === 'list' && r.path === path).length
  await informer.start()
  await waitFor(() => names(informer.list(ns)).join() === 'four,three', 5000, 'converged cache')
  t.ok(server.requests.filter((r) => r.verb === 'list' && r.path === path).length > lists, 'relisted after 410')
  await waitFor(() => server.openWatches('apis') > 0, 5000, 'watch after relist')
  const expiredWatch = server.requests.filter((r) => r.verb === 'watch' && r.path === path).at(-2)!
  t.equal(expiredWatch.status, 200, 'the 410 arrives as an ERROR event in a 200 watch response')
  t.ok(seen.includes('delete one'), 'the relist reports what disappeared')
  t.ok(seen.includes('add four'))
})

t.test('Watch class: bookmarks, selectors and the 410 ERROR event', async (t) => {
  const kc = server.kubeconfig()
  const co = kc.makeApiClient(CustomObjectsApi)
  const watch = new Watch(kc)
  const events: { type: string; obj: Obj }[] = []
  let done: unknown = 'open'
  const rv = String(server.resourceVersion())
  const req = await watch.watch(
    `/apis/${G}/${V}/namespaces/${NS}/authorizers`,
    { allowWatchBookmarks: true, resourceVersion: rv, labelSelector: 'tier=gold' },
    (type, obj) => events.push({ type, obj: obj as Obj }),
    (err) => {
      done = err
    },
  )
  await waitFor(() => events.some((e) => e.type === 'BOOKMARK'), 5000, 'bookmark')
  const bm = events.find((e) => e.type === 'BOOKMARK')!.obj
  t.match(bm, { kind: 'Authorizer', apiVersion: `${G}/${V}`, metadata: { resourceVersion: /^\d+$/ } })

  const body = { apiVersion: `${G}/${V}`, kind: 'Authorizer', metadata: { name: 'jwt', labels: { tier: 'silver' } }, spec: { type: 'JWT' } }
  await co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'authorizers', body })
  await co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'authorizers', name: 'jwt', body: { metadata: { labels: { tier: 'gold' } } } }, merge)
  await co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'authorizers', name: 'jwt', body: { spec: { type: 'TOKEN' } } }, merge)
  await co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'authorizers', name: 'jwt', body: { metadata: { labels: { tier: 'silver' } } } }, merge)
  await waitFor(() => events.filter((e) => e.type !== 'BOOKMARK').length === 3, 5000, 'selector events')
  t.same(events.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED'], 'objects entering and leaving a selector are ADDED and DELETED')
  req.abort()

  // A watch from a compacted resourceVersion: one ERROR event with a 410 Status, then the end.
  server.compactHistory()
  await co.deleteNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'authorizers', name: 'jwt' })
  const expired: { type: string; obj: Record<string, unknown> }[] = []
  let ended = false
  await watch.watch(`/apis/${G}/${V}/namespaces/${NS}/authorizers`, { resourceVersion: rv }, (type, obj) => expired.push({ type, obj }), () => {
    ended = true
  })
  await waitFor(() => ended, 5000, 'expired watch to end')
  t.equal(expired.length, 1)
  t.match(expired[0], { type: 'ERROR', obj: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: `too old resource version: ${rv} (${server.resourceVersion() - 1})` } })
})

function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; chunks: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: string[] = []
    const req = request(`${server.url}${path}`, { headers }, (res) => {
      res.setEncoding('utf8')
      res.on('data', (c: string) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, chunks, body: chunks.join('') }))
    })
    req.on('error', reject)
    req.end()
  })
}

t.test('raw HTTP: 401 without the token, newline-delimited watch stream', async (t) => {
  const anon = await rawGet('/api/v1/namespaces')
  t.equal(anon.status, 401)
  t.match(JSON.parse(anon.body), { kind: 'Status', reason: 'Unauthorized', code: 401 })
  const bad = await rawGet('/apis', { authorization: 'Bearer wrong' })
  t.equal(bad.status, 401)

  const auth = { authorization: `Bearer ${server.token}` }
  const w = await rawGet(`/api/v1/namespaces?watch=true&timeoutSeconds=1`, auth)
  t.equal(w.status, 200)
  t.equal(w.headers['content-type'], 'application/json')
  t.equal(w.headers['transfer-encoding'], 'chunked')
  const lines = w.body.split('\n')
  t.equal(lines.at(-1), '', 'every event ends with a newline')
  const events = lines.slice(0, -1).map((l) => JSON.parse(l) as { type: string; object: { kind: string; metadata: { name: string } } })
  t.ok(events.length >= 4)
  t.ok(events.every((e) => e.type === 'ADDED' && e.object.kind === 'Namespace'), 'a watch without resourceVersion starts with the current state')
  t.ok(events.some((e) => e.object.metadata.name === 'default'))

  const apis = JSON.parse((await rawGet('/apis', auth)).body) as { groups: { name: string; preferredVersion: { version: string } }[] }
  t.match(apis.groups.find((g) => g.name === G), { preferredVersion: { version: V } })
  const gv = JSON.parse((await rawGet(`/apis/${G}/${V}`, auth)).body) as { resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[] }
  t.match(gv.resources.find((r) => r.name === 'apis'), { namespaced: true, kind: 'Api', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] })
  t.match(gv.resources.find((r) => r.name === 'apis/status'), { kind: 'Api', verbs: ['get', 'patch', 'update'] })
  t.equal(gv.resources.filter((r) => !r.name.includes('/')).length, 7)
  const core = JSON.parse((await rawGet('/api/v1', auth)).body) as { resources: { name: string; namespaced: boolean }[] }
  t.match(core.resources.find((r) => r.name === 'namespaces'), { namespaced: false })
  t.equal((await rawGet('/healthz', auth)).body, 'ok')
  t.match(JSON.parse((await rawGet('/version', auth)).body), { major: '1', gitVersion: /^v1\./ })
  const crossNs = await fetch(`${server.url}/apis/${G}/${V}/apis`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(api('x')) })
  t.equal(crossNs.status, 405, 'the all-namespaces path of a namespaced resource serves only list and watch')
  const unknown = await rawGet('/apis/nope.dev/v1/things', auth)
  t.equal(unknown.status, 404)
})

t.test('registerCRD: a real schema prunes, defaults and validates; CRDs via the API', async (t) => {
  server.registerCRD({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'domainnames.tollgate.dev' },
    spec: {
      group: G,
      scope: 'Namespaced',
      names: { plural: 'domainnames', singular: 'domainname', kind: 'DomainName', listKind: 'DomainNameList' },
      versions: [
        {
          name: V,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['domainName'],
                  properties: {
                    domainName: { type: 'string', pattern: '^[a-z0-9.-]+$' },
                    securityPolicy: { type: 'string', enum: ['TLS_1_0', 'TLS_1_2'], default: 'TLS_1_2' },
                    mappings: { type: 'array', items: { type: 'object', properties: { basePath: { type: 'string' } } } },
                  },
                },
                status: {
                  type: 'object',
                  properties: {
                    conditions: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' } } } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  })
  const co = server.kubeconfig().makeApiClient(CustomObjectsApi)
  const dn = (await co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'domainnames', body: { apiVersion: `${G}/${V}`, kind: 'DomainName', metadata: { name: 'api' }, spec: { domainName: 'api.example.com', unknownField: 1, mappings: [{ basePath: 'v1', extra: true }] } } })) as Obj
  t.same(dn.spec, { domainName: 'api.example.com', securityPolicy: 'TLS_1_2', mappings: [{ basePath: 'v1' }] }, 'unknown fields pruned, defaults applied')
  const bad = await apiError(co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'domainnames', body: { apiVersion: `${G}/${V}`, kind: 'DomainName', metadata: { name: 'bad' }, spec: { domainName: 'NOPE!', securityPolicy: 'SSL' } } }))
  t.equal(bad.code, 422)
  t.match(bad.status.message, /spec.domainName: Invalid value: "NOPE!"/)
  t.match(bad.status.message, /spec.securityPolicy: Unsupported value: "SSL": supported values: "TLS_1_0", "TLS_1_2"/)
  const required = await apiError(co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'domainnames', body: { apiVersion: `${G}/${V}`, kind: 'DomainName', metadata: { name: 'bad' }, spec: {} } }))
  t.match(required.status.message, /spec.domainName: Required value/)
  const st = (await co.patchNamespacedCustomObjectStatus({ group: G, version: V, namespace: NS, plural: 'domainnames', name: 'api', body: { status: { conditions: [{ type: 'Ready', status: 'True', bogus: 1 }], junk: 1 } } }, merge)) as Obj
  t.same(st.status, { conditions: [{ type: 'Ready', status: 'True' }] }, 'status is pruned too')

  // Creating a CRD through the API serves a new resource.
  const client = KubernetesObjectApi.makeApiClient(server.kubeconfig())
  const crd = await client.create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.dev' },
    spec: { group: 'example.dev', scope: 'Cluster', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }] },
  } as KubernetesObject)
  // (client-node's typed CRD model silently drops 'x-kubernetes-*' keys; it wants 'x_kubernetes_*' names.)
  t.match(crd, { status: { conditions: [{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }] } })
  const w = (await client.create({ apiVersion: 'example.dev/v1', kind: 'Widget', metadata: { name: 'w1' }, anything: { goes: true } } as KubernetesObject)) as Obj
  t.same(w['anything'], { goes: true })
  t.equal(w.metadata?.namespace, undefined, 'cluster-scoped')
  const badCrd = await apiError(client.create({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'wrong' }, spec: { group: 'example.dev', scope: 'Cluster', names: { plural: 'gadgets', kind: 'Gadget' }, versions: [{ name: 'v1', served: true, storage: true }] } } as KubernetesObject))
  t.equal(badCrd.code, 422)
  let widgetWatchEnded = false
  const widgetEvents: string[] = []
  await new Watch(server.kubeconfig()).watch('/apis/example.dev/v1/widgets', {}, (type) => widgetEvents.push(type), () => {
    widgetWatchEnded = true
  })
  await waitFor(() => widgetEvents.length === 1, 5000, 'widget ADDED')
  await client.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.dev' } } as KubernetesObject)
  await waitFor(() => widgetWatchEnded, 5000, 'the watch of a deleted CRD to end')
  t.same(widgetEvents, ['ADDED', 'DELETED'])
  t.equal((await rawGet('/apis/example.dev/v1/widgets', { authorization: `Bearer ${server.token}` })).status, 404)
})

t.test('finalizers hold deletion until removed', async (t) => {
  const co = server.kubeconfig().makeApiClient(CustomObjectsApi)
  await co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apikeys', body: { apiVersion: `${G}/${V}`, kind: 'ApiKey', metadata: { name: 'k', finalizers: ['tollgate.dev/secret'] }, spec: {} } })
  const deleting = (await co.deleteNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apikeys', name: 'k' })) as Obj
  t.ok(deleting.metadata?.deletionTimestamp)
  t.equal(deleting.metadata?.generation, 2)
  t.equal(server.objects('ApiKey', NS).length, 1)
  const noNew = await apiError(co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apikeys', name: 'k', body: { metadata: { finalizers: ['tollgate.dev/secret', 'other'] } } }, merge))
  t.equal(noNew.code, 422)
  await co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apikeys', name: 'k', body: { metadata: { finalizers: null } } }, merge)
  t.equal(server.objects('ApiKey', NS).length, 0)
})

t.test('list pagination with limit and continue', async (t) => {
  const core = server.kubeconfig().makeApiClient(CoreV1Api)
  await core.createNamespace({ body: { metadata: { name: 'paged' } } })
  for (const n of ['a', 'b', 'c', 'd', 'e']) await core.createNamespacedConfigMap({ namespace: 'paged', body: { metadata: { name: n } } })
  const first = await core.listNamespacedConfigMap({ namespace: 'paged', limit: 2 })
  t.same(first.items.map((i) => i.metadata?.name), ['a', 'b'])
  t.equal(first.metadata?.remainingItemCount, 3)
  const second = await core.listNamespacedConfigMap({ namespace: 'paged', limit: 2, _continue: first.metadata!._continue! })
  t.same(second.items.map((i) => i.metadata?.name), ['c', 'd'])
  const third = await core.listNamespacedConfigMap({ namespace: 'paged', limit: 2, _continue: second.metadata!._continue! })
  t.same(third.items.map((i) => i.metadata?.name), ['e'])
  t.notOk(third.metadata?._continue)
})

t.test('a child process reaches the server through KUBECONFIG', async (t) => {
  const file = server.kubeconfigFile()
  const script = `
    import { KubeConfig, CoreV1Api } from '@kubernetes/client-node'
    const kc = new KubeConfig(); kc.loadFromDefault()
    const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'default' })
    console.log(ns.metadata.name)`
  // Asynchronously: the server runs in this process.
  const r = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, KUBECONFIG: file }, encoding: 'utf8', timeout: 30_000 })
  t.equal(r.stdout.trim(), 'default', r.stderr)
})

t.test('seed and objects', async (t) => {
  const seeded = server.seed({ apiVersion: `${G}/${V}`, kind: 'Stage', metadata: { name: 'seeded', namespace: NS }, spec: { apiRef: 'x' } })
  t.equal(seeded['kind'], 'Stage')
  t.ok(server.objects('stages').some((o) => (o['metadata'] as { name: string }).name === 'seeded'))
  t.ok(server.objects('Stage.tollgate.dev', NS).length >= 1)
})

t.test('dryRun, deletecollection, watch of one object, sendInitialEvents', async (t) => {
  const core = server.kubeconfig().makeApiClient(CoreV1Api)
  await core.createNamespace({ body: { metadata: { name: 'misc' } } })
  const dry = await core.createNamespacedConfigMap({ namespace: 'misc', body: { metadata: { name: 'dry' } }, dryRun: 'All' })
  t.equal(dry.metadata?.name, 'dry')
  t.equal(server.objects('ConfigMap', 'misc').length, 0, 'dryRun persists nothing')

  for (const n of ['x1', 'x2', 'y1']) await core.createNamespacedConfigMap({ namespace: 'misc', body: { metadata: { name: n, labels: { group: n[0]! } } } })
  await core.deleteCollectionNamespacedConfigMap({ namespace: 'misc', labelSelector: 'group=x' })
  t.same(server.objects('ConfigMap', 'misc').map((o) => (o['metadata'] as { name: string }).name), ['y1'])

  const auth = { authorization: `Bearer ${server.token}` }
  const rv = server.resourceVersion()
  await core.patchNamespacedConfigMap({ namespace: 'misc', name: 'y1', body: { data: { a: '1' } } }, merge)
  await core.createNamespacedConfigMap({ namespace: 'misc', body: { metadata: { name: 'y2' } } })
  const one = await rawGet(`/api/v1/namespaces/misc/configmaps/y1?watch=1&resourceVersion=${rv}&timeoutSeconds=1`, auth)
  t.same(one.body.trim().split('\n').map((l) => (JSON.parse(l) as { type: string; object: { metadata: { name: string } } })).map((e) => `${e.type} ${e.object.metadata.name}`), ['MODIFIED y1'])

  const initial = await rawGet(`/api/v1/namespaces/misc/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`, auth)
  const evs = initial.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name?: string; annotations?: Record<string, string> } } })
  t.same(evs.slice(0, 3).map((e) => e.type), ['ADDED', 'ADDED', 'BOOKMARK'])
  t.same(evs[2]!.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' })

  const legacy = await rawGet(`/api/v1/watch/namespaces/misc/configmaps?resourceVersion=${rv}&timeoutSeconds=1`, auth)
  t.equal(legacy.body.trim().split('\n').length, 2, 'the legacy /watch/ path streams too')
  const nsStatus = JSON.parse((await rawGet('/api/v1/namespaces/misc/status', auth)).body) as { kind: string; status: { phase: string } }
  t.match(nsStatus, { kind: 'Namespace', status: { phase: 'Active' } })

  const schemaless = await rawGet('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', auth)
  t.equal(schemaless.status, 200)
  t.ok((JSON.parse(schemaless.body) as { items: unknown[] }).items.length >= 6, 'the built-in CRDs are listed')
})
