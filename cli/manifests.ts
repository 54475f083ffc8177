// Loads manifests for the CLI and renders every problem as one line naming the file, the
// resource, the field and the reason. Shared by run, validate and compile.
import { loadManifests, formatProblem } from '../operator/sources/files.js'
import type { ResourceObject } from '../crds/validate.js'
import type { Problem } from '../crds/problems.js'

export interface Origin {
  file: string
  line: number
}

export interface Manifests {
  resources: ResourceObject[]
  /** "Kind/namespace/name" → where it was read from. */
  origins: Map<string, Origin>
  /** Problems of the files themselves (YAML syntax, duplicates), already rendered. */
  fileErrors: string[]
}

export async function readManifests(paths: string[], defaultNamespace: string): Promise<Manifests> {
  const loaded = await loadManifests(paths)
  const origins = new Map<string, Origin>()
  const resources: ResourceObject[] = []
  for (const r of loaded.resources) {
    resources.push(r.object)
    const ns = typeof r.object.metadata?.namespace === 'string' ? r.object.metadata.namespace : defaultNamespace
    origins.set(`${String(r.object.kind)}/${ns}/${String(r.object.metadata?.name)}`, r.origin)
  }
  return { resources, origins, fileErrors: loaded.problems.map((p) => formatProblem(p)) }
}

/** "file:line: Kind namespace/name: field: Reason: message" */
export function describeProblem(key: string, origin: Origin | undefined, p: Problem): string {
  const [kind, ns, name] = key.split('/')
  const where = origin ? `${origin.file}:${origin.line}: ` : ''
  const field = p.field ? `${p.field}: ` : ''
  const level = p.severity === 'warning' ? 'warning: ' : ''
  return `${where}${level}${kind} ${ns}/${name}: ${field}${p.reason}: ${p.message}`
}
