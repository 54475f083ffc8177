// MOCK: no backend. The request template for the request's content type (application/json when
// absent; "$default" as fallback) is rendered and must yield JSON `{"statusCode": N}`; no
// template means 200. That status selects the integration response (as a backend status would),
// whose rendered template is the body (its $context.responseOverride.status, the status) and
// whose responseParameters are applied.
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import type { Handler } from '../pipeline/types.js'
import type { CompiledIntegration } from './compile.js'
import { methodResponse, requestTemplate } from './http.js'
import { readRequestBody } from './request-body.js'
import { renderTemplate, type TemplateEnv } from './templates.js'

export function mockRequest(integration: CompiledIntegration, env: TemplateEnv): Handler {
  return async (ctx: RequestContext) => {
    const template = requestTemplate(integration, ctx)
    ctx.integrationMethod = ctx.method
    ctx.integrationBody = template === null ? null : renderTemplate(template, ctx, await readRequestBody(ctx), 'request', env).body
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
