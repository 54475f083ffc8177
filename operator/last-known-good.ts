// Last-known-good per resource: when an edit makes a resource invalid, keep compiling its
// previous valid version, so a bad edit of one Api never takes it (or anything else) offline.
// The rejected version's problems are still reported. Used by standalone mode; the operator
// (which only ever sees valid-by-schema objects) uses it the same way for semantic errors.
import type { ResourceObject } from '../crds/validate.js'
import type { Problem } from '../crds/problems.js'
import { canonicalJson } from '../proxy/config/hash.js'
import { compile, type CompileOptions, type CompileResult } from './compile/index.js'
import { refKey, type ResourceRef } from './compile/types.js'

export interface Rejected {
  ref: ResourceRef
  problems: Problem[]
  /** True when an earlier valid version of the resource keeps serving. */
  kept: boolean
}

export interface ReconcileResult {
  result: CompileResult
  /** Resources whose current version has errors. */
  rejected: Rejected[]
}

function refOf(obj: ResourceObject, defaultNamespace: string): ResourceRef {
  const ns = typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : defaultNamespace
  return { kind: String(obj.kind), namespace: ns, name: String(obj.metadata?.name) }
}

export class LastKnownGood {
  private readonly good = new Map<string, ResourceObject>()

  constructor(private readonly opts: CompileOptions) {}

  reconcile(resources: ResourceObject[]): ReconcileResult {
    const first = compile(resources, this.opts)
    const bad = new Map<string, Problem[]>()
    for (const s of first.statuses) {
      const errors = s.problems.filter((p) => p.severity === 'error')
      if (errors.length > 0) bad.set(refKey(s.ref), errors)
    }
    const rejected: Rejected[] = []
    const inputs = resources.map((obj) => {
      const ref = refOf(obj, this.opts.defaultNamespace)
      const errors = bad.get(refKey(ref))
      const previous = this.good.get(refKey(ref))
      if (!errors || previous === undefined || canonicalJson(previous) === canonicalJson(obj)) return obj
      rejected.push({ ref, problems: errors, kept: true })
      return previous
    })
    const result = rejected.length > 0 ? compile(inputs, this.opts) : first
    // Whatever still has errors after the substitutions is rejected without a fallback.
    for (const s of result.statuses) {
      const errors = s.problems.filter((p) => p.severity === 'error')
      if (errors.length > 0) rejected.push({ ref: s.ref, problems: errors, kept: false })
    }
    // Remember what compiled cleanly this time; forget resources that no longer exist.
    const present = new Set<string>()
    for (const obj of inputs) {
      const key = refKey(refOf(obj, this.opts.defaultNamespace))
      present.add(key)
      const status = result.statuses.find((s) => refKey(s.ref) === key)
      if (status && !status.problems.some((p) => p.severity === 'error')) this.good.set(key, obj)
    }
    for (const key of [...this.good.keys()]) if (!present.has(key)) this.good.delete(key)
    return { result, rejected }
  }
}
