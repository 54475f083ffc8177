// The integrate step shared by HTTP and HTTP_PROXY: one upstream call on the origin's pool.
import type { RequestContext } from '../context.js'
import type { CompiledIntegration } from './compile.js'
import { UpstreamCall } from './upstream.js'

export function callUpstream(integration: CompiledIntegration): (ctx: RequestContext) => Promise<void> {
  const origin = integration.uri!.origin
  const timeoutMs = integration.timeoutMs
  return async (ctx) => {
    const call = new UpstreamCall(ctx.services.pools.get(origin), {
      method: ctx.integrationMethod,
      path: ctx.integrationPath,
      headers: ctx.integrationHeaders,
      body: ctx.integrationBody,
      timeoutMs,
    })
    ctx.upstream = call
    await call.started
    ctx.integrationStatus = call.status
    ctx.integrationResponseHeaders = call.headers
  }
}
