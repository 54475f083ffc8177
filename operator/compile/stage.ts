// One Stage: which Api it serves (apiRef), which revision of it (spec.revision names an
// ApiDeployment; without one the stage follows the Api's current spec: autoDeploy), its name in
// URLs and its variables. Conflicts between Stages (two with one stageName on one Api) are
// settled in conflicts.ts.
import { error, warning, type Problem } from '../../crds/problems.js'
import type { StageSpec } from '../../crds/stage.js'
import { routeKeyOfMethodKey, type MeteringFailureMode, type StageCacheConfig, type StageLoggingConfig, type StageMetricsConfig, type StageTracingConfig, type ThrottleConfig } from '../../proxy/config/schema.js'
import type { ApiBuild } from './api.js'
import { CACHE_FIELDS, compileStageCache } from './cache.js'
import { compileStageMetrics, METRICS_FIELDS } from './metrics.js'
import { resolveRevision, type DeploymentIndex, type ServedRevision } from './deployments.js'
import { childField } from './fields.js'
import { compileStageLogging, LOGGING_FIELDS } from './logging.js'
import type { StageVariableUse } from './parameters.js'
import type { SecretIndex } from './secrets.js'
import { hasErrors, type Entry } from './types.js'
import { compileStageTracing } from './tracing.js'

export const DEFAULT_STAGE_NAME = '$default'
/** AWS: "Stage names can only contain alphanumeric characters, hyphens, and underscores. Maximum length is 128 characters." */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/
/** AWS: stage variable values must match [A-Za-z0-9-._~:/?#&=,]+ (names are checked by the schema). */
const VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]+$/

export interface StageBuild {
  entry: Entry
  spec: StageSpec
  stageName: string
  /** Where a conflict on the stage name is reported. */
  stageNameField: string
  /** The Api served, when the reference resolved to an accepted Api. */
  api: ApiBuild | undefined
  /** The revision served: an ApiDeployment's, or the Api's current one; undefined when it did not resolve. */
  served: ServedRevision | undefined
  /** spec.canary, resolved; undefined without one (or when the stage side did not resolve). */
  canary: CanaryBuild | undefined
  /** Stage default throttle (spec.throttle, methodSettings['*\/*']). */
  throttle: ThrottleConfig | undefined
  /** Method settings' throttles by route key. */
  methodThrottles: Record<string, ThrottleConfig>
  meteringFailureMode: MeteringFailureMode | undefined
  /** The stage's response cache (cache.ts); undefined: none. */
  cache: StageCacheConfig | undefined
  /** Access log format and per-route execution logging (logging.ts); undefined: none. */
  logging: StageLoggingConfig | undefined
  /** Routes with detailed metrics (metrics.ts); undefined: none. */
  metrics: StageMetricsConfig | undefined
  /** spec.tracingEnabled (tracing.ts); undefined: not traced. */
  tracing: StageTracingConfig | undefined
}

export interface CanaryBuild {
  served: ServedRevision
  percentTraffic: number
  /** The stage's variables with the canary's overrides applied. */
  variables: Record<string, string>
  useStageCache: boolean
}

/** Every Api resource by "namespace/name"; `build` is absent when it failed schema validation. */
export type ApiIndex = Map<string, { entry: Entry; build: ApiBuild | undefined }>

export function compileStage(entry: Entry, apis: ApiIndex, deployments: DeploymentIndex, account: ThrottleConfig, secrets: SecretIndex): StageBuild {
  const spec = entry.obj.spec as StageSpec
  const problems: Problem[] = []
  const api = resolveApi(entry, spec, apis, problems)
  const served = api ? servedRevision(spec, api, deployments, problems) : undefined

  const stageName = spec.stageName ?? entry.ref.name
  const stageNameField = spec.stageName !== undefined ? 'spec.stageName' : 'metadata.name'
  if (spec.stageName === undefined && !STAGE_NAME.test(stageName)) {
    problems.push(
      error(
        'metadata.name',
        'InvalidStageName',
        `metadata.name ${JSON.stringify(stageName)} is not a valid stage name (letters, digits, - and _, at most 128); set spec.stageName`,
      ),
    )
  }
  if (stageName === DEFAULT_STAGE_NAME && api && api.protocol !== 'HTTP') {
    problems.push(error('spec.stageName', 'InvalidStageName', `the $default stage is only for HTTP APIs; Api ${api.entry.ref.name} is ${api.protocol}`))
  }
  const variableFields: [string, Record<string, string>][] = [
    ['spec.variables', spec.variables ?? {}],
    ['spec.canary.variableOverrides', spec.canary?.variableOverrides ?? {}],
  ]
  for (const [field, name, value] of variableFields.flatMap(([f, vars]) => Object.entries(vars).map(([n, v]) => [f, n, v] as const))) {
    if (!VARIABLE_VALUE.test(value)) {
      problems.push(
        error(
          childField(field, name),
          'InvalidStageVariable',
          `the value of stage variable ${name} may only contain letters, digits and - . _ ~ : / ? # & = , (and may not be empty)`,
        ),
      )
    }
  }
  const canary = api && served && spec.canary ? compileCanary(spec, api, deployments, problems) : undefined
  const throttles = stageThrottles(spec, served, api, account, problems)
  const servedRoutes = [...(served?.revision.routes ?? []), ...(canary?.served.revision.routes ?? [])]
  const cache = compileStageCache(entry, spec, api, servedRoutes, secrets, problems)
  const logging = compileStageLogging(spec, servedRoutes, problems)
  const metrics = compileStageMetrics(spec, servedRoutes)
  entry.problems.push(...problems)
  const tracing = compileStageTracing(spec)
  return { entry, spec, stageName, stageNameField, api, served, canary, ...throttles, meteringFailureMode: spec.meteringFailureMode, cache, logging, metrics, tracing }
}

/** spec.canary: its revision (an ApiDeployment, else the Api's current spec) and its variables. */
function compileCanary(spec: StageSpec, api: ApiBuild, deployments: DeploymentIndex, problems: Problem[]): CanaryBuild | undefined {
  const canary = spec.canary!
  const served = resolveRevision(canary.revision, 'spec.canary.revision', api, deployments, problems)
  if (!served) return undefined
  return {
    served,
    percentTraffic: canary.percentTraffic,
    variables: { ...spec.variables, ...canary.variableOverrides },
    useStageCache: canary.useStageCache ?? false,
  }
}

/**
 * spec.revision names an ApiDeployment; without it the stage follows the Api (autoDeploy, the
 * default). autoDeploy: true with a revision, or autoDeploy: false without one, is an error.
 */
function servedRevision(spec: StageSpec, api: ApiBuild, deployments: DeploymentIndex, problems: Problem[]): ServedRevision | undefined {
  if (spec.revision !== undefined && spec.autoDeploy === true) {
    problems.push(error('spec.autoDeploy', 'RevisionConflict', 'set either revision (serve one ApiDeployment) or autoDeploy: true (follow the Api), not both'))
    return undefined
  }
  if (spec.revision === undefined && spec.autoDeploy === false) {
    problems.push(
      error('spec.revision', 'NoRevision', 'autoDeploy is false and no revision is set: name the ApiDeployment to serve (tollgate deploy writes one)'),
    )
    return undefined
  }
  return resolveRevision(spec.revision, 'spec.revision', api, deployments, problems)
}

const ENFORCED_FIELDS: ReadonlySet<string> = new Set(['throttlingRateLimit', 'throttlingBurstLimit', ...CACHE_FIELDS, ...LOGGING_FIELDS, ...METRICS_FIELDS])
const ALL_METHODS = '*/*'

/**
 * The stage default and per-method throttles. methodSettings['*\/*'] throttling fields override
 * spec.throttle field by field; a method setting that gives only one of rate and burst takes the
 * other from the stage default, else from the account throttle. Keys naming no route of the
 * Api are reported (RouteNotFound) and ignored. Caching fields are compiled in cache.ts, logging
 * fields in logging.ts, metrics fields in metrics.ts.
 */
function stageThrottles(
  spec: StageSpec,
  served: ServedRevision | undefined,
  api: ApiBuild | undefined,
  account: ThrottleConfig,
  problems: Problem[],
): { throttle: ThrottleConfig | undefined; methodThrottles: Record<string, ThrottleConfig> } {
  const settings = spec.methodSettings ?? {}
  const all = settings[ALL_METHODS]
  const rate = all?.throttlingRateLimit ?? spec.throttle?.rateLimit
  const burst = all?.throttlingBurstLimit ?? spec.throttle?.burstLimit
  const throttle = rate === undefined && burst === undefined ? undefined : { rateLimit: rate ?? account.rateLimit, burstLimit: burst ?? account.burstLimit }
  const methodThrottles: Record<string, ThrottleConfig> = {}
  const routeKeys = new Set(served?.revision.routes.map((r) => r.key) ?? [])
  for (const key of Object.keys(settings).sort()) {
    const setting = settings[key]!
    const field = childField('spec.methodSettings', key)
    for (const name of Object.keys(setting)) {
      if (!ENFORCED_FIELDS.has(name)) problems.push(warning(`${field}.${name}`, 'NotImplemented', 'is accepted but not enforced yet'))
    }
    if (key === ALL_METHODS) continue
    const routeKey = routeKeyOfMethodKey(key)
    if (routeKey === undefined) {
      problems.push(warning(field, 'RouteNotFound', `method settings are keyed '{resourcePath}/{METHOD}' (e.g. '/pets/{petId}/GET') or '*/*'; this key names no route and has no effect`))
      continue
    }
    if (api && served && !routeKeys.has(routeKey)) {
      problems.push(warning(field, 'RouteNotFound', `Api ${api.entry.ref.name} has no route ${routeKey}; this setting has no effect`))
      continue
    }
    if (setting.throttlingRateLimit === undefined && setting.throttlingBurstLimit === undefined) continue
    methodThrottles[routeKey] = {
      rateLimit: setting.throttlingRateLimit ?? throttle?.rateLimit ?? account.rateLimit,
      burstLimit: setting.throttlingBurstLimit ?? throttle?.burstLimit ?? account.burstLimit,
    }
  }
  return { throttle, methodThrottles }
}

function resolveApi(entry: Entry, spec: StageSpec, apis: ApiIndex, problems: Problem[]): ApiBuild | undefined {
  const namespace = spec.apiRef.namespace ?? entry.ref.namespace
  const ref = `${namespace}/${spec.apiRef.name}`
  if (namespace !== entry.ref.namespace) {
    problems.push(
      error(
        'spec.apiRef.namespace',
        'RefNotPermitted',
        `apiRef to namespace ${namespace} is not permitted: cross-namespace references need a grant, which is not implemented yet`,
      ),
    )
    return undefined
  }
  const found = apis.get(ref)
  if (!found) {
    problems.push(error('spec.apiRef', 'ApiNotFound', `Api ${ref} not found`))
    return undefined
  }
  if (!found.build || hasErrors(found.entry.problems)) {
    const first = found.entry.problems.find((p) => p.severity === 'error')
    const why = first ? `: ${first.field ? `${first.field}: ` : ''}${first.message}` : ''
    problems.push(error('spec.apiRef', 'ApiNotAccepted', `Api ${ref} is not accepted${why}`))
    return undefined
  }
  return found.build
}

/**
 * Warnings for stage variables that the Api's routes read but this stage does not define:
 * API Gateway accepts such a stage and answers 500 at request time, and so does Tollgate.
 */
export function undefinedVariableWarnings(stage: StageBuild): Problem[] {
  if (!stage.api || !stage.served) return []
  const warnings = undefinedIn(stage.served, stage.spec.variables ?? {}, stage.api, 'spec.variables', false)
  if (stage.canary) warnings.push(...undefinedIn(stage.canary.served, stage.canary.variables, stage.api, 'spec.canary.variableOverrides', true))
  return warnings
}

const VARIABLE_REFERENCE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g

/** Stage variables in the function URIs of the Lambda authorizers the revision's routes use. */
function authorizerVariables(served: ServedRevision): StageVariableUse[] {
  const uses: StageVariableUse[] = []
  for (const a of served.authorizers) {
    if (a.type !== 'TOKEN' && a.type !== 'REQUEST') continue
    for (const m of a.invokeUri.matchAll(VARIABLE_REFERENCE)) uses.push({ name: m[1]!, field: `the function URI of Authorizer ${a.name}` })
  }
  return uses
}

function undefinedIn(served: ServedRevision, defined: Record<string, string>, api: ApiBuild, field: string, canary: boolean): Problem[] {
  const byName = new Map<string, string[]>()
  for (const use of [...served.stageVariables, ...authorizerVariables(served)]) {
    if (Object.hasOwn(defined, use.name)) continue
    const fields = byName.get(use.name) ?? []
    if (!fields.includes(use.field)) fields.push(use.field)
    byName.set(use.name, fields)
  }
  const of = served.deployment !== undefined ? `ApiDeployment ${served.deployment}` : `Api ${api.entry.ref.name}`
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, fields]) =>
      warning(
        field,
        'UndefinedStageVariable',
        `stage variable ${name} is used by ${fields.join(', ')} of ${of} but not defined ${canary ? 'on the canary' : 'in this stage'}; ` +
          `${canary ? 'canary ' : ''}requests to those routes will fail with 500`,
      ),
    )
}
