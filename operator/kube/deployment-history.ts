// Bounded deployment history (ADR 0012): per Api, the leader keeps the newest `limit`
// ApiDeployments that no Stage serves (spec.revision or spec.canary.revision) and deletes the
// older ones, as a Deployment's revisionHistoryLimit does for ReplicaSets. A deployment a Stage
// serves is never deleted and does not count against the limit. Newest: by
// metadata.creationTimestamp (then name, so that ties are settled the same way every time).
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node'
import { GROUP, VERSION } from '../../crds/index.js'
import type { ResourceObject } from '../../crds/validate.js'

export const DEFAULT_DEPLOYMENT_HISTORY = 10

export interface DeploymentRef {
  namespace: string
  name: string
}

/** The ApiDeployments among `resources` to delete so that at most `limit` unserved ones remain per Api. */
export function prunableDeployments(resources: readonly ResourceObject[], limit: number): DeploymentRef[] {
  const served = new Set<string>()
  for (const r of resources) {
    if (r.kind !== 'Stage') continue
    const spec = r.spec as { revision?: unknown; canary?: { revision?: unknown } } | undefined
    const ns = namespaceOf(r)
    for (const name of [spec?.revision, spec?.canary?.revision]) if (typeof name === 'string') served.add(`${ns}/${name}`)
  }
  const byApi = new Map<string, { ref: DeploymentRef; created: string }[]>()
  for (const r of resources) {
    if (r.kind !== 'ApiDeployment' || typeof r.metadata?.name !== 'string') continue
    const ref = { namespace: namespaceOf(r), name: r.metadata.name }
    if (served.has(`${ref.namespace}/${ref.name}`)) continue
    const api = (r.spec as { apiRef?: { name?: unknown } } | undefined)?.apiRef?.name
    const key = `${ref.namespace}/${typeof api === 'string' ? api : ''}`
    const created = typeof r.metadata.creationTimestamp === 'string' ? r.metadata.creationTimestamp : ''
    const list = byApi.get(key) ?? []
    list.push({ ref, created })
    byApi.set(key, list)
  }
  const out: DeploymentRef[] = []
  for (const list of byApi.values()) {
    list.sort((a, b) => (a.created !== b.created ? (a.created < b.created ? 1 : -1) : a.ref.name < b.ref.name ? 1 : -1))
    out.push(...list.slice(limit).map((d) => d.ref))
  }
  return out.sort((a, b) => (a.namespace !== b.namespace ? (a.namespace < b.namespace ? -1 : 1) : a.name < b.name ? -1 : 1))
}

function namespaceOf(r: ResourceObject): string {
  return typeof r.metadata?.namespace === 'string' ? r.metadata.namespace : 'default'
}

/** Deletes what prunableDeployments says, one attempt per object at a time; the leader calls it after each compile. */
export class DeploymentPruner {
  private readonly api: CustomObjectsApi
  private readonly inFlight = new Set<string>()

  constructor(
    kc: KubeConfig,
    private readonly limit: number,
    private readonly log: (line: string) => void,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi)
  }

  async prune(resources: readonly ResourceObject[]): Promise<void> {
    const work: Promise<void>[] = []
    for (const ref of prunableDeployments(resources, this.limit)) {
      const id = `${ref.namespace}/${ref.name}`
      if (this.inFlight.has(id)) continue
      this.inFlight.add(id)
      work.push(this.delete(ref).finally(() => this.inFlight.delete(id)))
    }
    await Promise.all(work)
  }

  private async delete(ref: DeploymentRef): Promise<void> {
    try {
      await this.api.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ref.namespace, plural: 'apideployments', name: ref.name })
      this.log(`deleted ApiDeployment ${ref.namespace}/${ref.name}: older than the newest ${this.limit} unserved deployments of its Api (--deployment-history)`)
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return
      this.log(`deleting ApiDeployment ${ref.namespace}/${ref.name} failed: ${err instanceof ApiException ? `HTTP ${err.code}` : (err as Error).message}`)
    }
  }
}
