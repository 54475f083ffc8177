// Metering domains (docs/adr/0004-metering-domains.md): the hash tag of a request's Redis keys.
// Stages that share state — because one usage plan covers them, so a key's plan throttle and
// quota are counted across them — must be in one domain; everything else is split as finely as
// possible so a Redis Cluster spreads the load. Pure; run at config load.

/** A usage plan's reach: the stages ("{apiId}/{stage}") its throttle and quota span. */
export interface PlanStages {
  readonly plan: string
  readonly stages: readonly string[]
}

/**
 * Domain of every stage: the connected components of "plan covers stage", named after the
 * smallest stage id of the component (stable while the component keeps that member). Stages
 * that no plan covers are their own domain. Domain names never contain `{` or `}`.
 */
export function meteringDomains(stages: readonly string[], plans: readonly PlanStages[]): Map<string, string> {
  const parent = new Map<string, string>()
  const find = (x: string): string => {
    let root = x
    while (parent.get(root) !== root) root = parent.get(root)!
    for (let y = x; y !== root; ) {
      const next = parent.get(y)!
      parent.set(y, root)
      y = next
    }
    return root
  }
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x)
  }
  for (const s of stages) add(s)
  for (const p of plans) {
    p.stages.forEach(add)
    for (const s of p.stages.slice(1)) {
      const a = find(p.stages[0]!)
      const b = find(s)
      if (a !== b) a < b ? parent.set(b, a) : parent.set(a, b)
    }
  }
  const out = new Map<string, string>()
  for (const s of parent.keys()) out.set(s, find(s).replace(/[{}]/g, '_'))
  return out
}
