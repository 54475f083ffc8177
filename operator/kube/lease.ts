// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
//
// - The holder renews spec.renewTime every `renewMs`; a candidate retries every `retryMs`.
// - Writes use optimistic concurrency (replace with the resourceVersion read): of two candidates
//   racing for an expired Lease one gets 409 Conflict and stays a follower.
// - A Lease held by another is taken over only once its record (holder + renewTime) has not
//   changed for leaseDurationSeconds as measured on *this* process's clock, from when it first
//   saw that record; so clock skew between pods does not matter, and a new replica never steals
//   a live lease.
// - The leader steps down when it cannot renew within the renew deadline (2/3 of the lease
//   duration), before anyone else may take over.
// - On shutdown the leader releases the Lease by clearing holderIdentity: a follower takes over
//   at its next retry instead of waiting for expiry.
import { ApiException, CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node'

export interface LeaderElectionOptions {
  namespace: string
  name: string
  identity: string
  /** Default 15 s; written to the Lease in whole seconds (at least 1). */
  leaseDurationMs?: number
  /** Default 5 s. */
  renewMs?: number
  /** Default 2 s. */
  retryMs?: number
  log: (line: string) => void
  onChange: (leading: boolean) => void
}

export interface Elector {
  readonly leading: boolean
  /** Stops campaigning; releases the Lease unless `release` is false (a crash, in tests). */
  stop(release?: boolean): Promise<void>
}

/** Without leader election this process always leads. */
export function alwaysLeader(onChange: (leading: boolean) => void): Elector {
  onChange(true)
  return { leading: true, stop: async () => {} }
}

export function startLeaderElection(kc: KubeConfig, opts: LeaderElectionOptions): Elector {
  const api = kc.makeApiClient(CoordinationV1Api)
  const durationMs = opts.leaseDurationMs ?? 15_000
  const durationSeconds = Math.max(1, Math.ceil(durationMs / 1000))
  const renewMs = opts.renewMs ?? 5_000
  const retryMs = opts.retryMs ?? 2_000
  const renewDeadlineMs = (durationSeconds * 1000 * 2) / 3
  let leading = false
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  let lastRenew = 0
  let observed = { record: '', at: 0 }
  let ticking: Promise<void> = Promise.resolve()

  const setLeading = (on: boolean) => {
    if (on === leading) return
    leading = on
    opts.log(on ? `leading: ${opts.identity} holds Lease ${opts.namespace}/${opts.name}` : `no longer leading (Lease ${opts.namespace}/${opts.name})`)
    opts.onChange(on)
  }

  async function read(): Promise<V1Lease | null> {
    try {
      return await api.readNamespacedLease({ name: opts.name, namespace: opts.namespace })
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return null
      throw err
    }
  }

  /** Returns whether this process holds the Lease after the attempt. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date()
    const lease = await read()
    if (lease === null) {
      try {
        await api.createNamespacedLease({
          namespace: opts.namespace,
          body: {
            metadata: { name: opts.name, namespace: opts.namespace },
            spec: { holderIdentity: opts.identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        })
        return true
      } catch (err) {
        if (err instanceof ApiException && err.code === 409) return false
        throw err
      }
    }
    const spec = lease.spec ?? {}
    const holder = spec.holderIdentity ?? ''
    if (holder !== opts.identity && holder !== '') {
      const record = `${holder}@${String(spec.renewTime)}`
      if (record !== observed.record) observed = { record, at: Date.now() }
      const theirMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000
      if (Date.now() - observed.at < theirMs) return false
      opts.log(`Lease ${opts.namespace}/${opts.name} of ${holder} expired; taking over`)
    }
    const mine = holder === opts.identity
    try {
      await api.replaceNamespacedLease({
        name: opts.name,
        namespace: opts.namespace,
        body: {
          ...lease,
          spec: {
            holderIdentity: opts.identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: mine && spec.acquireTime ? spec.acquireTime : now,
            renewTime: now,
            leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
          },
        },
      })
      return true
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return false
      throw err
    }
  }

  async function tick(): Promise<void> {
    timer = null
    if (stopped) return
    let held = false
    try {
      held = await tryAcquireOrRenew()
    } catch (err) {
      opts.log(`leader election: ${err instanceof ApiException ? `HTTP ${err.code}` : (err as Error).message}`)
    }
    if (stopped) return
    if (held) {
      lastRenew = Date.now()
      setLeading(true)
    } else if (leading && Date.now() - lastRenew > renewDeadlineMs) {
      setLeading(false)
    } else if (leading) {
      // Another holder, seen through a successful read: step down at once.
      const lease = await read().catch(() => undefined)
      if (lease && (lease.spec?.holderIdentity ?? '') !== opts.identity) setLeading(false)
    }
    if (!stopped) timer = setTimeout(() => (ticking = tick()), leading ? renewMs : retryMs)
  }

  ticking = tick()

  return {
    get leading() {
      return leading
    },
    async stop(release = true) {
      stopped = true
      if (timer) clearTimeout(timer)
      await ticking
      if (!leading || !release) return setLeading(false)
      try {
        const lease = await read()
        if (lease && lease.spec?.holderIdentity === opts.identity) {
          await api.replaceNamespacedLease({
            name: opts.name,
            namespace: opts.namespace,
            body: { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: new Date() } },
          })
          opts.log(`released Lease ${opts.namespace}/${opts.name}`)
        }
      } catch (err) {
        opts.log(`could not release the Lease: ${(err as Error).message}`)
      }
      setLeading(false)
    },
  }
}
