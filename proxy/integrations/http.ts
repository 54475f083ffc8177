// HTTP (non-proxy): API Gateway's mapped integration.
//
// Request: only mapped parameters reach the backend (unmapped method request headers and query
// parameters are NOT forwarded, as in API Gateway), plus API Gateway's defaults (Accept:
// application/json, User-Agent: AmazonAPIGateway_{apiId}, the request's Content-Type when a
// body is sent, X-Amzn-Trace-Id). The body: the request template for the request's content
// type, rendered through the renderTemplate seam; with no matching template, passthrough per
// passthroughBehavior (WHEN_NO_MATCH passes, WHEN_NO_TEMPLATES passes only when there are no
// templates, NEVER answers 415 Unsupported Media Type).
// Response: the integration response selected by the backend status (selection.ts) gives the
// status and the mapped headers; the body passes through unless it has a response template.
// Payloads (both ways) follow contentHandling and binaryMediaTypes (content-handling.ts): a body
// is read whole only when a template or a base64 conversion needs it, else it streams untouched.
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import type { Handler } from '../pipeline/types.js'
import { compileBackendPath } from './backend-path.js'
import type { CompiledIntegration } from './compile.js'
import { callUpstream } from './dispatch.js'
import { mapRequest, mapResponse, type MappedRequest } from './params.js'
import { convertPayload, planResponse } from './content-handling.js'
import { convertedRequestBody, requestPayloadPlan, requestTemplateBody, responseTemplateBody } from './payloads.js'
import { requestBody } from './request-body.js'
import { selectResponse } from './selection.js'
import { renderTemplate, selectRequestTemplate, selectResponseTemplate, type Template, type TemplateEnv } from './templates.js'
import { UpstreamCall } from './upstream.js'
import type { Overrides } from '../vtl/index.js'

// Headers a template may not override: the gateway frames the messages itself.
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer'])

function overrideHeaders(out: Record<string, string | string[] | number>, overrides: ReadonlyMap<string, string | string[]>): void {
  for (const [name, value] of overrides) {
    const lower = name.toLowerCase()
    if (!FRAMING.has(lower)) out[lower] = value
  }
}

/** $context.requestOverride.*: applied after the parameter mappings, so they win over them. */
function overrideRequest(mapped: MappedRequest, headers: Record<string, string | string[]>, overrides: Overrides): MappedRequest {
  overrideHeaders(headers, overrides.requestHeaders)
  if (overrides.requestQuery.size === 0 && overrides.requestPath.size === 0) return mapped
  const query = new URLSearchParams(mapped.query)
  for (const [name, value] of overrides.requestQuery) {
    query.delete(name)
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, v)
  }
  let path = mapped.path
  if (overrides.requestPath.size > 0) {
    path = new Map(path ?? [])
    for (const [name, value] of overrides.requestPath) path.set(name, encodeURIComponent(value))
  }
  return { path, query: query.toString().replace(/\+/g, '%20'), headers: mapped.headers }
}

/** The request template per passthrough behaviour; throws 415 when the request may not pass. */
export function requestTemplate(integration: CompiledIntegration, ctx: RequestContext): Template | null {
  const template = selectRequestTemplate(integration.requestTemplates, ctx.req.headers['content-type'])
  if (template !== null) return template
  if (integration.passthrough === 'NEVER' || (integration.passthrough === 'WHEN_NO_TEMPLATES' && integration.requestTemplates.size > 0)) {
    throw new GatewayError('TG_ERR_UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE', 'no request template for the content type')
  }
  return null
}

export function httpRequest(integration: CompiledIntegration, env: TemplateEnv): Handler {
  const host = integration.uri!.host
  const userAgent = `AmazonAPIGateway_${integration.apiId}`
  const rest = integration.protocol === 'REST'
  const backendPath = compileBackendPath(integration, false)
  return async (ctx: RequestContext) => {
    const method = integration.method === '' ? ctx.method : integration.method
    const template = requestTemplate(integration, ctx)
    let mapped = mapRequest(integration.requestMappings, ctx)
    const headers: Record<string, string | string[]> = { ...mapped.headers }
    headers.host = host
    headers.accept ??= 'application/json'
    headers['user-agent'] ??= userAgent
    headers['x-amzn-trace-id'] = ctx.traceId
    if (rest) headers['x-amzn-apigateway-api-id'] = integration.apiId
    const plan = requestPayloadPlan(integration.payloads, ctx)
    if (template !== null) {
      const rendered = renderTemplate(template, ctx, await requestTemplateBody(ctx, plan), 'request', env)
      ctx.integrationBody = rendered.body
      mapped = overrideRequest(mapped, headers, rendered.overrides)
      if (template.contentType !== '$default') headers['content-type'] ??= template.contentType
    } else if (plan.conversion !== 'none' && method !== 'GET' && method !== 'HEAD') {
      // Passthrough with a base64 conversion: the body is read whole (bounded) and converted.
      const body = await convertedRequestBody(ctx, plan)
      ctx.integrationBody = body
      const contentType = ctx.req.headers['content-type']
      if (contentType !== undefined) headers['content-type'] ??= contentType
      headers['content-length'] = String(body.length)
    } else {
      // Hot path: the body streams to the backend as it arrives, untouched.
      const body = requestBody(ctx, method)
      ctx.integrationBody = body
      if (body !== null) {
        const contentType = ctx.req.headers['content-type']
        const length = ctx.req.headers['content-length']
        if (contentType !== undefined) headers['content-type'] ??= contentType
        if (length !== undefined) headers['content-length'] = length
      }
    }
    ctx.integrationMethod = method
    ctx.integrationPath = backendPath(ctx, mapped)
    ctx.integrationHeaders = headers
  }
}

export const httpIntegrate = callUpstream

const EMPTY = Buffer.alloc(0)

/**
 * Method response from a selected integration response; shared with MOCK and AWS. `selectOn`:
 * the backend status (HTTP, MOCK) or the function's errorMessage (AWS; '' for a success).
 */
export function methodResponse(
  integration: CompiledIntegration,
  env: TemplateEnv,
): (ctx: RequestContext, selectOn: number | string, body: Buffer | null) => Promise<void> {
  return async (ctx, selectOn, upstreamBody) => {
    const call = ctx.upstream instanceof UpstreamCall ? ctx.upstream : null
    const selected = selectResponse(integration.responses, selectOn)
    if (selected === null) {
      const what = typeof selectOn === 'number' ? `status ${selectOn}` : `error message ${JSON.stringify(selectOn.slice(0, 100))}`
      throw new GatewayError('TG_ERR_NO_INTEGRATION_RESPONSE', 'API_CONFIGURATION_ERROR', `no integration response matches ${what} and none is the default`)
    }
    const accept = ctx.header('accept')
    const plan = planResponse(integration.payloads, selected.contentHandling, call?.headers['content-type'], accept)
    let body = upstreamBody
    if ((selected.needsBody || plan.conversion !== 'none') && body === null && call !== null) body = await call.readBody(ctx.services.maxBodyBytes)
    const headers: Record<string, string | string[] | number> = {}
    mapResponse(selected.mappings, ctx, ctx.integrationResponseHeaders, body, headers)
    const template = selectResponseTemplate(selected.templates, accept)
    let methodStatus = selected.statusCode
    if (template !== null) {
      const rendered = renderTemplate(template, ctx, responseTemplateBody(body ?? EMPTY, plan), 'response', env)
      ctx.responseBody = rendered.body
      // $context.responseOverride.*: the status and headers win over the integration response's.
      overrideHeaders(headers, rendered.overrides.responseHeaders)
      if (rendered.overrides.status !== null) methodStatus = rendered.overrides.status
      if (template.contentType !== '$default') headers['content-type'] ??= template.contentType
      if (call !== null && !call.finished) call.fail(new GatewayError('TG_ERR_INTEGRATION_FAILURE', 'INTEGRATION_FAILURE', 'body not needed'))
    } else if (plan.conversion !== 'none') {
      ctx.responseBody = convertPayload(body ?? EMPTY, plan.conversion, 'response')
    } else {
      ctx.responseBody = body ?? call ?? ''
    }
    headers['content-type'] ??= 'application/json'
    headers['x-amzn-trace-id'] = ctx.traceId
    ctx.status = methodStatus
    ctx.responseHeaders = headers
  }
}

export function httpResponse(integration: CompiledIntegration, env: TemplateEnv): Handler {
  const respond = methodResponse(integration, env)
  return (ctx: RequestContext) => respond(ctx, ctx.integrationStatus, null)
}
