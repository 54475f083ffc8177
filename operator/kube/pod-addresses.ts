// The pod address index the proxies use for tollgate:SourceNamespace (ADR 0007): every Pod's
// addresses with its namespace, watched cluster-wide, published on the config stream beside
// (never inside) the GatewayConfig, so pod churn does not change the config hash.
//
// Only addresses that identify one pod's namespace are published: hostNetwork pods (they share
// the node's address with everything on the node) and finished pods (Succeeded, Failed: their
// address may be handed to a new pod) are left out, and an address two namespaces claim (a
// reused address seen before the old pod's deletion) is left out until it is unambiguous.
// Changes are coalesced (hold-off) and an index equal to the last one is not re-sent.
import { CoreV1Api, makeInformer, type KubeConfig, type KubernetesListObject, type V1Pod } from '@kubernetes/client-node'
import { keepAlive, type KeptInformer } from './informer.js'

type PodLike = Pick<V1Pod, 'metadata' | 'spec' | 'status'>

/** [address, namespace] pairs, sorted, from the pods given. Pure. */
export function podAddresses(pods: readonly PodLike[]): Array<[string, string]> {
  const byIp = new Map<string, string | null>()
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace
    if (namespace === undefined || pod.spec?.hostNetwork === true) continue
    const phase = pod.status?.phase
    if (phase === 'Succeeded' || phase === 'Failed') continue
    const ips = new Set<string>()
    if (pod.status?.podIP) ips.add(pod.status.podIP)
    for (const p of pod.status?.podIPs ?? []) if (p.ip) ips.add(p.ip)
    for (const ip of ips) {
      const seen = byIp.get(ip)
      byIp.set(ip, seen === undefined || seen === namespace ? namespace : null)
    }
  }
  const out: Array<[string, string]> = []
  for (const [ip, namespace] of byIp) if (namespace !== null) out.push([ip, namespace])
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

export interface PodIndexOptions {
  log: (line: string) => void
  /** Coalescing delay between a pod change and publishing (default 1000 ms). */
  holdOffMs?: number
  backoff?: { initialMs: number; maxMs: number }
  /** Receives each new index. */
  publish(pods: Array<[string, string]>): void
}

export interface PodIndexSource {
  readonly synced: Promise<void>
  stop(): Promise<void>
}

/** Watches every Pod (list/watch pods cluster-wide) and publishes the address index on change. */
export function startPodIndex(kc: KubeConfig, opts: PodIndexOptions): PodIndexSource {
  const core = kc.makeApiClient(CoreV1Api)
  const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces() as Promise<KubernetesListObject<V1Pod>>)
  const holdOffMs = opts.holdOffMs ?? 1000
  let timer: NodeJS.Timeout | null = null
  let last = ''
  let stopped = false

  const flush = () => {
    timer = null
    if (stopped) return
    const pods = podAddresses(informer.list())
    const text = JSON.stringify(pods)
    if (text === last) return
    last = text
    opts.publish(pods)
  }
  const changed = () => {
    if (timer === null && kept.isSynced) timer = setTimeout(flush, holdOffMs)
  }
  informer.on('add', changed)
  informer.on('update', changed)
  informer.on('delete', changed)
  const kept: KeptInformer<V1Pod> = keepAlive(informer, 'pods', { log: opts.log, ...(opts.backoff ? { backoff: opts.backoff } : {}) })
  const synced = kept.synced.then(flush)
  return {
    synced,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await kept.stop()
    },
  }
}
