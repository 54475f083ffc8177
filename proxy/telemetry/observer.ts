// The end of a request, as observers see it: metrics (Count, Latency, 4XXError, …), access logs
// and the request's trace span are all written from here, once per request, when its response
// closed (finished, or cut because the client went away).
//
// HOT PATH — the gateway builds one RequestEnd per request only when observers are registered,
// and calls them in registration order from the response's 'close' listener. Observers must not
// throw and must not do I/O synchronously beyond a buffered write; they precompute what they can
// per config (keyed by the StageRuntime / RouteRuntime objects, which live as long as a config).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestContext } from '../context.js'
import type { ResponseType } from '../gateway-responses.js'
import type { RequestIds } from '../request-id.js'
import type { ApiRuntime, StageRuntime } from '../runtime.js'

/**
 * A request answered before it entered a route's pipeline: unknown API, stage or route, a
 * refused path, a body over the limit, a CORS preflight answered before routing.
 */
export class EarlyAnswer {
  constructor(
    /** The API the Host named; null when none was found. */
    readonly api: ApiRuntime | null,
    /** The stage when it was known; null otherwise. */
    readonly stage: StageRuntime | null,
    /** The gateway response sent; null for a CORS preflight (answered 204/200 by cors.ts). */
    readonly responseType: ResponseType | null,
    /** The request's ids ($context.requestId, access logs). */
    readonly ids: RequestIds,
  ) {}
}

export interface RequestEnd {
  /** The request's context once it entered a route's pipeline, else what was answered early. */
  readonly ctx: RequestContext | EarlyAnswer
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** performance.now() when the request arrived (ms, sub-ms precision). */
  readonly startedHr: number
  /** performance.now() when the response closed. */
  readonly endedHr: number
  /** True when the whole response was written; false when the connection closed first. */
  readonly finished: boolean
}

export interface RequestObserver {
  requestEnded(end: RequestEnd): void
}
