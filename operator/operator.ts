// The operator: kube source → hold-off → compile (through LastKnownGood) → publish to the config
// stream; and, on the leader only, statuses and Events.
//
// Every replica watches, compiles and serves the stream (proxies may connect to any of them);
// only the Lease holder writes statuses and Events. Any change (an object, a proxy's ACK or
// NACK, a proxy connecting or leaving, leadership) recomputes the desired statuses, and the
// StatusWriter writes only what differs.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KubeConfig } from '@kubernetes/client-node'
import type { ResourceObject } from '../crds/validate.js'
import type { GatewayConfig } from '../proxy/config/schema.js'
import { canonicalJson } from '../proxy/config/hash.js'
import { refKey, type ResourceRef } from './compile/types.js'
import { LastKnownGood, type ReconcileResult } from './last-known-good.js'
import { ConfigStream } from './publish/stream-server.js'
import { createOperatorAdmin, type OperatorAdmin } from './admin.js'
import { startKubeSource, type KubeSource } from './kube/source.js'
import { StatusWriter } from './kube/status-writer.js'
import { EventRecorder, plannedEvents } from './kube/events.js'
import { alwaysLeader, startLeaderElection, type Elector } from './kube/lease.js'
import { desiredStatuses, type FleetState } from './kube/status.js'
import { FleetRegistry } from './kube/fleet.js'
import { OperatorMetrics } from './metrics.js'
import { KeyGenerator } from './kube/generated-keys.js'
import { DEFAULT_DEPLOYMENT_HISTORY, DeploymentPruner } from './kube/deployment-history.js'
import { startPodIndex, type PodIndexSource } from './kube/pod-addresses.js'
import { buildStatusReport, type ReportProxy, type StatusReport } from './status-report.js'

export interface OperatorOptions {
  /** Config stream port (WebSocket /v1/config); 0 picks a free one. */
  streamPort: number
  /** /healthz and /readyz port; 0 picks a free one. */
  metricsPort: number
  host: string
  streamToken: string
  leaderElect: boolean
  leaseName: string
  leaseNamespace: string
  /** Holder identity in the Lease and reporting instance of Events (POD_NAME). */
  identity: string
  /** Namespaces to watch; empty: all. */
  namespaces: string[]
  domain: string
  endpointScheme: 'http' | 'https'
  endpointPort: number
  /** Coalescing delay between a change and the compile (default 100 ms). */
  holdOffMs: number
  /** Region and account in ARNs (--region, --account-id); absent: us-east-1 / 000000000000. */
  arn?: { region: string; accountId: string }
  /** Where Lambda ARN uris of function integrations are invoked (--function-endpoint); absent: such uris are errors. */
  functionEndpoint?: string
  /**
   * Watch Pods cluster-wide and publish their address → namespace index to the proxies, for
   * tollgate:SourceNamespace in resource policies (ADR 0007). Needs list/watch on pods.
   */
  podNamespaceIndex?: boolean
  /**
   * Unserved ApiDeployments kept per Api; the leader deletes older ones (default 10,
   * `--deployment-history`). Deployments a Stage serves are never deleted.
   */
  deploymentHistory?: number
  /** Durations, shortened by tests. */
  timing?: {
    leaseDurationMs?: number
    renewMs?: number
    retryMs?: number
    watchBackoff?: { initialMs: number; maxMs: number }
    statusBackoff?: { initialMs: number; maxMs: number }
    heartbeatMs?: number
    /** Coalescing of pod changes before the pod index is published (default 1000 ms). */
    podIndexHoldOffMs?: number
    /** Fleet reports across replicas (fleet.ts): debounce, refresh and staleness. */
    fleet?: { debounceMs?: number; refreshMs?: number; staleMs?: number }
  }
}

export interface Operator {
  readonly stream: ConfigStream
  readonly streamPort: number
  readonly metricsPort: number
  readonly ready: boolean
  readonly leading: boolean
  /** The config last published ('null' before the first compile). */
  readonly config: GatewayConfig | null
  readonly statusWriter: StatusWriter
  readonly events: EventRecorder
  /** What /status on the metrics port answers (`tollgate status`). */
  status(): StatusReport
  /** Resolves after pending changes are compiled and published and queued status writes landed. */
  settled(): Promise<void>
  /** Graceful stop: releases the Lease (unless `releaseLease` is false: tests simulate a crash), closes the stream. */
  stop(opts?: { releaseLease?: boolean }): Promise<void>
}

export async function startOperator(opts: OperatorOptions, kc: KubeConfig, log: (line: string) => void): Promise<Operator> {
  const timing = opts.timing ?? {}
  const compileOpts = {
    domain: opts.domain,
    defaultNamespace: 'default',
    endpoint: { scheme: opts.endpointScheme, port: opts.endpointPort },
    ...(opts.arn ? { arn: opts.arn } : {}),
    ...(opts.functionEndpoint !== undefined ? { functionEndpoint: opts.functionEndpoint } : {}),
  }
  const lkg = new LastKnownGood(compileOpts)
  let leading = false
  const stream: ConfigStream = new ConfigStream({
    token: opts.streamToken,
    log,
    heartbeatMs: timing.heartbeatMs,
    onMessage: (type) => {
      if (type !== 'hello') metrics.ack(type)
    },
  })
  const metrics = new OperatorMetrics({ leading: () => leading, hash: () => stream.currentHash, proxies: () => stream.proxies() })
  const source: KubeSource = startKubeSource(kc, { namespaces: opts.namespaces, log, backoff: timing.watchBackoff })
  const lookup = (ref: ResourceRef) => source.get(ref.kind, ref.namespace, ref.name)
  const writer = new StatusWriter(kc, {
    log,
    backoff: timing.statusBackoff,
    currentStatus: (ref) => {
      const obj = lookup(ref)
      return { exists: obj !== undefined, status: obj?.status }
    },
  })
  const keys = new KeyGenerator(kc, log)
  const pruner = new DeploymentPruner(kc, opts.deploymentHistory ?? DEFAULT_DEPLOYMENT_HISTORY, log)
  const events = new EventRecorder(kc, {
    instance: opts.identity,
    log,
    uidOf: (ref) => {
      const uid = lookup(ref)?.metadata?.uid
      return typeof uid === 'string' ? uid : undefined
    },
  })

  let last: (ReconcileResult & { generations: Map<string, number> }) | null = null
  /** The last config every connected proxy ACKed (to say what a NACKed config changed). */
  let lastAcked: GatewayConfig | null = null
  /** When the published hash was first published, and when every proxy had ACKed it (for /status). */
  let publishedAt: Date | null = null
  let convergedAt: Date | null = null
  let holdOff: NodeJS.Timeout | null = null
  let refreshTimer: NodeJS.Timeout | null = null
  let compiling: Promise<void> = Promise.resolve()
  let stopping = false

  // With leader election there may be other replicas, each with proxies of its own: they
  // report them in ConfigMaps (fleet.ts) so the leader's statuses count the whole fleet.
  const registry = opts.leaderElect
    ? new FleetRegistry(kc, {
        namespace: opts.leaseNamespace,
        group: opts.leaseName,
        identity: opts.identity,
        log,
        backoff: timing.watchBackoff,
        ...timing.fleet,
      })
    : null
  const fleet = (): FleetState => {
    const own = stream.proxies()
    const ids = new Set(own.map((p) => p.id))
    const others = (registry?.others() ?? []).filter((p) => !ids.has(p.id))
    return { hash: stream.currentHash, proxies: [...own, ...others] }
  }

  function refreshStatuses(): void {
    refreshTimer = null
    if (last === null || stopping) return
    const state = fleet()
    if (state.proxies.length > 0 && state.proxies.every((p) => p.ackedHash === state.hash)) {
      lastAcked = last.result.config
      convergedAt ??= new Date()
    }
    const desired = desiredStatuses(last.result, last.rejected, last.generations, state)
    writer.update(desired)
    if (leading) events.record(plannedEvents(desired, state, changedSince(lastAcked, last.result.config)))
  }

  const scheduleRefresh = () => {
    if (refreshTimer === null) refreshTimer = setTimeout(refreshStatuses, 10)
  }

  function reconcile(): void {
    holdOff = null
    if (stopping) return
    const resources = source.resources()
    const started = process.hrtime.bigint()
    const result = lkg.reconcile(resources)
    metrics.compiled(Number(process.hrtime.bigint() - started) / 1e9, Buffer.byteLength(JSON.stringify(result.result.config)))
    const generations = new Map<string, number>()
    for (const obj of resources) {
      const g = obj.metadata?.generation
      if (typeof g === 'number') generations.set(refKey(refOf(obj)), g)
    }
    for (const r of result.rejected) log(`${r.ref.kind} ${r.ref.namespace}/${r.ref.name}: ${r.problems[0]?.reason}: ${r.problems[0]?.message}${r.kept ? ' (the previous version keeps serving)' : ''}`)
    const changed = stream.currentHash !== result.result.config.hash
    stream.publish(result.result.config)
    metrics.published(result.result.config.hash)
    if (changed) {
      publishedAt = new Date()
      convergedAt = null
      log(`published config ${result.result.config.hash.slice(0, 12)} (${result.result.config.apis.length} apis)`)
    }
    last = { ...result, generations }
    if (leading) {
      void keys.ensure(resources)
      void pruner.prune(resources)
    }
    refreshStatuses()
  }

  const schedule = () => {
    if (!source.isSynced || stopping) return
    metrics.changed()
    if (holdOff !== null) return
    holdOff = setTimeout(() => {
      compiling = compiling.then(reconcile).catch((err: unknown) => log(`reconcile failed: ${(err as Error).stack ?? String(err)}`))
    }, opts.holdOffMs)
  }
  source.onChange(schedule)
  stream.onChange(() => {
    metrics.fleetChanged(stream.proxies())
    registry?.report(stream.proxies())
    scheduleRefresh()
  })
  registry?.onChange(scheduleRefresh)
  const pods: PodIndexSource | null = opts.podNamespaceIndex
    ? startPodIndex(kc, {
        log,
        ...(timing.podIndexHoldOffMs !== undefined ? { holdOffMs: timing.podIndexHoldOffMs } : {}),
        ...(timing.watchBackoff ? { backoff: timing.watchBackoff } : {}),
        publish: (index) => {
          stream.publishPods(index)
          log(`published pod index (${index.length} addresses)`)
        },
      })
    : null

  const streamServer: Server = createServer((_req, res) => res.writeHead(404).end())
  stream.attach(streamServer)
  const streamPort = await listen(streamServer, opts.streamPort, opts.host)
  const admin: OperatorAdmin = createOperatorAdmin(() => {
    if (stopping) return { ready: false, detail: 'shutting down' }
    if (!source.isSynced) return { ready: false, detail: 'informers not synced' }
    if (last === null) return { ready: false, detail: 'no config published yet' }
    return { ready: true, detail: `ready ${stream.currentHash.slice(0, 12)}${leading ? ' (leader)' : ''}` }
  }, () => metrics.text(), () => status())
  const { port: metricsPort } = await admin.listen(opts.metricsPort, opts.host)

  /** This replica's proxies and the ones the other replicas report. */
  function reportProxies(): ReportProxy[] {
    const own: ReportProxy[] = stream.proxies().map((p) => ({ ...p, replica: opts.identity }))
    const ids = new Set(own.map((p) => p.id))
    return [...own, ...(registry?.others() ?? []).filter((p) => !ids.has(p.id))]
  }

  function status(): StatusReport {
    return buildStatusReport({
      source: 'operator',
      replica: { identity: opts.identity, leader: leading },
      now: new Date(),
      published: last !== null && publishedAt !== null ? { config: last.result.config, at: publishedAt } : null,
      statuses: last?.result.statuses ?? [],
      rejected: last?.rejected ?? [],
      proxies: reportProxies(),
      convergedAt,
    })
  }

  const onLeadership = (on: boolean) => {
    leading = on
    writer.setEnabled(on)
    if (on) {
      events.reset()
      if (last !== null) {
        void keys.ensure(source.resources())
        void pruner.prune(source.resources())
      }
      scheduleRefresh()
    }
  }
  const elector: Elector = opts.leaderElect
    ? startLeaderElection(kc, {
        namespace: opts.leaseNamespace,
        name: opts.leaseName,
        identity: opts.identity,
        leaseDurationMs: timing.leaseDurationMs,
        renewMs: timing.renewMs,
        retryMs: timing.retryMs,
        log,
        onChange: onLeadership,
      })
    : alwaysLeader(onLeadership)

  return {
    stream,
    streamPort,
    metricsPort,
    get ready() {
      return !stopping && source.isSynced && last !== null
    },
    get leading() {
      return leading
    },
    get config() {
      return last?.result.config ?? null
    },
    statusWriter: writer,
    events,
    status,
    async settled() {
      await source.synced
      while (holdOff !== null || refreshTimer !== null) await new Promise((r) => setTimeout(r, 5))
      await compiling
      await writer.idle()
      await events.flushed()
    },
    async stop(stopOpts = {}) {
      if (stopping) return
      stopping = true
      if (holdOff) clearTimeout(holdOff)
      if (refreshTimer) clearTimeout(refreshTimer)
      await source.stop()
      await pods?.stop()
      await registry?.stop()
      writer.stop()
      await elector.stop(stopOpts.releaseLease ?? true)
      await events.flushed()
      stream.close()
      streamServer.closeAllConnections()
      await new Promise<void>((r) => streamServer.close(() => r()))
      await admin.close()
    },
  }
}

function refOf(obj: ResourceObject): ResourceRef {
  return { kind: String(obj.kind), namespace: String(obj.metadata?.namespace ?? 'default'), name: String(obj.metadata?.name) }
}

/** refKeys of the Apis and Stages whose compiled form differs between two configs (null: unknown). */
function changedSince(before: GatewayConfig | null, now: GatewayConfig): Set<string> | null {
  if (before === null) return null
  const fingerprints = (c: GatewayConfig) => {
    const m = new Map<string, string>()
    for (const api of c.apis) {
      m.set(refKey(api.source), canonicalJson({ ...api, stages: [] }))
      for (const s of api.stages) m.set(refKey(s.source), canonicalJson(s))
    }
    return m
  }
  const a = fingerprints(before)
  const out = new Set<string>()
  for (const [key, fp] of fingerprints(now)) if (a.get(key) !== fp) out.add(key)
  return out
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port))
  })
}
