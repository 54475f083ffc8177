// Loads manifests for the CLI and renders every problem as one line naming the file, the
// resource, the field and the reason. Shared by run, validate and compile.
import { formatProblem, loadManifests, type LoadProblem, type Origin } from '../operator/sources/files.js'
import { refKey, type ResourceRef } from '../operator/compile/types.js'
import type { ResourceObject } from '../crds/validate.js'
import type { Problem } from '../crds/problems.js'

export interface Manifests {
  resources: ResourceObject[]
  /** "Kind/namespace/name" → where it was read from. */
  origins: Map<string, Origin>
  /** Problems of the files themselves (YAML syntax, duplicates), already rendered. */
  fileErrors: string[]
  /** The same problems, as found (for /status). */
  fileProblems: LoadProblem[]
}

export async function readManifests(paths: string[], defaultNamespace: string): Promise<Manifests> {
  const loaded = await loadManifests(paths, { defaultNamespace })
  return {
    resources: loaded.resources.map((r) => r.resource),
    origins: new Map(loaded.resources.map((r) => [refKey(r.ref), r.origin])),
    fileErrors: loaded.problems.map((p) => formatProblem(p)),
    fileProblems: loaded.problems,
  }
}

/** "file:line: [warning: ]Kind namespace/name: field: Reason: message" */
export function describeProblem(ref: ResourceRef, origins: Map<string, Origin>, p: Problem): string {
  return formatProblem({ ...p, ref, origin: origins.get(refKey(ref)) })
}
