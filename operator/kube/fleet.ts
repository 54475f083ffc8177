// Fleet state across operator replicas. Proxies may subscribe to any replica, but only the
// leader writes statuses, so every replica reports the proxies connected to it in a ConfigMap
// of its own (`<lease-name>-fleet-<identity>`, label tollgate.dev/fleet=<lease-name>, in the
// Lease's namespace), and every replica watches those ConfigMaps. The leader's view of the
// fleet is its own proxies plus the other replicas' reports; a report that has not been
// refreshed for `staleMs` (its replica is gone) is ignored, and a replica that stops deletes
// its report.
import { CoreV1Api, makeInformer, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesListObject, type V1ConfigMap } from '@kubernetes/client-node'
import type { ProxyState } from '../publish/stream-server.js'
import { keepAlive, type KeptInformer } from './informer.js'

export const FLEET_LABEL = 'tollgate.dev/fleet'

export interface FleetProxy {
  id: string
  ackedHash: string
  nack: { hash: string; reason: string } | null
  /** others(): the replica that reported the proxy (not written to reports: the report names it). */
  replica?: string
}

export interface FleetRegistryOptions {
  namespace: string
  /** The Lease name: replicas of one operator share it. */
  group: string
  identity: string
  log: (line: string) => void
  /** A report older than this is ignored (default 60 s). */
  staleMs?: number
  /** Each replica rewrites its report at least this often (default 20 s). */
  refreshMs?: number
  /** Changes are written at most this often (default 250 ms). */
  debounceMs?: number
  backoff?: { initialMs: number; maxMs: number }
  now?: () => number
}

interface Report {
  replica: string
  updatedAt: number
  proxies: FleetProxy[]
}

export function reportName(group: string, identity: string): string {
  const safe = identity.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '')
  return `${group}-fleet-${safe || 'replica'}`.slice(0, 253).replace(/[-.]+$/, '')
}

export class FleetRegistry {
  private readonly api: CoreV1Api
  private readonly watch: KeptInformer<V1ConfigMap>
  private readonly name: string
  private readonly now: () => number
  private pending: FleetProxy[] | null = null
  private timer: NodeJS.Timeout | null = null
  private readonly refresher: NodeJS.Timeout
  private last: FleetProxy[] = []
  private writing: Promise<void> = Promise.resolve()
  private stopped = false
  private readonly listeners = new Set<() => void>()

  constructor(kc: KubeConfig, private readonly opts: FleetRegistryOptions) {
    this.api = kc.makeApiClient(CoreV1Api)
    this.name = reportName(opts.group, opts.identity)
    this.now = opts.now ?? Date.now
    const selector = `${FLEET_LABEL}=${opts.group}`
    const informer = makeInformer<V1ConfigMap>(
      kc,
      `/api/v1/namespaces/${opts.namespace}/configmaps`,
      () => this.api.listNamespacedConfigMap({ namespace: opts.namespace, labelSelector: selector }) as Promise<KubernetesListObject<V1ConfigMap>>,
      selector,
    )
    const changed = () => {
      for (const l of this.listeners) l()
    }
    informer.on('add', changed)
    informer.on('update', changed)
    informer.on('delete', changed)
    this.watch = keepAlive(informer, `fleet reports in ${opts.namespace}`, { log: opts.log, backoff: opts.backoff })
    this.refresher = setInterval(() => this.report(this.last), opts.refreshMs ?? 20_000)
    this.refresher.unref()
  }

  get synced(): Promise<void> {
    return this.watch.synced
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener)
  }

  /** Records this replica's proxies; written to its ConfigMap after the debounce. */
  report(proxies: readonly ProxyState[] | readonly FleetProxy[]): void {
    if (this.stopped) return
    this.last = proxies.map((p) => ({ id: p.id, ackedHash: p.ackedHash, nack: p.nack }))
    this.pending = this.last
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.opts.debounceMs ?? 250)
  }

  /** The proxies the other replicas reported, without stale reports. */
  others(): FleetProxy[] {
    const out: FleetProxy[] = []
    const now = this.now()
    const staleMs = this.opts.staleMs ?? 60_000
    for (const cm of this.watch.informer.list()) {
      if (cm.metadata?.name === this.name) continue
      const report = parseReport(cm)
      if (report === null || now - report.updatedAt > staleMs) continue
      for (const p of report.proxies) out.push({ id: p.id, ackedHash: p.ackedHash, nack: p.nack ?? null, replica: report.replica })
    }
    return out
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.refresher)
    if (this.timer) clearTimeout(this.timer)
    await this.writing
    await this.watch.stop()
    await this.api.deleteNamespacedConfigMap({ name: this.name, namespace: this.opts.namespace }).catch(() => {})
  }

  private flush(): void {
    this.timer = null
    const proxies = this.pending
    this.pending = null
    if (proxies === null || this.stopped) return
    this.writing = this.writing.then(() => this.write(proxies)).catch((err: unknown) => {
      this.opts.log(`cannot write the fleet report ${this.name}: ${(err as Error).message}`)
      // Retried by the next change or the periodic refresh.
    })
  }

  private async write(proxies: FleetProxy[]): Promise<void> {
    const report: Report = { replica: this.opts.identity, updatedAt: this.now(), proxies }
    const body: V1ConfigMap = {
      metadata: { name: this.name, namespace: this.opts.namespace, labels: { [FLEET_LABEL]: this.opts.group } },
      data: { 'fleet.json': JSON.stringify(report) },
    }
    try {
      await this.api.patchNamespacedConfigMap(
        { name: this.name, namespace: this.opts.namespace, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err
      await this.api.createNamespacedConfigMap({ namespace: this.opts.namespace, body })
    }
  }
}

function parseReport(cm: V1ConfigMap): Report | null {
  const text = cm.data?.['fleet.json']
  if (text === undefined) return null
  try {
    const r = JSON.parse(text) as Partial<Report>
    if (typeof r.updatedAt !== 'number' || !Array.isArray(r.proxies)) return null
    return { replica: String(r.replica ?? ''), updatedAt: r.updatedAt, proxies: r.proxies.filter((p): p is FleetProxy => typeof p?.id === 'string' && typeof p.ackedHash === 'string') }
  } catch {
    return null
  }
}
