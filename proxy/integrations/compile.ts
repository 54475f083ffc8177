// Compiles a route's integration for one stage, at build time: stage variables resolved, the
// URI split into parts, mappings and templates parsed, selection patterns compiled. A mistake
// here is a problem of the route (it answers 500, as API Gateway does for a configuration
// error), never of the whole config.
import type { ApiConfig, IntegrationConfig, RouteConfig, StageConfig } from '../config/schema.js'
import { parseTemplate } from '../router.js'
import { resolveStageVariables } from '../stage-variables.js'
import { compileUri, type UriTemplate } from '../uri-template.js'
import { compilePayloadRules, type PayloadRules } from './content-handling.js'
import { compileRequestMappings, type RequestMapping } from './mapping.js'
import { compileResponses, type ResponseSelector } from './selection.js'
import { compileTemplates, type TemplateSet } from './templates.js'

export class IntegrationProblem extends Error {}

export interface CompiledIntegration {
  readonly type: IntegrationConfig['type']
  readonly protocol: 'REST' | 'HTTP' | 'WEBSOCKET'
  readonly apiId: string
  /** Backend method; '' forwards the request's method (httpMethod ANY). */
  readonly method: string
  readonly uri: UriTemplate | null
  readonly timeoutMs: number
  readonly requestMappings: readonly RequestMapping[]
  readonly requestTemplates: TemplateSet
  readonly passthrough: IntegrationConfig['passthroughBehavior']
  /** binaryMediaTypes and contentHandling: how payloads are converted (content-handling.ts). */
  readonly payloads: PayloadRules
  readonly responses: ResponseSelector
  /** Names of the route's path parameters. */
  readonly pathParams: ReadonlySet<string>
  /** HTTP APIs: a `$default` route with a bare URI forwards the full request path. */
  readonly appendPath: boolean
  /** AWS_PROXY: the Lambda proxy event's format; null for other types. */
  readonly payloadFormatVersion: '1.0' | '2.0' | null
}

const SUPPORTED = new Set(['HTTP_PROXY', 'HTTP', 'MOCK', 'AWS_PROXY', 'AWS'])
/** The path of a function's invoke URL (AWS, AWS_PROXY), stage variables resolved. */
const INVOKE_PATH = /^\/2015-03-31\/functions\/[^/]+\/invocations$/

export function compileIntegration(api: ApiConfig, stage: StageConfig, route: RouteConfig): CompiledIntegration {
  const integration = route.integration
  if (!SUPPORTED.has(integration.type)) throw new IntegrationProblem(`integration type ${integration.type} is not supported yet`)
  const pathParams = new Set(route.key === '$default' ? [] : parseTemplate(route.path).filter((s) => s.kind !== 'static').map((s) => s.text))
  let uri: UriTemplate | null = null
  if (integration.type !== 'MOCK') {
    const resolved = resolveStageVariables(integration.uri, stage.variables)
    if (resolved.missing.length > 0) {
      throw new IntegrationProblem(`stage variable ${resolved.missing.join(', ')} used by the integration uri is not defined on stage ${stage.name}`)
    }
    try {
      uri = compileUri(resolved.text)
    } catch (err) {
      throw new IntegrationProblem((err as Error).message)
    }
    const functionType = integration.type === 'AWS' || integration.type === 'AWS_PROXY'
    if (functionType && (uri.params.length > 0 || !INVOKE_PATH.test(uri.parts.join('')))) {
      throw new IntegrationProblem(`function uri ${JSON.stringify(resolved.text)} is not an invoke URL (/2015-03-31/functions/NAME/invocations)`)
    }
  }
  let requestMappings: RequestMapping[]
  let responses: ResponseSelector
  let requestTemplates: TemplateSet
  try {
    requestMappings = compileRequestMappings(integration.requestParameters, stage.variables)
    responses = compileResponses(integration.responses, stage.variables)
    requestTemplates = compileTemplates(integration.requestTemplates)
  } catch (err) {
    throw new IntegrationProblem((err as Error).message)
  }
  for (const m of requestMappings) {
    if (m.source.kind === 'path' && !pathParams.has(m.source.name)) {
      throw new IntegrationProblem(`mapping ${m.target}.${m.name} reads path parameter ${m.source.name}, which the route does not have`)
    }
  }
  if (uri !== null) {
    const mappedPath = new Set(requestMappings.filter((m) => m.target === 'path').map((m) => m.name))
    for (const name of uri.params) {
      if (!pathParams.has(name) && !mappedPath.has(name)) {
        throw new IntegrationProblem(`integration uri placeholder {${name}} is neither a path parameter of the route nor mapped`)
      }
    }
  }
  const method = integration.httpMethod === 'ANY' || integration.httpMethod === '' ? '' : integration.httpMethod.toUpperCase()
  return {
    type: integration.type,
    protocol: api.protocol,
    apiId: api.id,
    method,
    uri,
    timeoutMs: integration.timeoutMs,
    requestMappings,
    requestTemplates,
    passthrough: integration.passthroughBehavior,
    payloads: compilePayloadRules(api, integration),
    responses,
    pathParams,
    appendPath: integration.type === 'HTTP_PROXY' && api.protocol === 'HTTP' && route.key === '$default' && uri !== null && uri.bare,
    payloadFormatVersion: integration.type === 'AWS_PROXY' ? (integration.payloadFormatVersion ?? (api.protocol === 'REST' ? '1.0' : '2.0')) : null,
  }
}
