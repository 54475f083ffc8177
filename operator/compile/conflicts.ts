// Conflicts between resources that are each fine on their own. The rule is the same for both:
// among the resources that are otherwise valid, the one that sorts first (by namespace, then
// name) wins and the others get an error. Only otherwise-valid resources compete, so a broken
// Api never takes an apiId away from a working one.
import { error } from '../../crds/problems.js'
import type { ApiBuild } from './api.js'
import type { StageBuild } from './stage.js'
import { hasErrors, type Entry } from './types.js'

const byRef = (a: { entry: Entry }, b: { entry: Entry }) => {
  const x = `${a.entry.ref.namespace}/${a.entry.ref.name}`
  const y = `${b.entry.ref.namespace}/${b.entry.ref.name}`
  return x < y ? -1 : x > y ? 1 : 0
}

export function resolveApiIdConflicts(apis: readonly ApiBuild[]): void {
  const owners = new Map<string, ApiBuild>()
  for (const api of [...apis].sort(byRef)) {
    if (hasErrors(api.entry.problems)) continue
    const owner = owners.get(api.apiId)
    if (owner) {
      api.entry.problems.push(
        error(api.apiIdField, 'ApiIdConflict', `apiId ${api.apiId} is already used by Api ${owner.entry.ref.namespace}/${owner.entry.ref.name}`),
      )
    } else {
      owners.set(api.apiId, api)
    }
  }
}

export function resolveStageNameConflicts(stages: readonly StageBuild[]): void {
  const owners = new Map<string, StageBuild>()
  for (const stage of [...stages].sort(byRef)) {
    if (!stage.api || hasErrors(stage.entry.problems)) continue
    const key = `${stage.api.entry.ref.namespace}/${stage.api.entry.ref.name}\u0000${stage.stageName}`
    const owner = owners.get(key)
    if (owner) {
      stage.entry.problems.push(
        error(
          stage.stageNameField,
          'StageNameConflict',
          `stage name ${stage.stageName} of Api ${stage.api.entry.ref.name} is already used by Stage ${owner.entry.ref.namespace}/${owner.entry.ref.name}`,
        ),
      )
    } else {
      owners.set(key, stage)
    }
  }
}
