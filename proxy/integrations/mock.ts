// MOCK: no backend. The request template for the request's content type (application/json when
// absent; "$default" as fallback) is rendered and must yield JSON `{"statusCode": N}`; no
// template means 200. That status selects the integration response (as a backend status would),
// whose rendered template is the body (its $context.responseOverride.status, the status) and
// whose responseParameters are applied. contentHandling applies to the request payload a
// template reads (a binary one cannot be read: 500); MOCK's integration response has no payload.
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import type { Handler } from '../pipeline/types.js'
import type { CompiledIntegration } from './compile.js'
import { methodResponse, requestTemplate } from './http.js'
import { requestPayloadPlan, requestTemplateBody } from './payloads.js'
import { renderTemplate, type TemplateEnv } from './templates.js'

export function mockRequest(integration: CompiledIntegration, env: TemplateEnv): Handler {
  return async (ctx: RequestContext) => {
    const template = requestTemplate(integration, ctx)
    ctx.integrationMethod = ctx.method
    if (template === null) {
      // Nothing reads the request body of a MOCK without a template: it is not converted.
      ctx.integrationBody = null
      return
    }
    const body = await requestTemplateBody(ctx, requestPayloadPlan(integration.payloads, ctx))
    ctx.integrationBody = renderTemplate(template, ctx, body, 'request', env).body
  }
}

function mockStatus(body: unknown): number {
  if (body === null) return 200
  let parsed: unknown
  try {
    parsed = JSON.parse(String(body))
  } catch {
    throw new GatewayError('TG_ERR_MOCK_STATUS', 'API_CONFIGURATION_ERROR', 'the MOCK request template is not JSON')
  }
  const status = (parsed as { statusCode?: unknown } | null)?.statusCode
  if (status === undefined) return 200
  const n = typeof status === 'string' ? Number(status) : status
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 100 || n > 599) {
    throw new GatewayError('TG_ERR_MOCK_STATUS', 'API_CONFIGURATION_ERROR', 'the MOCK request template has no valid statusCode')
  }
  return n
}

export function mockIntegrate(): Handler {
  return (ctx: RequestContext) => {
    ctx.integrationStatus = mockStatus(ctx.integrationBody)
  }
}

export function mockResponse(integration: CompiledIntegration, env: TemplateEnv): Handler {
  const respond = methodResponse(integration, env)
  return (ctx: RequestContext) => respond(ctx, ctx.integrationStatus, null)
}
