// One route's integration: its checks and its IntegrationConfig with every default filled.
import { error, warning, type Problem } from '../../crds/problems.js'
import type { Integration } from '../../crds/api.js'
import type { IntegrationConfig, IntegrationResponseConfig } from '../../proxy/config/schema.js'
import { functionTarget } from './function.js'
import { integrationParameterProblems, type StageVariableUse } from './parameters.js'
import { uriProblems } from './uri.js'

export const DEFAULT_TIMEOUT_MS = 29000

export interface IntegrationContext {
  field: string
  protocol: 'REST' | 'HTTP'
  namespace: string
  /** Route path template ("" for $default); a backendRef forwards to the same path. */
  path: string
  pathParams: readonly string[]
  /** Gateway-wide function endpoint Lambda ARN uris are resolved against (function.ts); absent: none. */
  functionEndpoint?: string | undefined
}

export interface CompiledIntegration {
  config: IntegrationConfig
  problems: Problem[]
  stageVariables: StageVariableUse[]
}

export function compileIntegration(integration: Integration, ctx: IntegrationContext): CompiledIntegration {
  const f = ctx.field
  const problems: Problem[] = []
  const stageVariables: StageVariableUse[] = []
  // The schema has checked the value; its TypeBox type is only `string`.
  const type = integration.type as IntegrationConfig['type']

  if (ctx.protocol === 'HTTP' && type !== 'HTTP_PROXY' && type !== 'AWS_PROXY') {
    problems.push(error(`${f}.type`, 'InvalidIntegrationType', `HTTP APIs have HTTP_PROXY and AWS_PROXY integrations, not ${type}`))
  }

  let uri = ''
  let httpMethod = ''
  let payloadFormatVersion: IntegrationConfig['payloadFormatVersion']
  if (type === 'AWS' || type === 'AWS_PROXY') {
    // Functions are invoked with POST over the Lambda invoke API (function.ts).
    httpMethod = 'POST'
    if (integration.httpMethod !== undefined && integration.httpMethod !== 'POST') {
      problems.push(warning(`${f}.httpMethod`, 'FieldIgnored', `functions are invoked with POST; httpMethod ${integration.httpMethod} is ignored`))
    }
    const target = functionTarget(integration, f, ctx)
    problems.push(...target.problems)
    stageVariables.push(...target.stageVariables)
    uri = target.uri
    if (integration.requestParameters !== undefined && Object.keys(integration.requestParameters).length > 0) {
      problems.push(warning(`${f}.requestParameters`, 'FieldIgnored', `request parameter mappings are not applied to ${type} integrations`))
    }
    if (type === 'AWS_PROXY') {
      payloadFormatVersion = integration.payloadFormatVersion ?? (ctx.protocol === 'HTTP' ? '2.0' : '1.0')
      if (ctx.protocol === 'REST' && payloadFormatVersion !== '1.0') {
        problems.push(error(`${f}.payloadFormatVersion`, 'InvalidIntegration', 'REST APIs send Lambda proxy events in payload format 1.0 only'))
      }
    } else {
      if (integration.payloadFormatVersion !== undefined) {
        problems.push(warning(`${f}.payloadFormatVersion`, 'FieldIgnored', 'payloadFormatVersion applies to AWS_PROXY integrations only'))
      }
    }
  } else if (type === 'HTTP' || type === 'HTTP_PROXY') {
    httpMethod = integration.httpMethod ?? ''
    if (!integration.httpMethod) {
      problems.push(error(`${f}.httpMethod`, 'FieldRequired', `httpMethod is required for ${type} integrations (ANY forwards the request's method)`))
    }
    if (type === 'HTTP_PROXY' && integration.payloadFormatVersion !== undefined && integration.payloadFormatVersion !== '1.0') {
      problems.push(error(`${f}.payloadFormatVersion`, 'InvalidIntegration', 'HTTP_PROXY integrations support only payload format 1.0'))
    }
    let params = integrationParameterProblems(integration.requestParameters ?? {}, ctx.pathParams, `${f}.requestParameters`)
    if (ctx.protocol === 'HTTP' && integration.requestParameters && Object.keys(integration.requestParameters).length > 0) {
      params = { problems: [], mappedPathParams: [], stageVariables: [] }
      problems.push(
        error(
          `${f}.requestParameters`,
          'UnsupportedRequestParameter',
          'parameter mapping of HTTP APIs (append:/overwrite:/remove: keys) is not implemented yet',
        ),
      )
    } else {
      problems.push(...params.problems)
      stageVariables.push(...params.stageVariables)
    }
    if (integration.uri !== undefined && integration.backendRef !== undefined) {
      problems.push(error(f, 'InvalidIntegration', 'set either uri or backendRef, not both'))
    } else if (integration.uri !== undefined) {
      uri = integration.uri
      const checked = uriProblems(uri, `${f}.uri`, { route: ctx.pathParams, mapped: params.mappedPathParams })
      problems.push(...checked.problems)
      stageVariables.push(...checked.stageVariables)
    } else if (integration.backendRef !== undefined) {
      const ref = integration.backendRef
      const namespace = ref.namespace ?? ctx.namespace
      if (namespace !== ctx.namespace) {
        problems.push(
          error(
            `${f}.backendRef.namespace`,
            'RefNotPermitted',
            `backendRef to namespace ${namespace} is not permitted: cross-namespace references need a grant, which is not implemented yet`,
          ),
        )
      }
      uri = `${ref.scheme ?? 'http'}://${ref.name}.${namespace}.svc:${ref.port}${backendPath(ctx.path)}`
    } else {
      problems.push(error(f, 'FieldRequired', `${type} integrations need a uri or a backendRef`))
    }
  } else if (type === 'MOCK') {
    for (const key of ['uri', 'backendRef', 'functionRef', 'httpMethod'] as const) {
      if (integration[key] !== undefined) problems.push(warning(`${f}.${key}`, 'FieldIgnored', `${key} is ignored by MOCK integrations`))
    }
  }

  if (type === 'HTTP_PROXY' && integration.contentHandling !== undefined) {
    problems.push(warning(`${f}.contentHandling`, 'FieldIgnored', 'contentHandling is ignored by HTTP_PROXY integrations: payloads pass through unchanged'))
  }
  if ((type === 'HTTP' || type === 'HTTP_PROXY') && integration.functionRef !== undefined) {
    problems.push(error(`${f}.functionRef`, 'InvalidIntegration', `functionRef names the function of AWS and AWS_PROXY integrations; ${type} integrations use uri or backendRef`))
  }
  problems.push(...responseProblems(integration, f))
  const cacheKeyParameters = cacheKeyParameterProblems(integration.cacheKeyParameters ?? [], ctx, problems)
  const config: IntegrationConfig = {
    type,
    httpMethod,
    uri,
    timeoutMs: integration.timeoutInMillis ?? DEFAULT_TIMEOUT_MS,
    requestParameters: { ...integration.requestParameters },
    requestTemplates: { ...integration.requestTemplates },
    passthroughBehavior: integration.passthroughBehavior ?? 'WHEN_NO_MATCH',
    contentHandling: integration.contentHandling ?? null,
    ...(payloadFormatVersion !== undefined ? { payloadFormatVersion } : {}),
    responses: (integration.responses ?? []).map(
      (r): IntegrationResponseConfig => ({
        statusCode: r.statusCode,
        selectionPattern: r.selectionPattern === undefined || r.selectionPattern === '' ? null : r.selectionPattern,
        responseParameters: { ...r.responseParameters },
        responseTemplates: { ...r.responseTemplates },
        contentHandling: r.contentHandling ?? null,
      }),
    ),
  }
  if (cacheKeyParameters.length > 0) config.cacheKeyParameters = cacheKeyParameters
  return { config, problems, stageVariables }
}

const CACHE_KEY_PARAMETER = /^method\.request\.(path|querystring|header)\.([^.\s]+)$/

/** Valid cache key parameters (method.request.{path|querystring|header}.NAME), duplicates dropped; problems for the others. */
function cacheKeyParameterProblems(params: readonly string[], ctx: IntegrationContext, problems: Problem[]): string[] {
  const out: string[] = []
  params.forEach((param, i) => {
    const field = `${ctx.field}.cacheKeyParameters[${i}]`
    const m = CACHE_KEY_PARAMETER.exec(param)
    if (!m) {
      problems.push(error(field, 'InvalidCacheKeyParameter', `${JSON.stringify(param)} is not method.request.{path|querystring|header}.NAME`))
      return
    }
    if (m[1] === 'path' && !ctx.pathParams.includes(m[2]!)) {
      problems.push(error(field, 'InvalidCacheKeyParameter', `the route path has no parameter {${m[2]}}`))
      return
    }
    // Header names are case-insensitive: one spelling in the key.
    const normalized = m[1] === 'header' ? `method.request.header.${m[2]!.toLowerCase()}` : param
    if (!out.includes(normalized)) out.push(normalized)
  })
  return out
}

/** The route path as a uri path: greedy {name+} becomes {name}; the $default route forwards to the root. */
function backendPath(path: string): string {
  return path.replace(/\{([^{}+]+)\+\}/g, '{$1}')
}

function responseProblems(integration: Integration, f: string): Problem[] {
  const problems: Problem[] = []
  const seen = new Set<string>()
  ;(integration.responses ?? []).forEach((r, i) => {
    const rf = `${f}.responses[${i}]`
    if (seen.has(r.statusCode)) {
      problems.push(error(`${rf}.statusCode`, 'DuplicateIntegrationResponse', `another integration response already maps to status code ${r.statusCode}`))
    }
    seen.add(r.statusCode)
    if (r.selectionPattern) {
      try {
        // The proxy anchors the pattern as a whole-string match; both forms must compile.
        new RegExp(r.selectionPattern)
        new RegExp(`^(?:${r.selectionPattern})$`)
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e)
        problems.push(error(`${rf}.selectionPattern`, 'InvalidSelectionPattern', `selectionPattern is not a valid regular expression: ${why}`))
      }
    }
  })
  return problems
}
