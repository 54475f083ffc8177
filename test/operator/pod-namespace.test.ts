// tollgate:SourceNamespace end to end: the operator watches Pods on a test API server and sends
// the pod address index to a real proxy beside the config; a PRIVATE Api's resource policy
// admits callers by the namespace of the pod whose address they call from (ADR 0007).
import t from 'tap'
import { request } from 'undici'
import type { V1Pod } from '@kubernetes/client-node'
import { cluster, create, eventually, G, merge, NS, operator, proxy, stage, V, type Cluster } from './helpers.js'
import type { ProxyProcess } from '../../cli/proxy.js'
import { startServer } from '../helpers/servers.js'

async function runningPod(c: Cluster, namespace: string, name: string, ip: string, hostNetwork = false): Promise<void> {
  const body: V1Pod = { metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'busybox' }], hostNetwork } }
  await c.core.createNamespacedPod({ namespace, body })
  await c.core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } } }, merge)
}

async function callPrivate(p: ProxyProcess, apiId: string): Promise<number> {
  const r = await request(`http://127.0.0.1:${p.privatePort}/prod/item`, { headers: { host: `${apiId}.execute-api.localhost` } })
  await r.body.dump()
  return r.statusCode
}

t.test('a PRIVATE Api admits callers by their pod\'s namespace', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  for (const name of ['shop', 'web']) await c.core.createNamespace({ body: { metadata: { name } } })
  const logs: string[] = []
  const op = await operator(t, c, { podNamespaceIndex: true, timing: { watchBackoff: { initialMs: 50, maxMs: 500 }, podIndexHoldOffMs: 20 } }, logs)
  await c.co.createNamespacedCustomObject({
    group: G,
    version: V,
    namespace: NS,
    plural: 'apis',
    body: {
      apiVersion: `${G}/${V}`,
      kind: 'Api',
      metadata: { name: 'orders', namespace: NS },
      spec: {
        apiId: 'orders',
        endpointType: 'PRIVATE',
        policy: {
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringEquals: { 'tollgate:SourceNamespace': 'shop' } } }],
        },
        routes: [{ path: '/item', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backend.port}/item` } }],
      },
    },
  })
  await create(c, stage('orders-prod', 'orders'))
  const p = await proxy(t, op)
  await eventually('config served', () => p.gateway.config?.apis.some((a) => a.id === 'orders') === true)
  t.equal(await callPrivate(p, 'orders'), 403, 'no pod has the caller\'s address yet: no namespace, no Allow')

  // The test client calls from 127.0.0.1: a pod of namespace shop "has" that address.
  await runningPod(c, 'shop', 'client', '127.0.0.1')
  await eventually('shop admitted', async () => (await callPrivate(p, 'orders')) === 200)
  t.pass('a caller from a pod of namespace shop is admitted')
  t.match(logs.join('\n'), /published pod index \(1 addresses\)/)

  // The pod goes away and the address is reused by a pod of another namespace.
  await c.core.deleteNamespacedPod({ name: 'client', namespace: 'shop' })
  await runningPod(c, 'web', 'other', '127.0.0.1')
  await eventually('web refused', async () => (await callPrivate(p, 'orders')) === 403)
  t.pass('the same address in namespace web is refused')

  // A hostNetwork pod shares the node's address: it never attributes the address to a namespace.
  await c.core.deleteNamespacedPod({ name: 'other', namespace: 'web' })
  await runningPod(c, 'shop', 'node-agent', '127.0.0.1', true)
  await new Promise((r) => setTimeout(r, 200))
  t.equal(await callPrivate(p, 'orders'), 403, 'hostNetwork pods are left out of the index')

  // A proxy that connects later gets the current index on connect.
  await c.core.deleteNamespacedPod({ name: 'node-agent', namespace: 'shop' })
  await runningPod(c, 'shop', 'client2', '127.0.0.1')
  await eventually('shop admitted again', async () => (await callPrivate(p, 'orders')) === 200)
  const late = await proxy(t, op, 'proxy-b')
  await eventually('late proxy has the index', async () => late.gateway.config !== undefined && (await callPrivate(late, 'orders')) === 200)
  t.pass('a proxy connecting later gets the index with the config')
})
