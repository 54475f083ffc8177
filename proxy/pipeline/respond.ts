// respond: writes the method response with the headers API Gateway adds: REST APIs
// x-amzn-RequestId and x-amz-apigw-id, HTTP APIs apigw-requestid. A streamed body (HTTP
// passthrough) is handed to the upstream call, which writes it with backpressure.
// Not built for HTTP_PROXY: the proxy call writes the backend's response with the same headers
// as it arrives (integrations/proxy-call.ts).
// CORS headers decided by the cors stage replace those of the mapping (proxy/cors.ts).
// When a chunked request body was never read, the connection is closed after the response
// instead of reading (and discarding) a body of unknown size.
import type { RequestContext } from '../context.js'
import { applyCorsHeaders } from '../cors.js'
import { unreadChunkedBody } from '../integrations/request-body.js'
import { UpstreamCall } from '../integrations/upstream.js'
import type { PipelineStage } from './types.js'

function setHeader(headers: Record<string, string | string[] | number>, name: string, value: string): void {
  delete headers[name.toLowerCase()]
  headers[name] = value
}

export const respond: PipelineStage = {
  name: 'respond',
  build({ api, integration }) {
    if (integration.type === 'HTTP_PROXY') return null
    const rest = api.protocol === 'REST'
    return (ctx: RequestContext) => {
      const headers = ctx.responseHeaders
      if (rest) {
        setHeader(headers, 'x-amzn-RequestId', ctx.requestId)
        setHeader(headers, 'x-amz-apigw-id', ctx.extendedRequestId)
      } else {
        setHeader(headers, 'apigw-requestid', ctx.extendedRequestId)
      }
      if (ctx.corsHeaders !== null) applyCorsHeaders(headers, ctx.corsHeaders)
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
  },
}
