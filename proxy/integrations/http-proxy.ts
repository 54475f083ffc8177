// HTTP_PROXY: the request goes to the backend almost as received, the backend's response comes
// back as-is. Both bodies stream; nothing is buffered.
//
// Request: end-to-end headers of the client (hop-by-hop removed, Host set to the backend's,
// Expect and Via dropped), X-Forwarded-For appended with the client address,
// X-Forwarded-Proto/-Port set, X-Amzn-Trace-Id added when absent; mapped
// integration.request.* parameters override or add; the query string is forwarded, mapped
// query parameters appended; `httpMethod: ANY` forwards the request's method.
// Response: status, headers (hop-by-hop removed) and body of the backend.
import type { RequestContext } from '../context.js'
import { copyEndToEnd } from '../hop-by-hop.js'
import type { Handler } from '../pipeline/types.js'
import { backendPath } from './backend-path.js'
import type { CompiledIntegration } from './compile.js'
import { callUpstream } from './dispatch.js'
import { mapRequest } from './params.js'
import { requestBody } from './request-body.js'

const REQUEST_SKIP: ReadonlySet<string> = new Set(['host', 'expect', 'via', 'x-forwarded-proto', 'x-forwarded-port'])

export function proxyRequest(integration: CompiledIntegration): Handler {
  const host = integration.uri!.host
  const rest = integration.protocol === 'REST'
  return (ctx: RequestContext) => {
    const method = integration.method === '' ? ctx.method : integration.method
    const mapped = mapRequest(integration.requestMappings, ctx)
    const headers: Record<string, string | string[]> = {}
    copyEndToEnd(ctx.req.headers, headers, REQUEST_SKIP)
    const body = requestBody(ctx, method)
    if (body === null) delete headers['content-length']
    for (const name in mapped.headers) headers[name] = mapped.headers[name]!
    headers.host = host
    const ip = ctx.sourceIp
    const forwarded = headers['x-forwarded-for']
    headers['x-forwarded-for'] = forwarded === undefined ? ip : `${Array.isArray(forwarded) ? forwarded.join(', ') : forwarded}, ${ip}`
    headers['x-forwarded-proto'] = 'http'
    headers['x-forwarded-port'] = String(ctx.req.socket.localPort ?? '')
    if (headers['x-amzn-trace-id'] === undefined) headers['x-amzn-trace-id'] = ctx.traceId
    if (rest) headers['x-amzn-apigateway-api-id'] = integration.apiId
    ctx.integrationMethod = method
    ctx.integrationPath = backendPath(integration, ctx, mapped, true)
    ctx.integrationHeaders = headers
    ctx.integrationBody = body
  }
}

export const proxyIntegrate = callUpstream

export function proxyResponse(): Handler {
  return (ctx: RequestContext) => {
    const call = ctx.upstream!
    const headers: Record<string, string | string[]> = {}
    copyEndToEnd(call.headers, headers, null)
    ctx.status = call.status
    ctx.responseHeaders = headers
    ctx.responseBody = call
  }
}
