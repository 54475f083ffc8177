// One traced request: its SERVER span, the context its child spans hang from, and the W3C
// trace context (traceparent, tracestate) its outgoing calls send. Made by the first handler of
// a traced route (tracing-route.ts) and kept on ctx.trace; the CLIENT span of the integration
// and the SERVER span are ended from the request observer (tracing-observer.ts) when the
// response closed, at the times the pipeline recorded (ctx.integrationEndHr, the end).
import { SpanStatusCode, type Context, type Span } from '@opentelemetry/api'
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import type { RequestEnd } from './observer.js'
import type { SpanClock } from './tracing-clock.js'

/** What the integrations send of a traced request (the headers of W3C Trace Context). */
export interface TraceHeaders {
  /** traceparent of the span the next outgoing call belongs to: "00-{trace id}-{span id}-{flags}". */
  readonly traceparent: string
  /** tracestate to send with it; '' for none. */
  readonly tracestate: string
}

export class RequestTrace implements TraceHeaders {
  traceparent: string
  /** The integration's CLIENT span once started; null before (and on routes without one). */
  client: Span | null = null
  /** The span id reserved for the CLIENT span (tracing-ids.ts); '' until reserved. */
  clientSpanId = ''
  private clientEnded = false
  /** "00-{trace id}-" and "-{flags}": a traceparent is these around a span id. */
  private readonly prefix: string
  private readonly suffix: string

  /**
   * False when the trace is not sampled: no child span is made (nothing would be recorded),
   * outgoing calls carry the SERVER span's traceparent with the sampled flag off.
   */
  readonly recording: boolean

  constructor(
    readonly server: Span,
    /** The context child spans are started in (the SERVER span's). */
    readonly context: Context,
    readonly tracestate: string,
    /** Converts the gateway's performance.now() readings to span times. */
    readonly clock: SpanClock,
  ) {
    this.recording = server.isRecording()
    const sc = server.spanContext()
    this.prefix = `00-${sc.traceId}-`
    this.suffix = (sc.traceFlags & 1) === 1 ? '-01' : '-00'
    this.traceparent = this.prefix + sc.spanId + this.suffix
  }

  /** Outgoing calls from now on belong to the span `spanId` (a child of the SERVER span). */
  sendAs(spanId: string): void {
    this.traceparent = this.prefix + spanId + this.suffix
  }

  /** Reserves the CLIENT span's id (once) and makes it the one outgoing calls name. */
  reserveClient(spanId: string): void {
    if (this.clientSpanId !== '') return
    this.clientSpanId = spanId
    this.sendAs(spanId)
  }

  /** Ends the CLIENT span (once): at `endHr` (performance.now()), with the backend's status (0: none) or the error. */
  endClient(endHr: number, status: number, err: unknown): void {
    const span = this.client
    if (span === null || this.clientEnded) return
    this.clientEnded = true
    if (span.isRecording()) {
      if (status > 0) span.setAttribute('http.response.status_code', status)
      if (err !== null) failSpan(span, err)
      else if (status === 0 || status >= 400) {
        span.setStatus({ code: SpanStatusCode.ERROR })
        span.setAttribute('error.type', status === 0 ? 'no_response' : String(status))
      }
    }
    span.end(this.clock.at(endHr))
  }

  /** Ends the spans still open when the response closed (tracing-observer.ts). */
  end(ctx: RequestContext, end: RequestEnd): void {
    if (!this.recording) return
    const res = end.res
    if (this.client !== null && !this.clientEnded) {
      // HTTP_PROXY ends the chain before its backend answers: the head's arrival (which it
      // writes to the client as it is) ends the call; no head, no answer.
      const endHr = ctx.integrationEndHr
      if (endHr > 0) this.endClient(endHr, ctx.integrationStatus !== 0 ? ctx.integrationStatus : res.statusCode, null)
      else this.endClient(end.endedHr, 0, null)
    }
    const server = this.server
    const status = res.statusCode
    if (res.headersSent) server.setAttribute('http.response.status_code', status)
    if (!end.finished) {
      server.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was complete' })
      server.setAttribute('error.type', 'connection_closed')
    } else if (status >= 500) {
      server.setStatus({ code: SpanStatusCode.ERROR })
      server.setAttribute('error.type', String(status))
    }
    server.end(this.clock.at(end.endedHr))
  }
}

/**
 * Marks a span failed by `err`. A GatewayError gives its code and message (written to carry no
 * request data); anything else (a bug) only its name: its message may hold anything.
 */
export function failSpan(span: Span, err: unknown): void {
  if (!span.isRecording()) return
  if (err instanceof GatewayError) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message })
    span.setAttribute('error.type', err.code)
    span.setAttribute('tollgate.response_type', err.responseType)
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'internal error' })
    span.setAttribute('error.type', err instanceof Error ? err.name : 'Error')
  }
}
