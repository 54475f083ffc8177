// The spans of a traced route, built at config load (build.ts calls traceRoute only for the
// routes of stages with StageConfig.tracing; every other route keeps its handler array as it
// was and pays nothing). The route's handlers are wrapped where a span starts and ends:
//
//   (new, first)       SERVER span "{METHOD} {route path}", continuing the caller's traceparent
//                      (and tracestate) when it sent one, started at the request's arrival
//                      (ctx.startedHr); ctx.trace holds it from here on.
//   authorize          INTERNAL "authorize" around the authorizer (a Lambda authorizer's
//                      invocation carries the span's traceparent).
//   meter              INTERNAL "meter": API key, throttle and quota.
//   cache              INTERNAL "cache lookup", with tollgate.cache.hit.
//   transform-request  reserves the CLIENT span's id first, so that the request it builds (a
//                      Lambda proxy event's headers) can carry its traceparent (tracing-ids.ts).
//   integrate          CLIENT span of the backend call or function invocation; traceparent and
//                      tracestate set on the request (tracing-headers.ts; functions read
//                      ctx.trace in invoke.ts).
//
// The SERVER span, and a CLIENT span still open (HTTP_PROXY ends the chain before its backend
// answers), are ended by the request observer when the response closed (tracing-observer.ts).
// A request the sampler does not record gets no child span at all: its outgoing calls carry
// the (non-recording) SERVER span's traceparent, sampled flag off.
// Attributes follow OpenTelemetry's HTTP semantic conventions, plus tollgate.* ones for the
// API, stage and route; docs/tracing.md lists them. No query string, header value or body is
// recorded (API keys and tokens travel there).
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import type { RequestContext } from '../context.js'
import { asPromise, type Handler, type Pending, type StageInput } from '../pipeline/types.js'
import type { SpanClock } from './tracing-clock.js'
import type { ReservableIds } from './tracing-ids.js'
import { setFlatTraceHeaders, setTraceHeaders } from './tracing-headers.js'
import { failSpan, RequestTrace } from './tracing-request.js'

/** What build.ts asks of tracing: the handlers of a traced route. */
export interface RouteTracing {
  /** The route's handlers (named by their pipeline stage, in order) with its spans around them. */
  traceRoute(input: StageInput, names: readonly string[], handlers: readonly Handler[]): Handler[]
}

const propagator = new W3CTraceContextPropagator()
const headerGetter = {
  keys: (carrier: RequestContext['req']['headers']) => Object.keys(carrier),
  get: (carrier: RequestContext['req']['headers'], key: string) => carrier[key],
}

/** A child span around `handler`: ended when it returns or settles, failed by what it throws. */
function childSpan(
  tracer: Tracer,
  clock: SpanClock,
  name: string,
  attributes: Attributes,
  handler: Handler,
  after: ((span: Span, ctx: RequestContext) => void) | null,
  sendAs: boolean,
): Handler {
  return (ctx) => {
    const t = ctx.trace!
    if (!t.recording) return handler(ctx)
    const span = tracer.startSpan(name, { startTime: clock.now() }, t.context)
    span.setAttributes(attributes)
    if (sendAs) t.sendAs(span.spanContext().spanId)
    let pending: void | Pending
    try {
      pending = handler(ctx)
    } catch (err) {
      failSpan(span, err)
      span.end(clock.now())
      throw err
    }
    if (pending === undefined) {
      if (after !== null && span.isRecording()) after(span, ctx)
      span.end(clock.now())
      return
    }
    return asPromise(pending).then(
      () => {
        if (after !== null && span.isRecording()) after(span, ctx)
        span.end(clock.now())
      },
      (err: unknown) => {
        failSpan(span, err)
        span.end(clock.now())
        throw err
      },
    )
  }
}

/** The name of the function an invoke path calls ("/2015-03-31/functions/{name}/invocations"). */
function functionName(input: StageInput): string {
  const parts = input.integration.uri?.parts ?? []
  const path = parts.map((p) => (typeof p === 'string' ? p : '')).join('')
  return decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(path)?.[1] ?? '')
}

export function routeTracing(tracer: Tracer, ids: ReservableIds, clock: SpanClock): RouteTracing {
  function startRequest(input: StageInput): Handler {
    const { api, stage, route } = input
    const path = route.key === '$default' ? null : route.path
    const fixedName = path !== null && route.method !== 'ANY' ? `${route.method} ${path}` : null
    const attributes: Attributes = {
      'url.scheme': 'http',
      'tollgate.api.id': api.id,
      'tollgate.api.name': api.name,
      'tollgate.stage': stage.name,
      'tollgate.route.key': route.key,
    }
    if (path !== null) attributes['http.route'] = path
    if (input.canary != null) attributes['tollgate.stage.canary'] = true
    // Attributes are set once the span is known to record (given to startSpan, the SDK would
    // check them twice, and for unsampled spans for nothing).
    const options: SpanOptions = { kind: SpanKind.SERVER }
    return (ctx) => {
      const req = ctx.req
      const headers = req.headers
      const parent = headers.traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, headers, headerGetter)
      const name = fixedName ?? (path === null ? ctx.method : `${ctx.method} ${path}`)
      options.startTime = clock.at(ctx.startedHr)
      const span = tracer.startSpan(name, options, parent)
      const recording = span.isRecording()
      if (recording) {
        span.setAttributes(attributes)
        const url = req.url ?? '/'
        const q = url.indexOf('?')
        const host = headers.host ?? ''
        const colon = host.lastIndexOf(':')
        span.setAttributes({
          'http.request.method': ctx.method,
          'url.path': q === -1 ? url : url.slice(0, q),
          'server.address': colon > host.lastIndexOf(']') ? host.slice(0, colon) : host,
          'client.address': ctx.sourceIp,
          'network.protocol.version': req.httpVersion,
          'tollgate.request_id': ctx.requestId,
          'tollgate.amzn_trace_id': ctx.traceId,
        })
        const agent = headers['user-agent']
        if (agent !== undefined) span.setAttribute('user_agent.original', agent)
      }
      // Unsampled: no child span will be made, so no context for them either.
      ctx.trace = new RequestTrace(span, recording ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT, span.spanContext().traceState?.serialize() ?? '', clock)
    }
  }

  function authorize(input: StageInput, handler: Handler): Handler {
    const attributes: Attributes = { 'tollgate.authorization.type': input.route.authorizationType }
    if (input.route.authorizer !== undefined) attributes['tollgate.authorizer.name'] = input.route.authorizer
    return childSpan(tracer, clock, 'authorize', attributes, handler, null, true)
  }

  function meter(input: StageInput, handler: Handler): Handler {
    const attributes: Attributes = { 'tollgate.api_key.required': input.route.apiKeyRequired }
    return childSpan(tracer, clock, 'meter', attributes, handler, (span, ctx) => {
      if (ctx.apiKeyId !== null) span.setAttribute('tollgate.api_key.id', ctx.apiKeyId)
    }, false)
  }

  function cache(handler: Handler): Handler {
    return childSpan(tracer, clock, 'cache lookup', {}, handler, (span, ctx) => span.setAttribute('tollgate.cache.hit', ctx.done), false)
  }

  /** Before the integration request is built: the CLIENT span's id, for the traceparent it carries. */
  function reserve(handler: Handler): Handler {
    return (ctx) => {
      const t = ctx.trace!
      if (t.recording) t.reserveClient(ids.reserve())
      return handler(ctx)
    }
  }

  function integrate(input: StageInput, handler: Handler): Handler {
    const integration = input.integration
    const uri = integration.uri!
    const url = new URL(uri.origin)
    const type = integration.type
    const fn = type === 'AWS' || type === 'AWS_PROXY' ? functionName(input) : null
    const attributes: Attributes = {
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      'tollgate.integration.type': type,
    }
    if (fn !== null) attributes['faas.invoked_name'] = fn
    const fixedName = fn !== null ? `invoke ${fn}` : null
    const options: SpanOptions = { kind: SpanKind.CLIENT }
    const flat = type === 'HTTP_PROXY'
    const headers = type === 'HTTP' || type === 'HTTP_PROXY'
    const origin = uri.origin
    const inject = (ctx: RequestContext, t: RequestTrace): void => {
      if (!headers) return
      if (flat) setFlatTraceHeaders(ctx.integrationHeaders as string[], t)
      else setTraceHeaders(ctx.integrationHeaders as Record<string, string | string[]>, t)
    }
    return (ctx) => {
      const t = ctx.trace!
      if (!t.recording) {
        // Unsampled: the call carries the SERVER span's traceparent (sampled flag off), no span.
        inject(ctx, t)
        return handler(ctx)
      }
      if (t.clientSpanId === '') t.reserveClient(ids.reserve())
      ids.use(t.clientSpanId)
      const method = fn !== null ? 'POST' : ctx.integrationMethod
      options.startTime = clock.now()
      const span = tracer.startSpan(fixedName ?? method, options, t.context)
      ids.clear()
      t.client = span
      if (span.isRecording()) {
        span.setAttributes(attributes)
        const path = fn !== null ? '' : ctx.integrationPath
        const q = path.indexOf('?')
        span.setAttributes({ 'http.request.method': method, 'url.full': origin + (fn !== null ? '' : q === -1 ? path : path.slice(0, q)) })
      }
      inject(ctx, t)
      let pending: void | Pending
      try {
        pending = handler(ctx)
      } catch (err) {
        t.endClient(performance.now(), 0, err)
        throw err
      }
      if (pending === undefined) return
      return asPromise(pending).then(
        () => {
          // A failed invocation (X-Amz-Function-Error, or the emulator's error document) answers 200.
          if (ctx.functionResult !== null && ctx.functionResult.kind === 'error' && span.isRecording()) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: 'the function failed' })
            span.setAttribute('error.type', 'function_error')
          }
          t.endClient(ctx.integrationEndHr > 0 ? ctx.integrationEndHr : performance.now(), ctx.integrationStatus, null)
        },
        (err: unknown) => {
          t.endClient(performance.now(), 0, err)
          throw err
        },
      )
    }
  }

  return {
    traceRoute(input, names, handlers) {
      const calls = input.integration.type !== 'MOCK' && input.integration.uri !== null
      const out: Handler[] = [startRequest(input)]
      handlers.forEach((handler, i) => {
        switch (names[i]) {
          case 'authorize':
            out.push(authorize(input, handler))
            break
          case 'meter':
            out.push(meter(input, handler))
            break
          case 'cache':
            out.push(cache(handler))
            break
          case 'transform-request':
            out.push(calls ? reserve(handler) : handler)
            break
          case 'integrate':
            out.push(calls ? integrate(input, handler) : handler)
            break
          default:
            out.push(handler)
        }
      })
      return out
    },
  }
}
