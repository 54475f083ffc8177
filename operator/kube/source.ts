// The Kubernetes source: one client-node informer per Tollgate kind (per watched namespace, or
// one cluster-wide), each kept alive by keepAlive (informer.ts): restarted with backoff after
// errors, relisting after a 410.
//
// The source does not say what changed: it calls `onChange` and the reconciler reads the whole
// world back with `resources()` (the compiler rebuilds everything anyway).
//
// Secrets: only those labelled `tollgate.dev/secret` are watched (SECRET_LABEL), so the
// operator never caches every Secret of the namespaces it watches; they join `resources()` as
// `v1 Secret` objects, which the compiler reads (ApiKey values) and never reports on.
// Services are not read: backendRef becomes the Service's cluster DNS name.
import { CoreV1Api, CustomObjectsApi, makeInformer, type KubeConfig, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node'
import { GROUP, KINDS, VERSION } from '../../crds/index.js'
import type { ResourceObject } from '../../crds/validate.js'
import { keepAlive, type KeptInformer } from './informer.js'
import { SECRET_LABEL } from './labels.js'

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

/** Secrets carrying this label (any value) are read by Tollgate; others are never cached. */
export { SECRET_LABEL }

interface Watched {
  kind: string
  /** apiVersion to stamp on listed objects (list items carry no kind or apiVersion). */
  apiVersion: string
  kept: KeptInformer<KubernetesObject>
}

export function startKubeSource(kc: KubeConfig, opts: KubeSourceOptions): KubeSource {
  const api = kc.makeApiClient(CustomObjectsApi)
  const listeners: Array<() => void> = []
  const watched: Watched[] = []
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
      informer.on('add', changed)
      informer.on('update', changed)
      informer.on('delete', changed)
      const what = namespace === undefined ? plural : `${plural} in ${namespace}`
      watched.push({ kind: kind.kind, apiVersion: `${GROUP}/${VERSION}`, kept: keepAlive(informer, what, { log: opts.log, backoff: opts.backoff }) })
    }
  }
  const core = kc.makeApiClient(CoreV1Api)
  for (const namespace of scopes) {
    const path = namespace === undefined ? '/api/v1/secrets' : `/api/v1/namespaces/${namespace}/secrets`
    const list = () =>
      (namespace === undefined
        ? core.listSecretForAllNamespaces({ labelSelector: SECRET_LABEL })
        : core.listNamespacedSecret({ namespace, labelSelector: SECRET_LABEL })) as Promise<KubernetesListObject<KubernetesObject>>
    const informer = makeInformer<KubernetesObject>(kc, path, list, SECRET_LABEL)
    informer.on('add', changed)
    informer.on('update', changed)
    informer.on('delete', changed)
    const what = namespace === undefined ? 'labelled secrets' : `labelled secrets in ${namespace}`
    watched.push({ kind: 'Secret', apiVersion: 'v1', kept: keepAlive(informer, what, { log: opts.log, backoff: opts.backoff }) })
  }
  const synced = Promise.all(watched.map((w) => w.kept.synced)).then(() => {
    allSynced = true
    changed()
  })

  return {
    synced,
    get isSynced() {
      return allSynced
    },
    resources() {
      const out: ResourceObject[] = []
      for (const w of watched) {
        for (const obj of w.kept.informer.list()) out.push({ ...obj, apiVersion: w.apiVersion, kind: w.kind } as ResourceObject)
      }
      return out
    },
    get(kind, namespace, name) {
      for (const w of watched) {
        if (w.kind !== kind) continue
        const obj = w.kept.informer.get(name, namespace)
        if (obj) return obj as ResourceObject
      }
      return undefined
    },
    onChange(listener) {
      listeners.push(listener)
    },
    async stop() {
      for (const w of watched) await w.kept.stop()
    },
  }
}
