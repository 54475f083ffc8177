// Runs a route's prebuilt handler array over a request context. Any error ends the chain and is
// answered through the gateway responses: a GatewayError with its response type, anything else
// (a bug) with DEFAULT_5XX after being reported — internals never reach the client.
//
// HOT PATH: a sync handler costs a call; only a handler that returns a promise is awaited.
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import { unreadChunkedBody } from '../integrations/request-body.js'

export type BugReporter = (err: unknown, ctx: RequestContext) => void

export async function runPipeline(ctx: RequestContext, reportBug: BugReporter): Promise<void> {
  const handlers = ctx.route.handlers
  try {
    for (let i = 0; i < handlers.length; i++) {
      const pending = handlers[i]!(ctx)
      if (pending !== undefined) await pending
      if (ctx.done) return
    }
  } catch (err) {
    const gatewayError = err instanceof GatewayError ? err : null
    if (gatewayError === null) reportBug(err, ctx)
    const upstream = ctx.upstream
    if (upstream !== null && !upstream.finished) {
      upstream.fail(gatewayError ?? new GatewayError('TG_ERR_INTEGRATION_FAILURE', 'DEFAULT_5XX', 'request failed'))
    }
    const type = gatewayError?.responseType ?? 'DEFAULT_5XX'
    // An unread (or partly read) request body: close rather than read what is left of it.
    ctx.api.responses.send(ctx.res, type, ctx, { close: type === 'REQUEST_TOO_LARGE' || unreadChunkedBody(ctx.req) })
  }
}
