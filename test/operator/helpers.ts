// Helpers of the operator feature tests: a test API server, the real operator in-process with
// short durations, real proxies subscribed to it, and client-node clients to drive it.
import type { Test } from 'tap'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node'
import { startApiServer, type TestApiServer } from '../kube/apiserver.js'
import { startOperator, type Operator, type OperatorOptions } from '../../operator/operator.js'
import { startProxy, type ProxyProcess } from '../../cli/proxy.js'
import type { ProxyOptions } from '../../cli/options.js'

export const TOKEN = 'operator-test-stream-token'
export const G = 'tollgate.dev'
export const V = 'v1alpha1'
export const NS = 'default'
export const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

export interface Cluster {
  server: TestApiServer
  kc: KubeConfig
  co: CustomObjectsApi
  core: CoreV1Api
}

export async function cluster(t: Test): Promise<Cluster> {
  const server = await startApiServer()
  t.teardown(() => server.close())
  const kc = server.kubeconfig()
  return { server, kc, co: kc.makeApiClient(CustomObjectsApi), core: kc.makeApiClient(CoreV1Api) }
}

export function operatorOptions(over: Partial<OperatorOptions> = {}): OperatorOptions {
  return {
    streamPort: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    streamToken: TOKEN,
    leaderElect: false,
    leaseName: 'tollgate-operator',
    leaseNamespace: NS,
    identity: 'operator-a',
    namespaces: [],
    domain: 'localhost',
    endpointScheme: 'http',
    endpointPort: 8080,
    holdOffMs: 20,
    timing: {
      leaseDurationMs: 1000,
      renewMs: 200,
      retryMs: 100,
      watchBackoff: { initialMs: 50, maxMs: 500 },
      statusBackoff: { initialMs: 50, maxMs: 500 },
      heartbeatMs: 1000,
      fleet: { debounceMs: 20, refreshMs: 300, staleMs: 1500 },
    },
    ...over,
  }
}

export async function operator(t: Test, c: Cluster, over: Partial<OperatorOptions> = {}, logs: string[] = []): Promise<Operator> {
  const op = await startOperator(operatorOptions(over), c.kc, (l) => logs.push(l))
  t.teardown(() => op.stop())
  return op
}

export function streamUrl(op: Operator): string {
  return `ws://127.0.0.1:${op.streamPort}/v1/config`
}

export async function proxy(t: Test, op: Operator | string, id = 'proxy-a', over: Partial<ProxyOptions> = {}): Promise<ProxyProcess> {
  const opts: ProxyOptions = {
    operatorUrl: typeof op === 'string' ? op : streamUrl(op),
    streamTokenFile: '',
    proxyId: id,
    host: '127.0.0.1',
    port: 0,
    privatePort: 0,
    adminPort: 0,
    configCache: join(mkdtempSync(join(tmpdir(), 'tollgate-op-')), 'lkg.json'),
    redisUrl: '',
    shutdownGraceMs: 0,
    drainTimeoutMs: 2000,
    ...over,
  }
  const p = await startProxy(opts, TOKEN, () => {})
  t.teardown(() => p.shutdown())
  return p
}

export function api(name: string, backendPort: number, path = '/item', apiId = name): Record<string, unknown> {
  return {
    apiVersion: `${G}/${V}`,
    kind: 'Api',
    metadata: { name, namespace: NS },
    spec: { apiId, routes: [{ path, method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backendPort}/item` } }] },
  }
}

export function stage(name: string, apiName: string, stageName = 'prod'): Record<string, unknown> {
  return { apiVersion: `${G}/${V}`, kind: 'Stage', metadata: { name, namespace: NS }, spec: { apiRef: { name: apiName }, stageName } }
}

export async function create(c: Cluster, obj: Record<string, unknown>): Promise<void> {
  const plural = obj.kind === 'Api' ? 'apis' : 'stages'
  await c.co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural, body: obj })
}

export async function patchSpec(c: Cluster, plural: string, name: string, spec: unknown): Promise<void> {
  await c.co.patchNamespacedCustomObject({ group: G, version: V, namespace: NS, plural, name, body: { spec } }, merge)
}

/** The stored status of an object, as the API server serves it. */
export function statusOf(c: Cluster, kind: string, name: string): Record<string, any> {
  const obj = c.server.objects(kind, NS).find((o) => (o.metadata as { name?: string }).name === name)
  return ((obj?.status ?? {}) as Record<string, any>)
}

export function condition(c: Cluster, kind: string, name: string, type: string): Record<string, any> | undefined {
  return (statusOf(c, kind, name).conditions as Array<Record<string, any>> | undefined)?.find((x) => x.type === type)
}

export async function call(p: ProxyProcess, apiId: string, path = '/prod/item'): Promise<{ status: number; body: string }> {
  const r = await request(`http://127.0.0.1:${p.port}${path}`, { headers: { host: `${apiId}.execute-api.localhost:${p.port}` } })
  return { status: r.statusCode, body: await r.body.text() }
}

export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now()
  for (;;) {
    if (await check()) return
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
