// The Kubernetes source: one client-node informer per Tollgate kind (per watched namespace, or
// one cluster-wide), kept alive by hand. client-node's informer stops for good on any error but
// a 410 (a cut connection, a failed list): we restart it with capped exponential backoff, and
// `start()` resumes from the last resourceVersion; a 410 clears it and the informer relists by
// itself, reporting the objects that vanished meanwhile as deletions.
//
// The source does not say what changed: it calls `onChange` and the reconciler reads the whole
// world back with `resources()` (the compiler rebuilds everything anyway).
//
// Seam: Secrets and Services are not read yet (the compiler does not need them). They join as
// two more `Watched` entries with core/v1 list functions, and `resources()` gains a second
// output for them.
import { CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node'
import type { ObjectCache } from '@kubernetes/client-node'
import { GROUP, KINDS, VERSION } from '../../crds/index.js'
import type { ResourceObject } from '../../crds/validate.js'

export interface KubeSourceOptions {
  /** Namespaces to watch; empty: all namespaces. */
  namespaces: readonly string[]
  log: (line: string) => void
  /** Restart backoff after an informer error (default 500 ms doubling to 30 s). */
  backoff?: { initialMs: number; maxMs: number }
}

export interface KubeSource {
  /** Resolves once every informer listed once and started watching. */
  readonly synced: Promise<void>
  readonly isSynced: boolean
  /** Every Tollgate object currently known, in no particular order. */
  resources(): ResourceObject[]
  /** The cached object of a kind, or undefined. */
  get(kind: string, namespace: string, name: string): ResourceObject | undefined
  /** Called after any add, update or delete (and after a relist). */
  onChange(listener: () => void): void
  stop(): Promise<void>
}

interface Watched {
  what: string
  kind: string
  informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>
  synced: boolean
  attempt: number
  timer: NodeJS.Timeout | null
}

export function startKubeSource(kc: KubeConfig, opts: KubeSourceOptions): KubeSource {
  const api = kc.makeApiClient(CustomObjectsApi)
  const initialMs = opts.backoff?.initialMs ?? 500
  const maxMs = opts.backoff?.maxMs ?? 30_000
  const listeners: Array<() => void> = []
  const watched: Watched[] = []
  let stopped = false
  let markSynced: () => void = () => {}
  const synced = new Promise<void>((resolve) => (markSynced = resolve))
  let allSynced = false

  const changed = () => {
    for (const l of listeners) l()
  }

  const scopes: Array<string | undefined> = opts.namespaces.length > 0 ? [...opts.namespaces] : [undefined]
  for (const kind of KINDS) {
    for (const namespace of scopes) {
      const plural = kind.plural
      const path = namespace === undefined ? `/apis/${GROUP}/${VERSION}/${plural}` : `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}`
      const list = () =>
        (namespace === undefined
          ? api.listClusterCustomObject({ group: GROUP, version: VERSION, plural })
          : api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })) as Promise<KubernetesListObject<KubernetesObject>>
      const informer = makeInformer<KubernetesObject>(kc, path, list)
      const w: Watched = { kind: kind.kind, what: namespace === undefined ? plural : `${plural} in ${namespace}`, informer, synced: false, attempt: 0, timer: null }
      informer.on('add', changed)
      informer.on('update', changed)
      informer.on('delete', changed)
      informer.on('error', (err: unknown) => restart(w, err))
      watched.push(w)
    }
  }

  function restart(w: Watched, err: unknown): void {
    if (stopped || w.timer) return
    const delay = Math.min(maxMs, initialMs * 2 ** w.attempt)
    w.attempt++
    opts.log(`watch of ${w.what} failed (${describe(err)}); restarting in ${delay} ms`)
    w.timer = setTimeout(() => {
      w.timer = null
      void run(w)
    }, delay)
  }

  async function run(w: Watched): Promise<void> {
    if (stopped) return
    let failed = false
    const onError = () => (failed = true)
    w.informer.on('error', onError)
    try {
      await w.informer.start()
    } catch (err) {
      failed = true
      restart(w, err)
    } finally {
      w.informer.off('error', onError)
    }
    if (failed || stopped) return
    w.attempt = 0
    if (!w.synced) {
      w.synced = true
      if (watched.every((x) => x.synced)) {
        allSynced = true
        markSynced()
        changed()
      }
    }
  }

  for (const w of watched) void run(w)

  return {
    synced,
    get isSynced() {
      return allSynced
    },
    resources() {
      const out: ResourceObject[] = []
      for (const w of watched) for (const obj of w.informer.list()) out.push(obj as ResourceObject)
      return out
    },
    get(kind, namespace, name) {
      for (const w of watched) {
        if (w.kind !== kind) continue
        const obj = w.informer.get(name, namespace)
        if (obj) return obj as ResourceObject
      }
      return undefined
    },
    onChange(listener) {
      listeners.push(listener)
    },
    async stop() {
      stopped = true
      for (const w of watched) {
        if (w.timer) clearTimeout(w.timer)
        await w.informer.stop()
      }
    },
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return code !== undefined ? `${err.message} (${String(code)})` : err.message
  }
  return String(err)
}
