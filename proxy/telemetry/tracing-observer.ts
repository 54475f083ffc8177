// Ends a traced request's spans when its response closed (telemetry/observer.ts): the CLIENT
// span of an integration still open, then the SERVER span with the response's status, at the
// times the gateway measured. Untraced requests (ctx.trace null) and requests answered before a
// route was known (no stage's tracing applies yet) cost one check.
//
// HOT PATH — called for every request once tracing is configured.
import type { RequestObserver } from './observer.js'
import { EarlyAnswer } from './observer.js'

export const tracingObserver: RequestObserver = {
  requestEnded(end) {
    const ctx = end.ctx
    if (ctx instanceof EarlyAnswer) return
    const trace = ctx.trace
    if (trace !== null) trace.end(ctx, end)
  },
}
