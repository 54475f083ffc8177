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
//  5. compile every valid ApiDeployment's snapshot as an Api (deployments.ts), then every valid
//     Stage: resolve its Api and the revision it serves, check its name and variables (stage.ts);
//  6. settle stage-name conflicts, warn about undefined stage variables;
//  7. compile ApiKeys: values from Secrets, as digests (apikeys.ts, secrets.ts);
//  8. compile UsagePlans: stages, throttles, quota, keys; settle keys in two plans for one stage
//     (usageplans.ts);
//  9. assemble the GatewayConfig from the accepted Apis and their served Stages, keys and plans,
//     the IAM identities of Secrets labelled tollgate.dev/iam-identity (iam.ts), and hash it;
// 10. write each resource's status (status.ts). Secrets are inputs only: they get no status,
//     except IAM identity Secrets, whose entry carries their problems (never a value).
import { validateResource, type ResourceObject } from '../../crds/validate.js'
import { error } from '../../crds/problems.js'
import { canonicalJson, configHash } from '../../proxy/config/hash.js'
import {
  CONFIG_SCHEMA_VERSION,
  DEFAULT_ACCOUNT_THROTTLE,
  type ApiConfig,
  type AuthorizerConfig,
  type GatewayConfig,
  type IamConfig,
  type MeteringConfig,
  type RevisionConfig,
  type RevisionSettings,
  type StageConfig,
} from '../../proxy/config/schema.js'
import { compileApi, type ApiBuild } from './api.js'
import { compileAuthorizer, type AuthorizerBuild } from './authorizers.js'
import { resolveApiIdConflicts, resolveStageNameConflicts } from './conflicts.js'
import { compileStage, undefinedVariableWarnings, type ApiIndex, type StageBuild } from './stage.js'
import { compileDeployment, currentRevision, type DeploymentBuild, type DeploymentIndex, type ServedRevision } from './deployments.js'
import { compileApiKey, resolveDuplicateValues, type ApiKeyBuild } from './apikeys.js'
import { isSecret, SecretIndex } from './secrets.js'
import { compileIamIdentities } from './iam.js'
import { compileUsagePlans, type PlanBuild, type ServedStage } from './usageplans.js'
import { conditionsFor } from './status.js'
import { hasErrors, refKey, type CompileOptions, type CompileResult, type Entry, type ResourceStatus } from './types.js'
import { stageUrl } from './urls.js'

export type { CompileOptions, CompileResult, ResourceRef, ResourceStatus } from './types.js'
export { defaultApiId } from './apiid.js'

export function compile(resources: readonly ResourceObject[], opts: CompileOptions): CompileResult {
  const secretObjects = resources.filter(isSecret)
  const secrets = new SecretIndex(secretObjects, opts.defaultNamespace)
  const iam = compileIamIdentities(secretObjects, opts.defaultNamespace)
  const account = opts.accountThrottle ?? DEFAULT_ACCOUNT_THROTTLE
  const entries = resources.filter((obj) => !isSecret(obj)).map((obj) => toEntry(obj, opts.defaultNamespace))
  entries.sort(compareEntries)
  dropDuplicates(entries)
  for (const entry of entries) validate(entry)

  const authorizers = new Map<string, AuthorizerBuild>()
  for (const entry of entries) {
    if (entry.valid && entry.ref.kind === 'Authorizer') authorizers.set(`${entry.ref.namespace}/${entry.ref.name}`, compileAuthorizer(entry))
  }
  const apis: ApiBuild[] = []
  const apiIndex: ApiIndex = new Map()
  for (const entry of entries) {
    if (entry.ref.kind !== 'Api' || entry.problems.some((p) => p.reason === 'DuplicateResource')) continue
    const build = entry.valid ? compileApi(entry, authorizers, opts.functionEndpoint) : undefined
    if (build) apis.push(build)
    apiIndex.set(`${entry.ref.namespace}/${entry.ref.name}`, { entry, build })
  }
  resolveApiIdConflicts(apis)

  const deployments: DeploymentIndex = new Map()
  for (const entry of entries) {
    if (entry.ref.kind !== 'ApiDeployment' || entry.problems.some((p) => p.reason === 'DuplicateResource')) continue
    deployments.set(`${entry.ref.namespace}/${entry.ref.name}`, { entry, build: entry.valid ? compileDeployment(entry, authorizers) : undefined })
  }
  const stages: StageBuild[] = entries.filter((e) => e.valid && e.ref.kind === 'Stage').map((e) => compileStage(e, apiIndex, deployments, account, secrets))
  resolveStageNameConflicts(stages)
  for (const stage of stages) stage.entry.problems.push(...undefinedVariableWarnings(stage))

  const keys: ApiKeyBuild[] = entries.filter((e) => e.valid && e.ref.kind === 'ApiKey').map((e) => compileApiKey(e, secrets))
  resolveDuplicateValues(keys)
  const planEntries = entries.filter((e) => e.valid && e.ref.kind === 'UsagePlan')
  const plans = compileUsagePlans(planEntries, keys, servedStages(stages))

  const config = assemble(apis, stages, keys, plans, iam.config, opts)
  const apiOf = new Map(apis.map((a) => [a.entry, a]))
  const stageOf = new Map(stages.map((s) => [s.entry, s]))
  const keyOf = new Map(keys.map((k) => [k.entry, k]))
  const planOf = new Map(plans.map((p) => [p.entry, p]))
  const uses = new Map<string, number>()
  for (const api of apis) {
    if (hasErrors(api.entry.problems)) continue
    for (const r of api.revision.routes) if (r.authorizer !== undefined) uses.set(r.authorizer, (uses.get(r.authorizer) ?? 0) + 1)
  }
  const authorizerOf = new Map([...authorizers.values()].map((a) => [a.entry, { build: a, routes: uses.get(a.config.name) ?? 0 }]))
  const deploymentOf = new Map([...deployments.values()].flatMap((d) => (d.build ? [[d.entry, d.build] as const] : [])))
  const meteringOf: MeteringStatusInput = { keyOf, planOf, plans, authorizerOf, deploymentOf }
  const statuses = entries.map((e) => statusOf(e, apiOf.get(e), stageOf.get(e), stages, meteringOf, opts))
  return { config, statuses: [...statuses, ...iam.statuses].sort(compareRefs) }
}

/** By kind, namespace, name; stable, so entries keep their order otherwise. */
function compareRefs(a: ResourceStatus, b: ResourceStatus): number {
  for (const k of ['kind', 'namespace', 'name'] as const) {
    if (a.ref[k] !== b.ref[k]) return a.ref[k] < b.ref[k] ? -1 : 1
  }
  return 0
}

/** Stages in the config (served), by "apiNamespace/apiName\0stageName": what usage plans may cover. */
function servedStages(stages: readonly StageBuild[]): Map<string, ServedStage> {
  const out = new Map<string, ServedStage>()
  for (const stage of stages) {
    const api = stage.api
    if (!api || !stage.served || hasErrors(stage.entry.problems) || hasErrors(api.entry.problems) || api.protocol === 'WEBSOCKET') continue
    out.set(`${api.entry.ref.namespace}/${api.entry.ref.name}\u0000${stage.stageName}`, {
      apiId: api.apiId,
      stageName: stage.stageName,
      routeKeys: new Set(stage.served.revision.routes.map((r) => r.key)),
    })
  }
  return out
}

interface MeteringStatusInput {
  keyOf: Map<Entry, ApiKeyBuild>
  planOf: Map<Entry, PlanBuild>
  plans: readonly PlanBuild[]
  /** Authorizers, with how many routes of accepted Apis use each. */
  authorizerOf: Map<Entry, { build: AuthorizerBuild; routes: number }>
  deploymentOf: Map<Entry, DeploymentBuild>
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

function assemble(
  apis: readonly ApiBuild[],
  stages: readonly StageBuild[],
  keys: readonly ApiKeyBuild[],
  plans: readonly PlanBuild[],
  iam: IamConfig | undefined,
  opts: CompileOptions,
): GatewayConfig {
  const served = new Map<ApiBuild, StageConfig[]>()
  // Per Api: the revisions its stages serve (and its current one), and the authorizers they use.
  const revisions = new Map<ApiBuild, ServedRevision[]>(apis.map((api) => [api, [currentRevision(api)]]))
  for (const stage of stages) {
    if (!stage.api || !stage.served || hasErrors(stage.entry.problems)) continue
    const list = served.get(stage.api) ?? []
    revisions.get(stage.api)?.push(stage.served)
    const config: StageConfig = {
      name: stage.stageName,
      source: { ...stage.entry.ref, kind: 'Stage' },
      revision: stage.served.revision.id,
      variables: { ...stage.spec.variables },
    }
    // Metering fields only when set, so configs without metering stay as they were.
    if (stage.throttle) config.throttle = stage.throttle
    if (Object.keys(stage.methodThrottles).length > 0) config.methodThrottles = stage.methodThrottles
    if (stage.meteringFailureMode) config.meteringFailureMode = stage.meteringFailureMode
    if (stage.cache) config.cache = stage.cache
    if (stage.logging) config.logging = stage.logging
    if (stage.metrics) config.metrics = stage.metrics
    if (stage.tracing) config.tracing = stage.tracing
    if (stage.canary) {
      const { served: canary, percentTraffic, variables, useStageCache } = stage.canary
      config.canary = { revision: canary.revision.id, percentTraffic, variables, useStageCache }
      revisions.get(stage.api)?.push(canary)
    }
    list.push(config)
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
      revisions: uniqueRevisions(revisions.get(api) ?? [], api.settings),
      stages: (served.get(api) ?? []).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      ...(api.spec.apiKeySource !== undefined ? { apiKeySource: api.spec.apiKeySource } : {}),
      ...(api.spec.policy !== undefined ? { policy: api.spec.policy } : {}),
      ...withAuthorizers(revisions.get(api) ?? []),
      ...(api.cors !== undefined ? { cors: api.cors } : {}),
      ...(api.gatewayResponses !== undefined ? { gatewayResponses: api.gatewayResponses } : {}),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const metering = meteringSection(keys, plans, opts)
  const arn = opts.arn !== undefined ? { arn: { region: opts.arn.region, accountId: opts.arn.accountId } } : {}
  const body = {
    schemaVersion: CONFIG_SCHEMA_VERSION as typeof CONFIG_SCHEMA_VERSION,
    domain: opts.domain,
    apis: apiConfigs,
    ...(metering ? { metering } : {}),
    ...arn,
    ...(iam ? { iam } : {}),
  }
  return {
    schemaVersion: body.schemaVersion,
    hash: configHash(body),
    domain: body.domain,
    apis: body.apis,
    ...(metering ? { metering } : {}),
    ...arn,
    ...(iam ? { iam } : {}),
  }
}

/**
 * The distinct revisions, sorted by id (two deployments of one spec are one revision). A
 * revision deployed with other Api-wide settings than the Api's current ones carries its own.
 */
function uniqueRevisions(served: readonly ServedRevision[], current: RevisionSettings): RevisionConfig[] {
  const byId = new Map<string, RevisionConfig>()
  const currentJson = canonicalJson(current)
  for (const s of served) {
    byId.set(s.revision.id, canonicalJson(s.settings) === currentJson ? s.revision : { ...s.revision, settings: s.settings })
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** The authorizers any served revision's routes name, sorted by name; absent when none. */
function withAuthorizers(served: readonly ServedRevision[]): { authorizers?: AuthorizerConfig[] } {
  const byName = new Map<string, AuthorizerConfig>()
  for (const s of served) for (const a of s.authorizers) byName.set(a.name, a)
  const list = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return list.length > 0 ? { authorizers: list } : {}
}

/**
 * The metering section: present when there are ApiKeys or UsagePlans, or an account throttle
 * was given; absent means no keys, no plans and the account default (so configs without
 * metering stay as they were).
 */
function meteringSection(keys: readonly ApiKeyBuild[], plans: readonly PlanBuild[], opts: CompileOptions): MeteringConfig | undefined {
  if (keys.length === 0 && plans.length === 0 && opts.accountThrottle === undefined) return undefined
  const account = opts.accountThrottle ?? DEFAULT_ACCOUNT_THROTTLE
  return {
    accountThrottle: { rateLimit: account.rateLimit, burstLimit: account.burstLimit },
    apiKeys: keys
      .filter((k) => k.valueSha256 !== undefined)
      .map((k) => ({ id: k.id, source: { ...k.entry.ref, kind: 'ApiKey' }, valueSha256: k.valueSha256!, enabled: k.enabled }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    usagePlans: plans.map((p) => p.config).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  }
}

function statusOf(
  entry: Entry,
  api: ApiBuild | undefined,
  stage: StageBuild | undefined,
  stages: readonly StageBuild[],
  metering: MeteringStatusInput,
  opts: CompileOptions,
): ResourceStatus {
  const status: Record<string, unknown> = {}
  if (entry.generation !== undefined) status.observedGeneration = entry.generation
  let acceptedMessage = `${entry.ref.kind} is valid`
  const compiled = entry.ref.kind === 'Api' || entry.ref.kind === 'Stage'
  let programmed: { ok: boolean; reason: string; message: string } | undefined

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
  if (stage?.api && stage.served && !hasErrors(entry.problems)) {
    const executeApi = !(stage.api.spec.disableExecuteApiEndpoint ?? false)
    if (executeApi) status.url = stageUrl(opts, stage.api.apiId, stage.stageName)
    const { revision, deployment } = stage.served
    status.revision = revision.id
    if (deployment !== undefined) status.deployment = deployment
    if (stage.canary) {
      status.canaryRevision = stage.canary.served.revision.id
      if (stage.canary.served.deployment !== undefined) status.canaryDeployment = stage.canary.served.deployment
    }
    acceptedMessage =
      deployment !== undefined
        ? `Stage ${stage.stageName} serves ApiDeployment ${deployment} (revision ${revision.id}) of Api ${stage.api.entry.ref.name}`
        : `Stage ${stage.stageName} serves revision ${revision.id} of Api ${stage.api.entry.ref.name}`
    if (stage.canary) {
      const c = stage.canary
      acceptedMessage += `; canary: ${c.percentTraffic}% of requests on ${c.served.deployment !== undefined ? `ApiDeployment ${c.served.deployment} (revision ${c.served.revision.id})` : `revision ${c.served.revision.id}`}`
    }
  }
  const deployment = metering.deploymentOf.get(entry)
  if (deployment) {
    const servedBy = stages
      .filter(
        (s) =>
          (s.served?.deployment === entry.ref.name || s.canary?.served.deployment === entry.ref.name) &&
          s.api?.entry.ref.namespace === entry.ref.namespace &&
          !hasErrors(s.entry.problems),
      )
      .map((s) => s.entry.ref.name)
      .sort()
    if (!hasErrors(entry.problems)) status.revision = deployment.build.revision.id
    status.stages = servedBy
    acceptedMessage = `ApiDeployment of Api ${deployment.apiName} is valid; its snapshot compiles to revision ${deployment.build.revision.id}`
    programmed =
      servedBy.length > 0
        ? { ok: true, reason: 'Programmed', message: `served by ${servedBy.length === 1 ? 'Stage' : 'Stages'} ${servedBy.join(', ')}` }
        : { ok: false, reason: 'NotServed', message: 'no Stage serves this deployment; it is kept as history to roll back to' }
  }
  const key = metering.keyOf.get(entry)
  if (key) {
    const inPlans = metering.plans.filter((p) => p.keys.includes(key)).map((p) => p.entry.ref.name)
    status.secretRef = { ...key.secretRef }
    status.usagePlans = inPlans.sort()
    acceptedMessage = 'ApiKey is valid'
    const firstError = entry.problems.find((p) => p.severity === 'error')
    programmed =
      key.valueSha256 !== undefined
        ? { ok: true, reason: 'Programmed', message: `${key.enabled ? 'enabled' : 'disabled'}; in ${inPlans.length} usage plan${inPlans.length === 1 ? '' : 's'}` }
        : { ok: false, reason: firstError?.reason ?? 'Invalid', message: 'the key is not in effect: its value could not be read' }
  }
  const plan = metering.planOf.get(entry)
  if (plan) {
    const enabled = plan.keys.filter((k) => k.enabled).length
    status.apiKeyCount = enabled
    acceptedMessage = 'UsagePlan is valid'
    programmed = {
      ok: true,
      reason: 'Programmed',
      message: `in effect for ${enabled} enabled API key${enabled === 1 ? '' : 's'} on ${plan.config.apiStages.length} stage${plan.config.apiStages.length === 1 ? '' : 's'}`,
    }
  }
  const authorizer = metering.authorizerOf.get(entry)
  if (authorizer) {
    Object.assign(status, authorizer.build.endpoint)
    acceptedMessage = 'Authorizer is valid'
    const n = authorizer.routes
    programmed = { ok: true, reason: 'Programmed', message: `in effect for ${n} route${n === 1 ? '' : 's'} of accepted Apis` }
  }
  status.conditions = conditionsFor(entry, { compiled, acceptedMessage, ...(programmed ? { programmed } : {}) })

  const result: ResourceStatus = { ref: { ...entry.ref }, problems: entry.problems, status }
  if (entry.generation !== undefined) result.generation = entry.generation
  return result
}
