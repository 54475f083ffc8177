// What a config change does to metering state (docs/adr/0004-metering-domains.md): a stage or a
// usage plan that moves to another metering domain (plans linked or unlinked) gets new Redis
// keys, so its buckets start full and its quota counters start at zero, once. Logged when the
// config is applied so operators can tell why a quota reset.
import type { MeteringIndex } from './index.js'

export function meteringChanges(before: MeteringIndex | undefined, after: MeteringIndex): string[] {
  if (before === undefined) return []
  const lines: string[] = []
  for (const [id, plan] of after.plans) {
    const old = before.plans.get(id)
    if (old !== undefined && old.domain !== plan.domain && plan.config.quota !== null) {
      lines.push(`metering: usage plan ${id} moved from metering domain ${old.domain} to ${plan.domain}: its quota counters and buckets start afresh (ADR 0004)`)
    }
  }
  const moved: string[] = []
  for (const [id, stage] of after.stages) {
    const old = before.stages.get(id)
    if (old !== undefined && old.domain !== stage.domain) moved.push(`${id} (${old.domain} → ${stage.domain})`)
  }
  if (moved.length > 0) lines.push(`metering: stages moved to other metering domains, their buckets start full: ${moved.join(', ')}`)
  return lines
}
