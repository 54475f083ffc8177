// Kubernetes Events (leader only), decided from the desired statuses and deduplicated, so that a
// reconcile that changes nothing emits nothing:
//
//   Warning <reason>  Accepted=False (reason of the first error), once per generation and message
//   Warning Rejected  a proxy NACKed the current config: on the Apis and Stages that changed since
//                     the last config every proxy ACKed (all served ones when unknown), once per hash
//   Normal  Deployed  Programmed=True: once per generation (Api) or served revision (Stage), or
//                     set of serving stages (ApiDeployment: "served by Stage prod")
//
// Events are core/v1 Events (reportingComponent tollgate.dev/operator) in the resource's
// namespace; a failed create is logged and dropped (Events are best effort, status is not).
import { randomBytes } from 'node:crypto'
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node'
import { API_VERSION } from '../../crds/index.js'
import type { Condition } from '../../crds/common.js'
import { refKey, type ResourceRef } from '../compile/types.js'
import type { DesiredStatus, FleetState } from './status.js'

export interface PlannedEvent {
  ref: ResourceRef
  type: 'Normal' | 'Warning'
  reason: string
  message: string
  /** Same key, same event: emitted once. */
  key: string
}

export function plannedEvents(desired: ReadonlyMap<string, DesiredStatus>, fleet: FleetState, changedSinceAcked: ReadonlySet<string> | null): PlannedEvent[] {
  const out: PlannedEvent[] = []
  const refusing = fleet.proxies.find((p) => p.nack?.hash === fleet.hash)
  for (const [key, d] of desired) {
    const gen = String(d.status.observedGeneration ?? '')
    const conditions = (d.status.conditions as Condition[] | undefined) ?? []
    const accepted = conditions.find((c) => c.type === 'Accepted')
    const programmed = conditions.find((c) => c.type === 'Programmed')
    if (accepted?.status === 'False') {
      out.push({ ref: d.ref, type: 'Warning', reason: accepted.reason, message: accepted.message, key: `${key}|${gen}|${accepted.reason}|${accepted.message}` })
    }
    if (programmed?.reason === 'Rejected' && refusing && (changedSinceAcked === null || changedSinceAcked.has(key))) {
      out.push({ ref: d.ref, type: 'Warning', reason: 'Rejected', message: `proxy ${refusing.id} refused config ${fleet.hash.slice(0, 12)}: ${refusing.nack!.reason}`, key: `${key}|Rejected|${fleet.hash}` })
    }
    if (programmed?.status === 'True' && d.ref.kind === 'ApiDeployment') {
      // "served by Stage prod": once per set of serving stages.
      out.push({ ref: d.ref, type: 'Normal', reason: 'Deployed', message: programmed.message, key: `${key}|Deployed|${programmed.message}` })
    } else if (programmed?.status === 'True') {
      const what = d.ref.kind === 'Stage' ? `revision ${String(d.status.revision)}` : `generation ${gen}`
      out.push({ ref: d.ref, type: 'Normal', reason: 'Deployed', message: `${what} is served by ${programmed.message}`, key: `${key}|Deployed|${d.ref.kind === 'Stage' ? String(d.status.revision) : gen}` })
    }
  }
  return out
}

export interface EventRecorderOptions {
  /** The reporting instance (POD_NAME). */
  instance: string
  uidOf: (ref: ResourceRef) => string | undefined
  log: (line: string) => void
  now?: () => Date
}

const MAX_REMEMBERED = 10_000

export class EventRecorder {
  private readonly api: CoreV1Api
  private readonly seen = new Set<string>()
  /** Events created (for tests and metrics). */
  created = 0
  private pending: Promise<unknown> = Promise.resolve()

  constructor(kc: KubeConfig, private readonly opts: EventRecorderOptions) {
    this.api = kc.makeApiClient(CoreV1Api)
  }

  /** Forget what was emitted (a new leader starts afresh). */
  reset(): void {
    this.seen.clear()
  }

  record(events: readonly PlannedEvent[]): void {
    for (const e of events) {
      if (this.seen.has(e.key)) continue
      this.seen.add(e.key)
      if (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.values().next().value as string)
      this.pending = this.pending.then(() => this.create(e))
    }
  }

  /** Resolves when every recorded event was sent (or failed). */
  flushed(): Promise<void> {
    return this.pending.then(() => undefined)
  }

  private async create(e: PlannedEvent): Promise<void> {
    const now = (this.opts.now ?? (() => new Date()))()
    try {
      await this.api.createNamespacedEvent({
        namespace: e.ref.namespace,
        body: {
          metadata: { name: `${e.ref.name}.${randomBytes(8).toString('hex')}`, namespace: e.ref.namespace },
          involvedObject: { apiVersion: API_VERSION, kind: e.ref.kind, name: e.ref.name, namespace: e.ref.namespace, uid: this.opts.uidOf(e.ref) ?? '' },
          type: e.type,
          reason: e.reason,
          message: e.message.slice(0, 1024),
          source: { component: 'tollgate-operator' },
          reportingComponent: 'tollgate.dev/operator',
          reportingInstance: this.opts.instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
      this.created++
    } catch (err) {
      this.opts.log(`event ${e.reason} on ${refKey(e.ref)} not recorded: ${(err as Error).message}`)
    }
  }
}
