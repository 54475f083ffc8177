// The integrate step of the HTTP integration: one upstream call on the origin's pool, waited
// for until the response head arrives (mappings select on its status and headers).
import type { RequestContext } from '../context.js'
import type { CompiledIntegration } from './compile.js'
import { UpstreamCall } from './upstream.js'

export function callUpstream(integration: CompiledIntegration): (ctx: RequestContext) => Promise<void> {
  const origin = integration.uri!.origin
  const timeoutMs = integration.timeoutMs
  return async (ctx) => {
    ctx.integrationStartHr = performance.now()
    const call = new UpstreamCall(ctx.services.pools.get(origin), ctx.services.deadlines.list(timeoutMs), {
      method: ctx.integrationMethod,
      path: ctx.integrationPath,
      headers: ctx.integrationHeaders,
      body: ctx.integrationBody,
    })
    ctx.upstream = call
    await call.started
    ctx.integrationEndHr = performance.now()
    ctx.integrationStatus = call.status
    ctx.integrationResponseHeaders = call.headers
  }
}
