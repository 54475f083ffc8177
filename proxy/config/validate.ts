// Validation of a GatewayConfig before it is applied: the schema, the hash, and the
// cross-references the schema cannot express. A config that fails is refused whole and the
// running one keeps serving.
import { Value } from '@sinclair/typebox/value'
import { GatewayConfig } from './schema.js'
import { configHash } from './hash.js'
import { meteringProblems } from './validate-metering.js'
import { iamProblems } from './iam.js'
import { parsePolicy } from '../auth/policy.js'

export class ConfigError extends Error {
  readonly code = 'TG_ERR_INVALID_CONFIG'
  constructor(readonly problems: string[]) {
    super(`invalid gateway config: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`)
    this.name = 'ConfigError'
  }
}

/** Returns the problems of `input` as a GatewayConfig; an empty list means it is valid. */
export function configProblems(input: unknown): string[] {
  if (!Value.Check(GatewayConfig, input)) {
    return [...Value.Errors(GatewayConfig, input)].slice(0, 20).map((e) => `${e.path || '/'}: ${e.message}`)
  }
  const problems: string[] = []
  if (configHash(input) !== input.hash) problems.push('/hash: does not match the content')
  const ids = new Set<string>()
  for (const api of input.apis) {
    if (ids.has(api.id)) problems.push(`/apis: duplicate api id ${api.id}`)
    ids.add(api.id)
    const revisions = new Set(api.revisions.map((r) => r.id))
    const stages = new Set<string>()
    for (const stage of api.stages) {
      if (stages.has(stage.name)) problems.push(`api ${api.id}: duplicate stage ${stage.name}`)
      stages.add(stage.name)
      if (!revisions.has(stage.revision)) problems.push(`api ${api.id} stage ${stage.name}: unknown revision ${stage.revision}`)
      if (stage.canary !== undefined && !revisions.has(stage.canary.revision)) {
        problems.push(`api ${api.id} stage ${stage.name}: unknown canary revision ${stage.canary.revision}`)
      }
    }
  }
  problems.push(...meteringProblems(input))
  problems.push(...iamProblems(input.iam, parsePolicy))
  return problems
}

/** Throws ConfigError unless `input` is a valid GatewayConfig. */
export function assertValidConfig(input: unknown): asserts input is GatewayConfig {
  const problems = configProblems(input)
  if (problems.length > 0) throw new ConfigError(problems)
}
