// Which Kubernetes namespace a caller's address belongs to: the `tollgate:SourceNamespace`
// condition key of resource policies (docs/adr/0007-caller-namespace.md).
//
// The operator watches Pods and publishes their addresses (pod IP → namespace) to the proxies
// beside the config, as a frame of its own (so pod churn never changes the config hash); the
// proxy keeps the latest one here. Addresses the operator could not attribute to one namespace
// (hostNetwork pods share the node's address; an address two pods claim) are left out, so a
// lookup finds nothing and conditions on the key do not match. Standalone mode has no index.
import { ipFamily, normalizeIp } from './ip.js'

export interface NamespaceIndex {
  /** The namespace of the pod with this address; undefined when unknown. */
  namespaceOf(ip: string): string | undefined
}

/** No index (standalone mode, or before the operator sent one): every lookup finds nothing. */
export const NO_NAMESPACE_INDEX: NamespaceIndex = Object.freeze({ namespaceOf: () => undefined })

/** A namespace name (RFC 1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

export interface PodAddresses {
  /** Monotonic per operator process (for logs). */
  readonly version: number
  /** [ip, namespace] pairs. */
  readonly pods: ReadonlyArray<readonly [string, string]>
}

/** The index of pod addresses, replaced whole by each update (a lookup is one Map read). */
export class PodNamespaceIndex implements NamespaceIndex {
  private byIp: ReadonlyMap<string, string> = new Map()
  private currentVersion = -1

  get version(): number {
    return this.currentVersion
  }

  get size(): number {
    return this.byIp.size
  }

  /**
   * Replaces the index. Entries that are not an address and a namespace name are skipped (and
   * counted in the result); an address given twice with different namespaces is left out.
   */
  replace(update: PodAddresses): { entries: number; skipped: number } {
    const next = new Map<string, string>()
    const conflicting = new Set<string>()
    let skipped = 0
    for (const entry of update.pods) {
      const [rawIp, namespace] = entry
      const ip = typeof rawIp === 'string' ? normalizeIp(rawIp) : ''
      if (ipFamily(ip) === null || typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
        skipped++
        continue
      }
      const seen = next.get(ip)
      if (seen !== undefined && seen !== namespace) conflicting.add(ip)
      next.set(ip, namespace)
    }
    for (const ip of conflicting) next.delete(ip)
    this.byIp = next
    this.currentVersion = update.version
    return { entries: next.size, skipped: skipped + conflicting.size }
  }

  namespaceOf(ip: string): string | undefined {
    return this.byIp.get(normalizeIp(ip))
  }
}
