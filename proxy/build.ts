// build: GatewayConfig → Runtime, pure (no I/O, no clock). Everything a request needs is
// precompiled here: one router per revision, and per stage and route the pipeline's handler
// array with stage variables resolved, URIs split, mappings and patterns compiled. A stage with
// a canary gets a second side built the same way from the canary's revision and variables.
// A route that cannot be built answers 500 (API_CONFIGURATION_ERROR) and is reported in
// `problems`; it never blocks the rest of the config.
import type { JwtKeyStore } from './auth/jwt/keys.js'
import { arnSettings } from './auth/arn.js'
import { lambdaAuthorizerOrigin } from './auth/lambda/index.js'
import type { ApiConfig, CanaryConfig, GatewayConfig, RevisionConfig, RouteConfig, StageConfig } from './config/schema.js'
import { corsPolicy, type CorsPolicy } from './cors.js'
import { GatewayError } from './errors.js'
import { compileCustomization, CustomizationError, type CustomResponse } from './gateway-response-custom.js'
import { GatewayResponses, type Customization } from './gateway-responses.js'
import { HostMatcher } from './host.js'
import { compileIntegration } from './integrations/compile.js'
import { buildMeteringIndex, type MeteringIndex } from './metering/index.js'
import { PIPELINE } from './pipeline/order.js'
import { resourceId } from './resource-id.js'
import type { Handler } from './pipeline/types.js'
import { Router, RouterError } from './router.js'
import type { ApiRuntime, CanarySplit, RouteRuntime, Runtime, StageRuntime } from './runtime.js'
import { routeSeriesLabels, stageSeriesLabels } from './telemetry/metrics-labels.js'
import type { RouteTracing } from './telemetry/tracing-route.js'

export interface BuildOptions {
  /** Request body limit, named by the 413 message. Default 10 MiB. */
  readonly maxBodyBytes?: number
  /** JWT signing keys, cached across builds (the gateway's); absent: each JWT route fetches its own. */
  readonly jwtKeys?: JwtKeyStore
  /** The process's tracing (telemetry/tracing.ts): wraps the routes of traced stages. Absent: nothing is traced. */
  readonly tracing?: RouteTracing
}

function brokenRoute(message: string): Handler {
  return () => {
    throw new GatewayError('TG_ERR_ROUTE_CONFIGURATION', 'API_CONFIGURATION_ERROR', message)
  }
}

interface RevisionRouting {
  readonly router: Router<number>
  /** Routes the router refused (bad path template), by index. */
  readonly refused: ReadonlyMap<number, string>
}

function buildRouter(routes: readonly RouteConfig[]): RevisionRouting {
  const router = new Router<number>()
  const refused = new Map<number, string>()
  routes.forEach((route, i) => {
    if (route.key === '$default') return
    try {
      router.add(route.method.toUpperCase(), route.path, i)
    } catch (err) {
      if (!(err instanceof RouterError)) throw err
      refused.set(i, err.message)
    }
  })
  return { router, refused }
}

/** What every route's build reads besides its own API, stage and route; one per config. */
interface BuildShared {
  readonly gateway: GatewayConfig
  readonly metering: MeteringIndex
  readonly jwtKeys: JwtKeyStore | undefined
  readonly tracing: RouteTracing | undefined
  /** Upstream origins seen (connection pools are made for them). */
  readonly origins: Set<string>
  /** Routes that could not be built, with the reason. */
  readonly problems: string[]
}

function routeRuntime(api: ApiConfig, stage: StageConfig, route: RouteConfig, handlers: Handler[], side: 'stage' | 'canary'): RouteRuntime {
  // The $default route's resource is "$default" (as in authorizer events).
  const id = resourceId(api.id, route.key === '$default' ? '$default' : route.path)
  return { key: route.key, config: route, resourceId: id, handlers, metricLabels: routeSeriesLabels(api, stage, route, side) }
}

function buildRoute(api: ApiConfig, stage: StageConfig, canary: CanaryConfig | null, route: RouteConfig, shared: BuildShared, label: string): RouteRuntime {
  const { metering, origins, problems } = shared
  try {
    const integration = compileIntegration(api, stage, route)
    if (integration.uri !== null) origins.add(integration.uri.origin)
    const authorizerOrigin = lambdaAuthorizerOrigin(api, stage, route)
    if (authorizerOrigin !== null) origins.add(authorizerOrigin)
    const handlers: Handler[] = []
    const names: string[] = []
    const input = { api, stage, canary, route, integration, metering, gateway: shared.gateway, jwtKeys: shared.jwtKeys }
    for (const pipelineStage of PIPELINE) {
      const handler = pipelineStage.build(input)
      if (handler !== null) {
        handlers.push(handler)
        names.push(pipelineStage.name)
      }
    }
    // Traced stages: the spans are wrapped around the handlers here, once (telemetry/tracing-route.ts).
    const tracing = stage.tracing?.enabled === true ? shared.tracing : undefined
    return routeRuntime(api, stage, route, tracing === undefined ? handlers : tracing.traceRoute(input, names, handlers), canary === null ? 'stage' : 'canary')
  } catch (err) {
    const message = `api ${api.id} stage ${label} route ${route.key}: ${(err as Error).message}`
    problems.push(message)
    return routeRuntime(api, stage, route, [brokenRoute(message)], canary === null ? 'stage' : 'canary')
  }
}

/**
 * The API's gateway response customizations (REST APIs). One that cannot be compiled (the
 * compiler refuses it; a hand-written config may not) is left out and reported: that type
 * answers as if it were not customized.
 */
function buildCustomization(api: ApiConfig, shared: BuildShared): Customization | null {
  const configs = api.gatewayResponses
  if (configs === undefined || api.protocol !== 'REST') return null
  const responses: Record<string, CustomResponse> = {}
  for (const [type, config] of Object.entries(configs)) {
    try {
      responses[type] = compileCustomization(config)
    } catch (err) {
      if (!(err instanceof CustomizationError)) throw err
      shared.problems.push(`api ${api.id} gateway response ${type}: ${err.message}`)
    }
  }
  return { responses, env: { accountId: arnSettings(shared.gateway).accountId } }
}

/**
 * The API as a revision deployed it: its Api-wide settings (binaryMediaTypes, apiKeySource,
 * policy, CORS, gateway responses) replaced by the revision's own when it carries them.
 */
function deployedApi(api: ApiConfig, revision: RevisionConfig): ApiConfig {
  const settings = revision.settings
  if (settings === undefined) return api
  const { apiKeySource: _k, policy: _p, cors: _c, gatewayResponses: _g, ...rest } = api
  return { ...rest, ...settings }
}

/** Per API: the gateway responses and CORS policy of each revision that carries its own settings. */
type DeployedSettings = Map<string, { api: ApiConfig; responses: GatewayResponses; cors: CorsPolicy | null }>

function withoutCanary(stage: StageConfig): StageConfig {
  const { canary: _canary, ...rest } = stage
  return rest
}

/** One side of a stage: the routes of its revision, built with its variables. */
function buildStage(
  api: ApiConfig,
  runtime: ApiRuntime,
  stage: StageConfig,
  routing: ReadonlyMap<string, RevisionRouting>,
  deployed: DeployedSettings,
  shared: BuildShared,
  side: 'stage' | 'canary',
  canary: CanarySplit | null,
  canaryOf: CanaryConfig | null = null,
): StageRuntime {
  const revision = api.revisions.find((r) => r.id === stage.revision)!
  const { router, refused } = routing.get(revision.id)!
  const label = side === 'canary' ? `${stage.name} (canary)` : stage.name
  const own = deployed.get(revision.id)
  const served = own?.api ?? api
  const routes = revision.routes.map((route, i) => {
    const reason = refused.get(i)
    if (reason === undefined) return buildRoute(served, stage, side === 'canary' ? canaryOf : null, route, shared, label)
    const message = `api ${api.id} stage ${label} route ${route.key}: ${reason}`
    shared.problems.push(message)
    return routeRuntime(api, stage, route, [brokenRoute(message)], side)
  })
  const defaultIndex = api.protocol === 'HTTP' ? revision.routes.findIndex((r) => r.key === '$default') : -1
  return {
    name: stage.name,
    api: runtime,
    revision: revision.id,
    side,
    canary,
    variables: stage.variables,
    config: stage,
    router,
    routes,
    defaultRoute: defaultIndex === -1 ? null : routes[defaultIndex]!,
    responses: own?.responses ?? runtime.responses,
    cors: own !== undefined ? own.cors : runtime.cors,
    metricLabels: stageSeriesLabels(api, stage, side),
  }
}

function apiResponses(api: ApiConfig, maxBodyBytes: number, cors: CorsPolicy | null, shared: BuildShared): GatewayResponses {
  return new GatewayResponses(api.protocol === 'HTTP' ? 'HTTP' : 'REST', maxBodyBytes, cors, buildCustomization(api, shared))
}

function buildApi(api: ApiConfig, maxBodyBytes: number, shared: BuildShared): ApiRuntime {
  const stages = new Map<string, StageRuntime>()
  const cors = corsPolicy(api)
  const runtime: ApiRuntime & { defaultStage: StageRuntime | null } = {
    id: api.id,
    name: api.name,
    protocol: api.protocol,
    served: !api.disableExecuteApiEndpoint && api.protocol !== 'WEBSOCKET',
    private: api.endpointType === 'PRIVATE',
    stages,
    defaultStage: null,
    responses: apiResponses(api, maxBodyBytes, cors, shared),
    cors,
  }
  const routing = new Map<string, RevisionRouting>()
  const deployed: DeployedSettings = new Map()
  for (const revision of api.revisions) {
    routing.set(revision.id, buildRouter(revision.routes))
    if (revision.settings === undefined) continue
    const own = deployedApi(api, revision)
    const ownCors = corsPolicy(own)
    deployed.set(revision.id, { api: own, cors: ownCors, responses: apiResponses(own, maxBodyBytes, ownCors, shared) })
  }
  for (const stage of api.stages) {
    const canary = stage.canary
    // The canary side: the stage with the canary's revision and variables (and no canary of its own).
    const split: CanarySplit | null =
      canary === undefined
        ? null
        : {
            percentTraffic: canary.percentTraffic,
            useStageCache: canary.useStageCache,
            stage: buildStage(api, runtime, { ...withoutCanary(stage), revision: canary.revision, variables: canary.variables }, routing, deployed, shared, 'canary', null, canary),
          }
    const stageRuntime = buildStage(api, runtime, stage, routing, deployed, shared, 'stage', split)
    if (api.protocol === 'HTTP' && stage.name === '$default') runtime.defaultStage = stageRuntime
    else stages.set(stage.name, stageRuntime)
  }
  return runtime
}

export function build(config: GatewayConfig, options: BuildOptions = {}): Runtime {
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024
  const origins = new Set<string>()
  const problems: string[] = []
  const apis = new Map<string, ApiRuntime>()
  const metering = buildMeteringIndex(config)
  const shared: BuildShared = { gateway: config, metering, jwtKeys: options.jwtKeys, tracing: options.tracing, origins, problems }
  for (const api of config.apis) apis.set(api.id.toLowerCase(), buildApi(api, maxBodyBytes, shared))
  return {
    config,
    metering,
    hosts: new HostMatcher(config.domain),
    apis,
    origins,
    responses: new GatewayResponses('REST', maxBodyBytes),
    problems,
  }
}
