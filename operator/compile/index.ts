// compile: a set of resources -> one GatewayConfig + a status for every resource.
//
// Pure: no I/O, no clock, no environment; everything comes in through the arguments, and the
// same resources in any order give the same bytes. A mistake in one resource is a Problem on
// that resource and never stops the others from compiling.
//
// Steps:
//  1. sort the resources by kind, namespace, name (content breaks ties) and drop duplicates;
//  2. validate each against its kind's schema (crds/validate.ts);
//  3. compile every valid Api: routes, integrations, revision (api.ts, routes.ts, ...);
//  4. settle apiId conflicts between otherwise valid Apis (conflicts.ts);
//  5. compile every valid Stage: resolve its Api, check its name and variables (stage.ts);
//  6. settle stage-name conflicts, warn about undefined stage variables;
//  7. assemble the GatewayConfig from the accepted Apis and their served Stages, and hash it;
//  8. write each resource's status (status.ts).
import { validateResource, type ResourceObject } from '../../crds/validate.js'
import { error } from '../../crds/problems.js'
import { canonicalJson, configHash } from '../../proxy/config/hash.js'
import { CONFIG_SCHEMA_VERSION, type ApiConfig, type GatewayConfig, type StageConfig } from '../../proxy/config/schema.js'
import { compileApi, type ApiBuild } from './api.js'
import { resolveApiIdConflicts, resolveStageNameConflicts } from './conflicts.js'
import { compileStage, undefinedVariableWarnings, type ApiIndex, type StageBuild } from './stage.js'
import { conditionsFor } from './status.js'
import { hasErrors, refKey, type CompileOptions, type CompileResult, type Entry, type ResourceStatus } from './types.js'
import { stageUrl } from './urls.js'

export type { CompileOptions, CompileResult, ResourceRef, ResourceStatus } from './types.js'
export { defaultApiId } from './apiid.js'

export function compile(resources: readonly ResourceObject[], opts: CompileOptions): CompileResult {
  const entries = resources.map((obj) => toEntry(obj, opts.defaultNamespace))
  entries.sort(compareEntries)
  dropDuplicates(entries)
  for (const entry of entries) validate(entry)

  const apis: ApiBuild[] = []
  const apiIndex: ApiIndex = new Map()
  for (const entry of entries) {
    if (entry.ref.kind !== 'Api' || entry.problems.some((p) => p.reason === 'DuplicateResource')) continue
    const build = entry.valid ? compileApi(entry) : undefined
    if (build) apis.push(build)
    apiIndex.set(`${entry.ref.namespace}/${entry.ref.name}`, { entry, build })
  }
  resolveApiIdConflicts(apis)

  const stages: StageBuild[] = entries.filter((e) => e.valid && e.ref.kind === 'Stage').map((e) => compileStage(e, apiIndex))
  resolveStageNameConflicts(stages)
  for (const stage of stages) stage.entry.problems.push(...undefinedVariableWarnings(stage))

  const config = assemble(apis, stages, opts)
  const apiOf = new Map(apis.map((a) => [a.entry, a]))
  const stageOf = new Map(stages.map((s) => [s.entry, s]))
  return { config, statuses: entries.map((e) => statusOf(e, apiOf.get(e), stageOf.get(e), stages, opts)) }
}

function toEntry(input: ResourceObject, defaultNamespace: string): Entry {
  const obj: ResourceObject = input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {}
  const meta = obj.metadata !== null && typeof obj.metadata === 'object' ? obj.metadata : {}
  const generation = Number.isInteger(meta.generation) ? (meta.generation as number) : undefined
  const entry: Entry = {
    obj,
    ref: {
      kind: typeof obj.kind === 'string' ? obj.kind : '',
      namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace,
      name: typeof meta.name === 'string' ? meta.name : '',
    },
    generation,
    valid: false,
    problems: [],
  }
  if (obj !== input) entry.problems.push(error('', 'InvalidResource', 'a resource must be an object'))
  return entry
}

function compareEntries(a: Entry, b: Entry): number {
  for (const key of ['kind', 'namespace', 'name'] as const) {
    if (a.ref[key] !== b.ref[key]) return a.ref[key] < b.ref[key] ? -1 : 1
  }
  const x = canonicalJson(a.obj)
  const y = canonicalJson(b.obj)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Two resources with one kind/namespace/name: the first (in sorted order) is compiled, the others are not. */
function dropDuplicates(entries: Entry[]): void {
  const seen = new Set<string>()
  for (const entry of entries) {
    if (entry.ref.kind === '' || entry.ref.name === '') continue
    const key = refKey(entry.ref)
    if (seen.has(key)) {
      entry.problems.push(error('metadata.name', 'DuplicateResource', `another ${entry.ref.kind} ${entry.ref.namespace}/${entry.ref.name} is already defined; this one is ignored`))
    }
    seen.add(key)
  }
}

function validate(entry: Entry): void {
  if (entry.problems.length > 0) return
  const result = validateResource(entry.obj)
  entry.valid = result.ok
  entry.problems.push(...result.problems)
}

function assemble(apis: readonly ApiBuild[], stages: readonly StageBuild[], opts: CompileOptions): GatewayConfig {
  const served = new Map<ApiBuild, StageConfig[]>()
  for (const stage of stages) {
    if (!stage.api || hasErrors(stage.entry.problems)) continue
    const list = served.get(stage.api) ?? []
    list.push({
      name: stage.stageName,
      source: { ...stage.entry.ref, kind: 'Stage' },
      revision: stage.api.revision.id,
      variables: { ...stage.spec.variables },
    })
    served.set(stage.api, list)
  }
  const apiConfigs: ApiConfig[] = apis
    .filter((api) => !hasErrors(api.entry.problems) && api.protocol !== 'WEBSOCKET')
    .map((api) => ({
      id: api.apiId,
      name: `${api.entry.ref.namespace}/${api.entry.ref.name}`,
      source: { ...api.entry.ref, kind: 'Api' },
      protocol: api.protocol,
      endpointType: api.spec.endpointType ?? 'REGIONAL',
      disableExecuteApiEndpoint: api.spec.disableExecuteApiEndpoint ?? false,
      binaryMediaTypes: [...(api.spec.binaryMediaTypes ?? [])],
      revisions: [api.revision],
      stages: (served.get(api) ?? []).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const body = { schemaVersion: CONFIG_SCHEMA_VERSION as typeof CONFIG_SCHEMA_VERSION, domain: opts.domain, apis: apiConfigs }
  return { schemaVersion: body.schemaVersion, hash: configHash(body), domain: body.domain, apis: body.apis }
}

function statusOf(
  entry: Entry,
  api: ApiBuild | undefined,
  stage: StageBuild | undefined,
  stages: readonly StageBuild[],
  opts: CompileOptions,
): ResourceStatus {
  const status: Record<string, unknown> = {}
  if (entry.generation !== undefined) status.observedGeneration = entry.generation
  let acceptedMessage = `${entry.ref.kind} is valid`
  const compiled = entry.ref.kind === 'Api' || entry.ref.kind === 'Stage'

  if (api) {
    const conflict = api.entry.problems.some((p) => p.reason === 'ApiIdConflict')
    if (!conflict) status.apiId = api.apiId
    const accepted = !hasErrors(entry.problems)
    const executeApi = accepted && !(api.spec.disableExecuteApiEndpoint ?? false)
    status.endpoints = executeApi
      ? stages
          .filter((s) => s.api === api && !hasErrors(s.entry.problems))
          .map((s) => stageUrl(opts, api.apiId, s.stageName))
          .sort()
      : []
    acceptedMessage = `Api is valid; its routes compile to revision ${api.revision.id}`
  }
  if (stage?.api && !hasErrors(entry.problems)) {
    const executeApi = !(stage.api.spec.disableExecuteApiEndpoint ?? false)
    if (executeApi) status.url = stageUrl(opts, stage.api.apiId, stage.stageName)
    status.revision = stage.api.revision.id
    acceptedMessage = `Stage ${stage.stageName} serves revision ${stage.api.revision.id} of Api ${stage.api.entry.ref.name}`
  }
  status.conditions = conditionsFor(entry, { compiled, acceptedMessage })

  const result: ResourceStatus = { ref: { ...entry.ref }, problems: entry.problems, status }
  if (entry.generation !== undefined) result.generation = entry.generation
  return result
}
