// Runs a route's prebuilt handler array over a request context. Any error ends the chain and is
// answered through the gateway responses: a GatewayError with its response type, anything else
// (a bug) with DEFAULT_5XX after being reported — internals never reach the client.
//
// HOT PATH — change with care: a chain of sync handlers (HTTP_PROXY's) runs as a plain loop, no
// promise is created; only a handler that returns a promise is waited for, and the chain goes
// on from the next handler when it settles.
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import { unreadChunkedBody } from '../integrations/request-body.js'

export type BugReporter = (err: unknown, ctx: RequestContext) => void

export function runPipeline(ctx: RequestContext, reportBug: BugReporter, from = 0): void {
  const handlers = ctx.route.handlers
  try {
    for (let i = from; i < handlers.length; i++) {
      const pending = handlers[i]!(ctx)
      if (pending !== undefined) {
        pending.then(
          () => {
            if (!ctx.done) runPipeline(ctx, reportBug, i + 1)
          },
          (err: unknown) => failPipeline(ctx, err, reportBug),
        )
        return
      }
      if (ctx.done) return
    }
  } catch (err) {
    failPipeline(ctx, err, reportBug)
  }
}

function failPipeline(ctx: RequestContext, err: unknown, reportBug: BugReporter): void {
  const gatewayError = err instanceof GatewayError ? err : null
  if (gatewayError === null) reportBug(err, ctx)
  const upstream = ctx.upstream
  if (upstream !== null && !upstream.finished) {
    upstream.fail(gatewayError ?? new GatewayError('TG_ERR_INTEGRATION_FAILURE', 'DEFAULT_5XX', 'request failed'))
  }
  answerError(ctx, gatewayError ?? null)
}

/** Answers a request with the gateway response of `err` (null: DEFAULT_5XX). */
export function answerError(ctx: RequestContext, err: GatewayError | null): void {
  const type = err?.responseType ?? 'DEFAULT_5XX'
  // An unread (or partly read) request body: close rather than read what is left of it.
  const responses = ctx.stage.responses
  const message = err?.restMessage !== undefined && responses.protocol === 'REST' ? err.restMessage : undefined
  const validationErrorString = err?.validationErrorString
  ctx.error = { responseType: type, message: message ?? null, cause: err }
  responses.send(ctx.res, type, ctx, {
    close: type === 'REQUEST_TOO_LARGE' || unreadChunkedBody(ctx.req),
    ...(message !== undefined ? { message } : {}),
    ...(validationErrorString !== undefined ? { validationErrorString } : {}),
  })
}
