// respond: writes the method response with the headers API Gateway adds: REST APIs
// x-amzn-RequestId and x-amz-apigw-id, HTTP APIs apigw-requestid. A streamed body (HTTP
// passthrough) is handed to the upstream call, which writes it with backpressure.
// Not built for HTTP_PROXY: the proxy call writes the backend's response with the same headers
// as it arrives (integrations/proxy-call.ts) — except on cached routes, where the response is
// taken whole (integrations/buffered-proxy.ts) and written here.
// CORS headers decided by the cors stage replace those of the mapping (proxy/cors.ts).
// When a chunked request body was never read, the connection is closed after the response
// instead of reading (and discarding) a body of unknown size.
// On cached routes (ctx.cache set by the cache stage) the method response is recorded before
// the per-request headers are added; a streamed body is read whole first (bounded by the body
// limit), since it is to be stored.
import type { RequestContext } from '../context.js'
import { applyCorsHeaders } from '../cors.js'
import { routeCache } from '../cache/key.js'
import { INVALIDATION_WARNING, INVALIDATION_WARNING_HEADER, type CacheMiss } from '../cache/miss.js'
import { unreadChunkedBody } from '../integrations/request-body.js'
import { UpstreamCall } from '../integrations/upstream.js'
import type { PipelineStage } from './types.js'

function setHeader(headers: Record<string, string | string[] | number>, name: string, value: string): void {
  delete headers[name.toLowerCase()]
  headers[name] = value
}

/** Writes ctx.status, ctx.responseHeaders and ctx.responseBody with the per-request headers; ends the chain. */
export function writeMethodResponse(ctx: RequestContext, rest: boolean): void {
  const headers = ctx.responseHeaders
  if (rest) {
    setHeader(headers, 'x-amzn-RequestId', ctx.requestId)
    setHeader(headers, 'x-amz-apigw-id', ctx.extendedRequestId)
  } else {
    setHeader(headers, 'apigw-requestid', ctx.extendedRequestId)
  }
  if (ctx.corsHeaders !== null) applyCorsHeaders(headers, ctx.corsHeaders)
  if (ctx.cache !== null && ctx.cache.warn) headers[INVALIDATION_WARNING_HEADER] = INVALIDATION_WARNING
  if (!ctx.bodyConsumed && unreadChunkedBody(ctx.req)) headers.connection = 'close'
  const body = ctx.responseBody
  const res = ctx.res
  ctx.done = true
  if (body instanceof UpstreamCall) {
    res.writeHead(ctx.status, headers)
    body.pipeTo(res)
    return
  }
  const payload = body ?? ''
  headers['content-length'] = Buffer.byteLength(payload)
  res.writeHead(ctx.status, headers)
  res.end(payload)
}

/** Records the method response of a cached route's miss, then writes it. */
async function recordAndWrite(ctx: RequestContext, fill: NonNullable<CacheMiss['fill']>, rest: boolean): Promise<void> {
  let body = ctx.responseBody
  if (body instanceof UpstreamCall) {
    body = await body.readBody(ctx.services.maxBodyBytes)
    ctx.responseBody = body
  }
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(ctx.responseHeaders)) {
    if (name.toLowerCase() !== 'content-length') headers[name] = typeof value === 'number' ? String(value) : value
  }
  fill({ status: ctx.status, headers, body: typeof body === 'string' ? Buffer.from(body) : (body ?? Buffer.alloc(0)) })
  writeMethodResponse(ctx, rest)
}

export const respond: PipelineStage = {
  name: 'respond',
  build({ api, stage, route, integration }) {
    if (integration.type === 'HTTP_PROXY' && routeCache(stage, route) === undefined) return null
    const rest = api.protocol === 'REST'
    return (ctx: RequestContext) => {
      const miss = ctx.cache
      if (miss !== null && miss.fill !== null) return recordAndWrite(ctx, miss.fill, rest)
      writeMethodResponse(ctx, rest)
    }
  },
}
