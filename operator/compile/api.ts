// One Api: protocol, apiId, routes and the revision they make. Conflicts between Apis (apiId)
// are settled in conflicts.ts once every Api is compiled.
import { error, warning, type Problem } from '../../crds/problems.js'
import type { ApiSpec } from '../../crds/api.js'
import { canonicalJson, sha256Hex } from '../../proxy/config/hash.js'
import type { AuthorizerConfig, CorsConfig, GatewayResponsesConfig, RevisionConfig, RevisionSettings } from '../../proxy/config/schema.js'
import type { AuthorizerIndex } from './authorizers.js'
import { resourcePolicyProblems } from '../../proxy/auth/resource-policy.js'
import { defaultApiId } from './apiid.js'
import { compileCors, withPreflightRoutes } from './cors.js'
import { compileGatewayResponses } from './gateway-responses.js'
import type { StageVariableUse } from './parameters.js'
import { compileRoutes } from './routes.js'
import type { Entry } from './types.js'
import { apiNotImplemented } from './unimplemented.js'
import { compileValidationIndex, revisionModels } from './validation.js'

export interface ApiBuild {
  entry: Entry
  spec: ApiSpec
  apiId: string
  /** Where a conflict on the apiId is reported: the explicit field, or the name it derives from. */
  apiIdField: string
  protocol: 'REST' | 'HTTP' | 'WEBSOCKET'
  revision: RevisionConfig
  /** Stage variables the routes read, with the field that reads each. */
  stageVariables: StageVariableUse[]
  /** The authorizers its routes use, sorted by name. */
  authorizers: AuthorizerConfig[]
  /** spec.cors, normalized (cors.ts); undefined without one. */
  cors: CorsConfig | undefined
  /** spec.gatewayResponses (gateway-responses.ts); undefined without them. */
  gatewayResponses: GatewayResponsesConfig | undefined
  /** The Api-wide settings deployed with the routes (binaryMediaTypes, apiKeySource, policy, CORS, gateway responses). */
  settings: RevisionSettings
}

export const REVISION_ID_LENGTH = 12

export function compileApi(entry: Entry, authorizers: AuthorizerIndex, functionEndpoint?: string): ApiBuild {
  const spec = entry.obj.spec as ApiSpec
  const protocol = spec.protocol ?? 'REST'
  const problems: Problem[] = []
  let routes: RevisionConfig['routes'] = []
  let models: RevisionConfig['models']
  let stageVariables: StageVariableUse[] = []
  if (protocol === 'WEBSOCKET') {
    problems.push(error('spec.protocol', 'UnsupportedProtocol', 'WebSocket APIs are not implemented yet; use REST or HTTP'))
  } else {
    const validation = compileValidationIndex(spec, protocol)
    problems.push(...validation.problems)
    const compiled = compileRoutes(spec.routes, { protocol, namespace: entry.ref.namespace, authorizers, validation: validation.index, functionEndpoint })
    problems.push(...compiled.problems)
    routes = compiled.routes
    models = revisionModels(routes, validation.index)
    stageVariables = compiled.stageVariables
  }
  const cors = compileCors(spec.cors)
  problems.push(...cors.problems)
  // REST APIs answer preflights with OPTIONS MOCK routes: part of the revision, like hand-written ones.
  if (protocol === 'REST' && cors.config !== undefined) routes = withPreflightRoutes(routes, cors.config)
  const gatewayResponses = compileGatewayResponses(spec.gatewayResponses, protocol)
  problems.push(...gatewayResponses.problems)
  problems.push(...apiNotImplemented(spec))
  if (protocol === 'HTTP' && spec.binaryMediaTypes !== undefined && spec.binaryMediaTypes.length > 0) {
    // HTTP APIs have no binaryMediaTypes: HTTP_PROXY passes payloads through unchanged.
    problems.push(warning('spec.binaryMediaTypes', 'FieldIgnored', 'binaryMediaTypes are a REST API setting: HTTP APIs pass payloads through unchanged'))
  }
  if (spec.policy !== undefined) {
    for (const p of resourcePolicyProblems(spec.policy)) problems.push(error('spec.policy', p.reason, p.message))
  }
  entry.problems.push(...problems)
  const settings: RevisionSettings = {
    binaryMediaTypes: [...(spec.binaryMediaTypes ?? [])],
    ...(spec.apiKeySource !== undefined ? { apiKeySource: spec.apiKeySource } : {}),
    ...(spec.policy !== undefined ? { policy: spec.policy } : {}),
    ...(cors.config !== undefined ? { cors: cors.config } : {}),
    ...(gatewayResponses.config !== undefined ? { gatewayResponses: gatewayResponses.config } : {}),
  }
  return {
    entry,
    spec,
    apiId: spec.apiId ?? defaultApiId(entry.ref.namespace, entry.ref.name),
    apiIdField: spec.apiId !== undefined ? 'spec.apiId' : 'metadata.name',
    protocol,
    revision: { id: revisionId(routes, models, settings), routes, ...(models !== undefined ? { models } : {}) },
    stageVariables,
    authorizers: usedAuthorizers(routes, authorizers),
    cors: cors.config,
    gatewayResponses: gatewayResponses.config,
    settings,
  }
}

function usedAuthorizers(routes: RevisionConfig['routes'], index: AuthorizerIndex): AuthorizerConfig[] {
  const names = [...new Set(routes.flatMap((r) => (r.authorizer !== undefined ? [r.authorizer] : [])))].sort()
  return names.map((name) => index.get(name)!.config)
}

/**
 * Content-derived revision id: the first 12 hex characters of sha256(canonicalJson(routes)), or
 * of canonicalJson({routes, models?, settings?}) when the routes validate against models or the
 * Api sets Api-wide settings (a model or a settings change is a new revision too). Revisions
 * without either keep the id of their routes alone.
 */
export function revisionId(routes: RevisionConfig['routes'], models?: RevisionConfig['models'], settings?: RevisionSettings): string {
  const withSettings = settings !== undefined && !emptySettings(settings)
  if (models === undefined && !withSettings) return sha256Hex(canonicalJson(routes)).slice(0, REVISION_ID_LENGTH)
  const content = { routes, ...(models !== undefined ? { models } : {}), ...(withSettings ? { settings } : {}) }
  return sha256Hex(canonicalJson(content)).slice(0, REVISION_ID_LENGTH)
}

/** No Api-wide setting is set. */
export function emptySettings(settings: RevisionSettings): boolean {
  return settings.binaryMediaTypes.length === 0 && Object.keys(settings).length === 1
}
