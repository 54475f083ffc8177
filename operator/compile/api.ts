// One Api: protocol, apiId, routes and the revision they make. Conflicts between Apis (apiId)
// are settled in conflicts.ts once every Api is compiled.
import { error, type Problem } from '../../crds/problems.js'
import type { ApiSpec } from '../../crds/api.js'
import { canonicalJson, sha256Hex } from '../../proxy/config/hash.js'
import type { AuthorizerConfig, CorsConfig, RevisionConfig } from '../../proxy/config/schema.js'
import type { AuthorizerIndex } from './authorizers.js'
import { resourcePolicyProblems } from '../../proxy/auth/resource-policy.js'
import { defaultApiId } from './apiid.js'
import { compileCors, withPreflightRoutes } from './cors.js'
import type { StageVariableUse } from './parameters.js'
import { compileRoutes } from './routes.js'
import type { Entry } from './types.js'
import { apiNotImplemented } from './unimplemented.js'

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
}

export const REVISION_ID_LENGTH = 12

export function compileApi(entry: Entry, authorizers: AuthorizerIndex, functionEndpoint?: string): ApiBuild {
  const spec = entry.obj.spec as ApiSpec
  const protocol = spec.protocol ?? 'REST'
  const problems: Problem[] = []
  let routes: RevisionConfig['routes'] = []
  let stageVariables: StageVariableUse[] = []
  if (protocol === 'WEBSOCKET') {
    problems.push(error('spec.protocol', 'UnsupportedProtocol', 'WebSocket APIs are not implemented yet; use REST or HTTP'))
  } else {
    const compiled = compileRoutes(spec.routes, { protocol, namespace: entry.ref.namespace, authorizers, functionEndpoint })
    problems.push(...compiled.problems)
    routes = compiled.routes
    stageVariables = compiled.stageVariables
  }
  const cors = compileCors(spec.cors)
  problems.push(...cors.problems)
  // REST APIs answer preflights with OPTIONS MOCK routes: part of the revision, like hand-written ones.
  if (protocol === 'REST' && cors.config !== undefined) routes = withPreflightRoutes(routes, cors.config)
  problems.push(...apiNotImplemented(spec))
  if (spec.policy !== undefined) {
    for (const p of resourcePolicyProblems(spec.policy)) problems.push(error('spec.policy', p.reason, p.message))
  }
  entry.problems.push(...problems)
  return {
    entry,
    spec,
    apiId: spec.apiId ?? defaultApiId(entry.ref.namespace, entry.ref.name),
    apiIdField: spec.apiId !== undefined ? 'spec.apiId' : 'metadata.name',
    protocol,
    revision: { id: revisionId(routes), routes },
    stageVariables,
    authorizers: usedAuthorizers(routes, authorizers),
    cors: cors.config,
  }
}

function usedAuthorizers(routes: RevisionConfig['routes'], index: AuthorizerIndex): AuthorizerConfig[] {
  const names = [...new Set(routes.flatMap((r) => (r.authorizer !== undefined ? [r.authorizer] : [])))].sort()
  return names.map((name) => index.get(name)!.config)
}

/** Content-derived revision id: the first 12 hex characters of sha256(canonicalJson(routes)). */
export function revisionId(routes: RevisionConfig['routes']): string {
  return sha256Hex(canonicalJson(routes)).slice(0, REVISION_ID_LENGTH)
}
