// The storage of the server, as etcd is to a real one: objects by storage key and
// namespace/name, one global revision counter that every write advances, a bounded history of
// change events (older revisions are "compacted"), and the fan-out of events to open watches.
import type { ManagedEntry } from './apply.js'
import type { JsonObject } from './patch.js'

export interface Stored {
  /** The object in its storage representation; metadata.resourceVersion is the revision of its last write. */
  obj: JsonObject
  managed: ManagedEntry[]
}

export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  rv: number
  storage: string
  /** The object after the change; for DELETED, its last state with the revision of the deletion. */
  object: JsonObject
  /** Field ownership of `object`. */
  managed: ManagedEntry[]
  /** The object before the change (MODIFIED and DELETED). */
  prev?: JsonObject
}

export interface WatchSink {
  storage: string
  deliver(ev: StoreEvent): void
}

function meta(obj: JsonObject): JsonObject {
  return obj['metadata'] as JsonObject
}

export function objectKey(obj: JsonObject): string {
  const m = meta(obj)
  return `${(m['namespace'] as string | undefined) ?? ''}/${m['name'] as string}`
}

export class Store {
  private rv: number
  private readonly data = new Map<string, Map<string, Stored>>()
  private history: StoreEvent[] = []
  /** Every event with a revision above this one is still in the history. */
  private compacted: number
  private readonly sinks = new Set<WatchSink>()

  constructor(
    private historySize: number,
    startRevision: number,
  ) {
    this.rv = startRevision
    this.compacted = startRevision
  }

  get revision(): number {
    return this.rv
  }

  get compactedRevision(): number {
    return this.compacted
  }

  get(storage: string, namespace: string, name: string): Stored | undefined {
    return this.data.get(storage)?.get(`${namespace}/${name}`)
  }

  /** All objects of a storage key in etcd key order (namespace, then name). */
  list(storage: string): Stored[] {
    const m = this.data.get(storage)
    if (!m) return []
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
  }

  /** Writes an object (create or update), giving it the next revision, and notifies watches. */
  put(storage: string, stored: Stored): Stored {
    const key = objectKey(stored.obj)
    let m = this.data.get(storage)
    if (!m) {
      m = new Map()
      this.data.set(storage, m)
    }
    const prev = m.get(key)
    const rv = ++this.rv
    meta(stored.obj)['resourceVersion'] = String(rv)
    m.set(key, stored)
    const ev: StoreEvent = { type: prev ? 'MODIFIED' : 'ADDED', rv, storage, object: stored.obj, managed: stored.managed }
    if (prev) ev.prev = prev.obj
    this.record(ev)
    return stored
  }

  /** Deletes an object; the DELETED event carries its last state with the deletion's revision. */
  remove(storage: string, namespace: string, name: string): Stored | undefined {
    const m = this.data.get(storage)
    const key = `${namespace}/${name}`
    const prev = m?.get(key)
    if (!m || !prev) return undefined
    m.delete(key)
    const rv = ++this.rv
    const last: JsonObject = { ...prev.obj, metadata: { ...meta(prev.obj), resourceVersion: String(rv) } }
    this.record({ type: 'DELETED', rv, storage, object: last, managed: prev.managed, prev: prev.obj })
    return prev
  }

  private record(ev: StoreEvent): void {
    this.history.push(ev)
    while (this.history.length > this.historySize) {
      const dropped = this.history.shift()!
      this.compacted = dropped.rv
    }
    for (const s of this.sinks) if (s.storage === ev.storage) s.deliver(ev)
  }

  /** The events of a storage key after a revision, or 'expired' when that revision is compacted. */
  eventsSince(storage: string, rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compacted) return 'expired'
    return this.history.filter((e) => e.rv > rv && e.storage === storage)
  }

  /** Forgets the whole history, as an etcd compaction at the current revision. */
  compact(): void {
    this.history = []
    this.compacted = this.rv
  }

  setHistorySize(n: number): void {
    this.historySize = n
    while (this.history.length > n) this.compacted = this.history.shift()!.rv
  }

  subscribe(sink: WatchSink): () => void {
    this.sinks.add(sink)
    return () => this.sinks.delete(sink)
  }

  /** Storage keys with at least one object in a namespace (for namespace deletion). */
  storagesWithNamespace(namespace: string): string[] {
    const out: string[] = []
    for (const [storage, m] of this.data) for (const k of m.keys()) if (k.startsWith(`${namespace}/`)) {
      out.push(storage)
      break
    }
    return out
  }
}
