// HTTP_PROXY on a cached route: the same request as proxyRequest builds, sent as an
// UpstreamCall instead of a ProxyCall, so the backend's response becomes the method response
// (status, end-to-end headers, body) that respond records for the cache and then writes. Built
// only for routes the stage caches: every other HTTP_PROXY route keeps the streaming ProxyCall
// and pays nothing for this.
import type { RequestContext } from '../context.js'
import { connectionTokens } from '../hop-by-hop.js'
import type { Handler } from '../pipeline/types.js'
import type { CompiledIntegration } from './compile.js'
import { callUpstream } from './dispatch.js'
import { proxyResponseHead } from './proxy-call.js'
import { UpstreamCall } from './upstream.js'

export function bufferedProxyIntegrate(integration: CompiledIntegration): Handler {
  const call = callUpstream(integration)
  const skip = proxyResponseHead(integration.protocol).skip
  return async (ctx: RequestContext) => {
    await call(ctx)
    const headers = ctx.integrationResponseHeaders
    const named = headers.connection === undefined ? null : connectionTokens(headers.connection)
    const out: Record<string, string | string[]> = {}
    for (const name in headers) {
      const value = headers[name]
      if (value === undefined || skip.has(name) || name === 'content-length' || name.startsWith('proxy-')) continue
      if (named !== null && named.has(name)) continue
      out[name] = value
    }
    ctx.status = ctx.integrationStatus
    ctx.responseHeaders = out
    ctx.responseBody = ctx.upstream instanceof UpstreamCall ? ctx.upstream : null
  }
}
