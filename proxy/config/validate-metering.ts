// Cross-references of the metering part of a GatewayConfig that the schema cannot express:
// unique key ids and digests, plans that name existing keys, stages and routes, and no key in
// two plans for one stage (the proxy must find exactly one plan for a key on a stage).
import type { GatewayConfig } from './schema.js'

export function meteringProblems(config: GatewayConfig): string[] {
  const problems: string[] = []
  const routesOf = new Map<string, Set<string>>()
  for (const api of config.apis) {
    for (const stage of api.stages) {
      const revision = api.revisions.find((r) => r.id === stage.revision)
      const routes = new Set(revision?.routes.map((r) => r.key) ?? [])
      routesOf.set(`${api.id}/${stage.name}`, routes)
      for (const key of Object.keys(stage.methodThrottles ?? {})) {
        if (!routes.has(key)) problems.push(`api ${api.id} stage ${stage.name}: methodThrottles names no route: ${key}`)
      }
    }
  }
  const metering = config.metering
  if (metering === undefined) return problems

  const keyIds = new Set<string>()
  const digests = new Set<string>()
  for (const key of metering.apiKeys) {
    if (keyIds.has(key.id)) problems.push(`metering: duplicate api key id ${key.id}`)
    keyIds.add(key.id)
    // The digest is not printed: it identifies a key value.
    if (digests.has(key.valueSha256)) problems.push(`metering: api key ${key.id} has the same value as another key`)
    digests.add(key.valueSha256)
  }
  const planIds = new Set<string>()
  const planOfKeyOnStage = new Map<string, string>()
  for (const plan of metering.usagePlans) {
    if (planIds.has(plan.id)) problems.push(`metering: duplicate usage plan id ${plan.id}`)
    planIds.add(plan.id)
    const stages = new Set<string>()
    for (const s of plan.apiStages) {
      const stageId = `${s.apiId}/${s.stage}`
      if (stages.has(stageId)) problems.push(`usage plan ${plan.id}: stage ${stageId} twice`)
      stages.add(stageId)
      const routes = routesOf.get(stageId)
      if (routes === undefined) {
        problems.push(`usage plan ${plan.id}: unknown stage ${stageId}`)
        continue
      }
      for (const key of Object.keys(s.methodThrottles)) {
        if (!routes.has(key)) problems.push(`usage plan ${plan.id} stage ${stageId}: methodThrottles names no route: ${key}`)
      }
    }
    for (const keyId of plan.apiKeys) {
      if (!keyIds.has(keyId)) problems.push(`usage plan ${plan.id}: unknown api key ${keyId}`)
      for (const stageId of stages) {
        const other = planOfKeyOnStage.get(`${keyId}\n${stageId}`)
        if (other !== undefined) problems.push(`api key ${keyId} is in usage plans ${other} and ${plan.id} for stage ${stageId}`)
        planOfKeyOnStage.set(`${keyId}\n${stageId}`, plan.id)
      }
    }
  }
  return problems
}
