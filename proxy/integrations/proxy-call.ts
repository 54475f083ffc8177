// One HTTP_PROXY call: an undici dispatch handler that writes the backend's response straight
// into the client's ServerResponse as it arrives. No mapping applies to proxy responses, so
// nothing waits for the pipeline: the head is written in onResponseStart (one writeHead with a
// flat header array: the backend's headers minus hop-by-hop ones, plus the ids API Gateway
// adds and, on APIs with CORS, the cors stage's CORS headers in place of the backend's), body
// chunks go through with backpressure (pause the upstream socket until the client
// drains), onResponseEnd ends the response (or the chunk that completes Content-Length does).
//
// HOT PATH — change with care: every HTTP_PROXY request runs through this class; no promise,
// no per-call closure, no per-header setHeader.
//
// Failures before the head is written are answered with the gateway response (504 timeout,
// 504 network error, 500 DNS, 413 request body too large); after it, the client connection is
// destroyed (the client sees a truncated response, as with any proxy). The integration timeout
// runs from dispatch until the response head arrives (deadlines.ts).
import type { IncomingHttpHeaders, OutgoingHttpHeader } from 'node:http'
import type { Dispatcher } from 'undici'
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import { varyWithOrigin } from '../cors.js'
import { connectionTokens, HOP_BY_HOP } from '../hop-by-hop.js'
import { answerError } from '../pipeline/run.js'
import type { DeadlineList, Expirable } from './deadlines.js'
import { unreadChunkedBody } from './request-body.js'
import { classifyUpstreamError } from './upstream.js'

/** How the response head of a proxy route is made; built once per route. */
export interface ProxyResponseHead {
  /** Backend header names (lower case) not copied: hop-by-hop, and the ids the gateway sets. */
  readonly skip: ReadonlySet<string>
  /** REST: x-amzn-RequestId and x-amz-apigw-id; HTTP APIs: apigw-requestid. */
  readonly rest: boolean
}

export function proxyResponseHead(protocol: 'REST' | 'HTTP' | 'WEBSOCKET'): ProxyResponseHead {
  const rest = protocol !== 'HTTP'
  const own = rest ? ['x-amzn-requestid', 'x-amz-apigw-id'] : ['apigw-requestid']
  return { skip: new Set([...HOP_BY_HOP, ...own]), rest }
}

const TIMED_OUT = 'endpoint request timed out'

export class ProxyCall implements Dispatcher.DispatchHandler, Expirable {
  // Expirable: the call is a node of its deadline list.
  deadline = 0
  prevDeadline: Expirable | null = null
  nextDeadline: Expirable | null = null
  deadlines: DeadlineList | null = null

  private controller: Dispatcher.DispatchController | null = null
  private failure: GatewayError | null = null
  private ended = false
  private headWritten = false
  private waitingDrain = false
  /** Body bytes still to come by Content-Length (-1: unknown); the chunk that completes it ends the response. */
  private remaining = -1

  constructor(
    private readonly ctx: RequestContext,
    private readonly head: ProxyResponseHead,
  ) {}

  /** Starts the integration timeout and sends the request. */
  dispatch(dispatcher: Dispatcher, deadlines: DeadlineList, options: Dispatcher.DispatchOptions): void {
    this.ctx.integrationStartHr = performance.now()
    deadlines.add(this)
    dispatcher.dispatch(options, this)
  }

  get finished(): boolean {
    return this.ended || this.failure !== null
  }

  /** Aborts the call (client gone, error elsewhere); the caller answers the client. */
  fail(reason: GatewayError): void {
    if (this.finished) return
    this.failure = reason
    this.deadlines?.remove(this)
    const controller = this.controller
    if (controller !== null && !controller.aborted) controller.abort(reason)
  }

  /** The integration timeout passed before the response head arrived. */
  expire(): void {
    const reason = new GatewayError('TG_ERR_INTEGRATION_TIMEOUT', 'INTEGRATION_TIMEOUT', TIMED_OUT)
    this.fail(reason)
    this.answer(reason)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.failure !== null) controller.abort(this.failure)
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return
    this.controller = controller
    this.deadlines?.remove(this)
    const ctx = this.ctx
    ctx.integrationEndHr = performance.now()
    const skip = this.head.skip
    const named = headers.connection === undefined ? null : connectionTokens(headers.connection)
    const out: OutgoingHttpHeader[] = []
    const cors = ctx.corsHeaders
    for (const name in headers) {
      const value = headers[name]
      if (value === undefined || skip.has(name) || name.startsWith('proxy-')) continue
      if (named !== null && named.has(name)) continue
      if (cors !== null && (cors.drops(name) || (cors.vary && name === 'vary'))) continue
      out.push(name, value)
    }
    if (cors !== null) {
      const list = cors.list
      for (let i = 0; i < list.length; i++) out.push(list[i]!)
      if (cors.vary) {
        const vary = headers.vary
        out.push('vary', varyWithOrigin(Array.isArray(vary) ? vary.join(', ') : vary))
      }
    }
    if (this.head.rest) out.push('x-amzn-RequestId', ctx.requestId, 'x-amz-apigw-id', ctx.extendedRequestId)
    else out.push('apigw-requestid', ctx.extendedRequestId)
    // A chunked request body that was never read: close rather than read it whatever its size.
    if (!ctx.bodyConsumed && unreadChunkedBody(ctx.req)) out.push('connection', 'close')
    const length = headers['content-length']
    this.remaining = typeof length === 'string' ? Number(length) : -1
    this.headWritten = true
    ctx.res.writeHead(statusCode, out)
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const res = this.ctx.res
    if (this.remaining === chunk.length) {
      // The last chunk (often the only one): head and body leave in one write, no cork/uncork.
      this.remaining = 0
      res.end(chunk)
      return
    }
    if (this.remaining > 0) this.remaining -= chunk.length
    if (!res.write(chunk) && !this.waitingDrain) {
      this.waitingDrain = true
      controller.pause()
      res.once('drain', () => {
        this.waitingDrain = false
        controller.resume()
      })
    }
  }

  onResponseEnd(): void {
    this.ended = true
    if (this.remaining !== 0) this.ctx.res.end()
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.finished) return
    const reason = classifyUpstreamError(error)
    this.failure = reason
    this.deadlines?.remove(this)
    this.answer(reason)
  }

  private answer(reason: GatewayError): void {
    const res = this.ctx.res
    if (res.destroyed) return
    if (this.headWritten) res.destroy()
    else answerError(this.ctx, reason)
  }
}
