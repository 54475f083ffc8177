// Writes desired statuses to the status subresource (leader only). One write at a time, the
// latest desired status of each resource wins (a burst of changes is one write), a resource
// whose status already says the same is not written, and a failed write (409 Conflict, 5xx, a
// cut connection) is retried with capped backoff until it lands or is superseded. A 404 means
// the object is gone: nothing to write.
//
// Writes are JSON merge patches of `.status` (top-level keys no longer desired are set to null;
// `conditions` is replaced whole, as merge patch does with arrays).
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node'
import { GROUP, VERSION, kindByName } from '../../crds/index.js'
import { canonicalJson } from '../../proxy/config/hash.js'
import type { ResourceRef } from '../compile/types.js'
import { sameStatus, stampTransitions, statusMergePatch, type DesiredStatus } from './status.js'

export interface StatusWriterOptions {
  /** The status the object has now (from the informer cache); undefined when the object is unknown. */
  currentStatus: (ref: ResourceRef) => { exists: boolean; status: unknown }
  log: (line: string) => void
  now?: () => Date
  backoff?: { initialMs: number; maxMs: number }
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

export class StatusWriter {
  private readonly api: CustomObjectsApi
  private desired = new Map<string, DesiredStatus>()
  /** What this process wrote last, per resource, while leading (the cache may lag behind it). */
  private readonly written = new Map<string, Record<string, unknown>>()
  private readonly dirty = new Set<string>()
  private readonly attempts = new Map<string, number>()
  private readonly retryTimers = new Map<string, NodeJS.Timeout>()
  private enabled = false
  private running: Promise<void> | null = null
  private readonly idleWaiters: Array<() => void> = []
  /** Count of successful writes (for tests and metrics). */
  writes = 0

  constructor(kc: KubeConfig, private readonly opts: StatusWriterOptions) {
    this.api = kc.makeApiClient(CustomObjectsApi)
  }

  /** Start or stop writing (leadership). Starting re-checks every resource. */
  setEnabled(on: boolean): void {
    if (on === this.enabled) return
    this.enabled = on
    this.written.clear()
    if (on) {
      for (const key of this.desired.keys()) this.dirty.add(key)
      this.pump()
    } else {
      for (const t of this.retryTimers.values()) clearTimeout(t)
      this.retryTimers.clear()
      this.attempts.clear()
    }
  }

  /** Replaces the desired statuses of the whole world; writes what differs. */
  update(desired: Map<string, DesiredStatus>): void {
    this.desired = desired
    for (const key of desired.keys()) if (!this.retryTimers.has(key)) this.dirty.add(key)
    this.pump()
  }

  /** Resolves when nothing is queued or being written (retries waiting on a timer count as queued). */
  idle(): Promise<void> {
    if (this.running === null && this.dirty.size === 0 && this.retryTimers.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  stop(): void {
    this.setEnabled(false)
    this.dirty.clear()
  }

  private pump(): void {
    if (this.running || !this.enabled) return
    this.running = this.drain().finally(() => {
      this.running = null
      if (this.enabled && this.dirty.size > 0) this.pump()
      else if (this.retryTimers.size === 0 || !this.enabled) for (const w of this.idleWaiters.splice(0)) w()
    })
  }

  private async drain(): Promise<void> {
    while (this.enabled && this.dirty.size > 0) {
      const key = this.dirty.values().next().value as string
      this.dirty.delete(key)
      const want = this.desired.get(key)
      if (!want) continue
      try {
        await this.write(key, want)
        this.attempts.delete(key)
      } catch (err) {
        this.retry(key, err)
      }
    }
  }

  private async write(key: string, want: DesiredStatus): Promise<void> {
    const current = this.opts.currentStatus(want.ref)
    if (!current.exists) return
    const base = this.written.get(key) ?? current.status
    if (sameStatus(want.status, base)) return
    const kind = kindByName(want.ref.kind)
    if (!kind) return
    const status = stampTransitions(want.status, base, (this.opts.now ?? (() => new Date()))())
    try {
      await this.api.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace: want.ref.namespace, plural: kind.plural, name: want.ref.name, body: statusMergePatch(status, base) },
        mergePatch,
      )
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return
      throw err
    }
    this.written.set(key, JSON.parse(canonicalJson(status)) as Record<string, unknown>)
    this.writes++
  }

  private retry(key: string, err: unknown): void {
    if (!this.enabled) return
    const attempt = this.attempts.get(key) ?? 0
    this.attempts.set(key, attempt + 1)
    const initial = this.opts.backoff?.initialMs ?? 200
    const max = this.opts.backoff?.maxMs ?? 10_000
    const delay = Math.min(max, initial * 2 ** attempt)
    const code = err instanceof ApiException ? `HTTP ${err.code}` : (err as Error).message
    this.opts.log(`status write of ${key} failed (${code}); retrying in ${delay} ms`)
    const timer = setTimeout(() => {
      this.retryTimers.delete(key)
      this.dirty.add(key)
      this.pump()
    }, delay)
    this.retryTimers.set(key, timer)
  }
}
