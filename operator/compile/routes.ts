// The routes of one Api: route keys, path rules across routes (duplicates, sibling variable
// path parts), method request parameters and method responses (method-responses.ts);
// integrations are compiled in integration.ts. Routes come out sorted by key, so the revision does not depend on the order
// of spec.routes (API Gateway matches by specificity, never by declaration order).
import { error, type Problem } from '../../crds/problems.js'
import type { Route } from '../../crds/api.js'
import type { MethodResponseConfig, RouteConfig } from '../../proxy/config/schema.js'
import { resolveAuthorizer, type AuthorizerIndex } from './authorizers.js'
import { compileIntegration } from './integration.js'
import { methodResponseProblems } from './method-responses.js'
import { methodParameterProblems, type StageVariableUse } from './parameters.js'
import { parsePath, type Segment } from './paths.js'
import { compileRouteValidation, type ValidationIndex } from './validation.js'

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const
export const DEFAULT_ROUTE_KEY = '$default'

export interface RoutesContext {
  protocol: 'REST' | 'HTTP'
  namespace: string
  /** Valid Authorizers, for authorizerRef. */
  authorizers: AuthorizerIndex
  /** The Api's request validators and models (validation.ts). */
  validation: ValidationIndex
  /** CompileOptions.functionEndpoint: where Lambda ARN uris are invoked. */
  functionEndpoint?: string | undefined
}

export interface CompiledRoutes {
  routes: RouteConfig[]
  problems: Problem[]
  stageVariables: StageVariableUse[]
}

interface Shape {
  method: string
  path: string
  /** Field that holds the path, for path problems. */
  pathField: string
  segments: Segment[]
  params: string[]
}

export function compileRoutes(routes: readonly Route[], ctx: RoutesContext): CompiledRoutes {
  const problems: Problem[] = []
  const stageVariables: StageVariableUse[] = []
  const compiled: RouteConfig[] = []
  const keys = new Map<string, number>()
  const variableChildren = new Map<string, { text: string; route: number }>()

  routes.forEach((route, i) => {
    const f = `spec.routes[${i}]`
    const shape = routeShape(route, f, ctx.protocol, problems)
    if (!shape) return
    const key = shape.path === '' ? DEFAULT_ROUTE_KEY : `${shape.method} ${shape.path}`

    const first = keys.get(key)
    if (first !== undefined) {
      problems.push(error(f, 'DuplicateRoute', `route ${key} is already defined by spec.routes[${first}]`))
    } else {
      keys.set(key, i)
    }
    problems.push(...siblingProblems(shape, i, variableChildren))
    problems.push(...methodParameterProblems(route.requestParameters ?? {}, shape.params, `${f}.requestParameters`))
    problems.push(...methodResponseProblems(route, f))

    const integration = compileIntegration(route.integration, {
      field: `${f}.integration`,
      protocol: ctx.protocol,
      namespace: ctx.namespace,
      path: shape.path,
      pathParams: shape.params,
      functionEndpoint: ctx.functionEndpoint,
    })
    problems.push(...integration.problems)
    stageVariables.push(...integration.stageVariables)
    const authorization = resolveAuthorizer(route, f, ctx)
    problems.push(...authorization.problems)
    const validation = compileRouteValidation(route, f, ctx.validation)
    problems.push(...validation.problems)

    compiled.push({
      key,
      method: shape.method,
      path: shape.path,
      authorizationType: route.authorizationType ?? 'NONE',
      ...(authorization.authorizer !== undefined ? { authorizer: authorization.authorizer.name } : {}),
      ...(route.authorizationScopes !== undefined ? { authorizationScopes: [...route.authorizationScopes] } : {}),
      apiKeyRequired: route.apiKeyRequired ?? false,
      requestParameters: { ...route.requestParameters },
      integration: integration.config,
      methodResponses: (route.methodResponses ?? []).map(
        (r): MethodResponseConfig => ({
          statusCode: r.statusCode,
          responseParameters: { ...r.responseParameters },
          responseModels: { ...r.responseModels },
        }),
      ),
      ...(validation.validation !== undefined ? { validation: validation.validation } : {}),
    })
  })

  compiled.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return { routes: compiled, problems, stageVariables }
}

/** Method and path of a route from path + method, or (HTTP APIs) from routeKey. */
function routeShape(route: Route, f: string, protocol: 'REST' | 'HTTP', problems: Problem[]): Shape | undefined {
  if (route.routeKey !== undefined) {
    if (protocol === 'REST') {
      problems.push(error(`${f}.routeKey`, 'InvalidRouteKey', 'routeKey is for HTTP and WebSocket APIs; routes of REST APIs have a path and a method'))
      return undefined
    }
    if (route.path !== undefined || route.method !== undefined) {
      problems.push(error(`${f}.routeKey`, 'InvalidRouteKey', 'set either routeKey or path and method, not both'))
      return undefined
    }
    if (route.routeKey === DEFAULT_ROUTE_KEY) {
      return { method: 'ANY', path: '', pathField: `${f}.routeKey`, segments: [], params: [] }
    }
    const m = /^([A-Z]+) (\S+)$/.exec(route.routeKey)
    if (!m || !(METHODS as readonly string[]).includes(m[1]!)) {
      problems.push(
        error(
          `${f}.routeKey`,
          'InvalidRouteKey',
          `routeKey ${JSON.stringify(route.routeKey)} must be $default or "METHOD /path" with METHOD one of ${METHODS.join(', ')}`,
        ),
      )
      return undefined
    }
    return withPath(m[1]!, m[2]!, `${f}.routeKey`, problems)
  }
  if (route.path === undefined || route.method === undefined) {
    const missing = route.path === undefined ? 'path' : 'method'
    const how = protocol === 'HTTP' ? 'a routeKey, or a path and a method' : 'a path and a method'
    problems.push(error(`${f}.${missing}`, 'FieldRequired', `${missing} is required: a route needs ${how}`))
    return undefined
  }
  return withPath(route.method, route.path, `${f}.path`, problems)
}

function withPath(method: string, path: string, pathField: string, problems: Problem[]): Shape | undefined {
  const parsed = parsePath(path, pathField)
  problems.push(...parsed.problems)
  if (parsed.problems.some((p) => p.reason === 'InvalidPath')) return undefined
  return { method, path, pathField, segments: parsed.segments, params: parsed.params }
}

/**
 * API Gateway builds a resource tree from the paths; a resource has at most one variable child
 * ("/pets/{id}" beside "/pets/{petId}", or beside "/pets/{proxy+}", is refused).
 */
function siblingProblems(shape: Shape, route: number, seen: Map<string, { text: string; route: number }>): Problem[] {
  let parent = ''
  for (const segment of shape.segments) {
    if (segment.kind === 'param') {
      const other = seen.get(parent)
      if (other && other.text !== segment.text) {
        return [
          error(
            shape.pathField,
            'ConflictingPathParameter',
            `${segment.text} in ${shape.path} conflicts with ${other.text} of spec.routes[${other.route}]: ` +
              `the resource ${parent || '/'} can have only one variable child path part`,
          ),
        ]
      }
      if (!other) seen.set(parent, { text: segment.text, route })
    }
    parent = `${parent}/${segment.text}`
  }
  return []
}
