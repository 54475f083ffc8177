// ApiDeployments (ADR 0012): each snapshot is compiled with the same code as an Api
// (compileApi), so a pinned revision is exactly what the Api compiled to when it was deployed.
// Stages resolve `spec.revision` / `spec.canary.revision` to one of these (resolveRevision).
import { API_VERSION } from '../../crds/common.js'
import { error, type Problem } from '../../crds/problems.js'
import type { ApiDeploymentSpec } from '../../crds/apideployment.js'
import type { AuthorizerConfig, RevisionConfig, RevisionSettings } from '../../proxy/config/schema.js'
import { compileApi, type ApiBuild } from './api.js'
import type { AuthorizerIndex } from './authorizers.js'
import type { StageVariableUse } from './parameters.js'
import { hasErrors, type Entry } from './types.js'

export interface DeploymentBuild {
  entry: Entry
  /** spec.apiRef.name: the Api (same namespace) it was made from. */
  apiName: string
  /** The snapshot compiled as an Api; its problems are on `entry`, under spec.snapshot. */
  build: ApiBuild
}

/** ApiDeployments by "namespace/name"; `build` is absent when it failed schema validation. */
export type DeploymentIndex = Map<string, { entry: Entry; build: DeploymentBuild | undefined }>

/** A revision a stage (or its canary) serves. */
export interface ServedRevision {
  revision: RevisionConfig
  /** Stage variables the revision's routes read, with the field that reads each. */
  stageVariables: StageVariableUse[]
  authorizers: AuthorizerConfig[]
  /** The Api-wide settings deployed with the routes. */
  settings: RevisionSettings
  /** The ApiDeployment's name when pinned; undefined: the Api's current spec (autoDeploy). */
  deployment: string | undefined
}

export function compileDeployment(entry: Entry, authorizers: AuthorizerIndex): DeploymentBuild {
  const spec = entry.obj.spec as ApiDeploymentSpec
  const api: Entry = {
    obj: { apiVersion: API_VERSION, kind: 'Api', metadata: { name: spec.apiRef.name, namespace: entry.ref.namespace }, spec: spec.snapshot },
    ref: { kind: 'Api', namespace: entry.ref.namespace, name: spec.apiRef.name },
    generation: undefined,
    valid: true,
    problems: [],
  }
  const build = compileApi(api, authorizers)
  entry.problems.push(...api.problems.map((p) => ({ ...p, field: p.field.replace(/^spec(?=$|[.[])/, 'spec.snapshot') })))
  return { entry, apiName: spec.apiRef.name, build }
}

/** What the Api's current spec serves (autoDeploy). */
export function currentRevision(api: ApiBuild): ServedRevision {
  return { revision: api.revision, stageVariables: api.stageVariables, authorizers: api.authorizers, settings: api.settings, deployment: undefined }
}

/**
 * The revision named `name` (an ApiDeployment of `api`), or the Api's current spec when `name`
 * is undefined. A name that does not resolve to an accepted deployment of this Api is an error
 * on `field` and gives undefined.
 */
export function resolveRevision(
  name: string | undefined,
  field: string,
  api: ApiBuild,
  deployments: DeploymentIndex,
  problems: Problem[],
): ServedRevision | undefined {
  if (name === undefined) return currentRevision(api)
  const indexed = deployments.get(`${api.entry.ref.namespace}/${name}`)
  if (!indexed) {
    problems.push(error(field, 'RevisionNotFound', `ApiDeployment ${api.entry.ref.namespace}/${name} not found`))
    return undefined
  }
  const found = indexed.build
  if (!found) {
    const first = indexed.entry.problems.find((p) => p.severity === 'error')
    const why = first ? `: ${first.field ? `${first.field}: ` : ''}${first.message}` : ''
    problems.push(error(field, 'RevisionNotAccepted', `ApiDeployment ${name} is not valid${why}`))
    return undefined
  }
  if (found.apiName !== api.entry.ref.name) {
    problems.push(error(field, 'RevisionNotFound', `ApiDeployment ${name} is a deployment of Api ${found.apiName}, not of ${api.entry.ref.name}`))
    return undefined
  }
  if (hasErrors(found.entry.problems)) {
    const first = found.entry.problems.find((p) => p.severity === 'error')!
    problems.push(error(field, 'RevisionNotAccepted', `ApiDeployment ${name} is not accepted: ${first.field ? `${first.field}: ` : ''}${first.message}`))
    return undefined
  }
  if (found.build.protocol !== api.protocol) {
    problems.push(
      error(field, 'RevisionProtocolMismatch', `ApiDeployment ${name} is a ${found.build.protocol} API but Api ${api.entry.ref.name} is now ${api.protocol}; deploy again`),
    )
    return undefined
  }
  const b = found.build
  return { revision: b.revision, stageVariables: b.stageVariables, authorizers: b.authorizers, settings: b.settings, deployment: name }
}
