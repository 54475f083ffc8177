// OpenTelemetry tracing of the proxy: one tracer for the process, built once in main from the
// exporter settings (TracingOptions: flags, or the standard OTEL_* environment, read by the
// CLI), handed to the gateway (GatewayOptions.tracing). Which requests are traced is a stage
// setting (StageConfig.tracing): at config load the routes of traced stages get their spans
// (tracing-route.ts), the rest keep their handler arrays untouched.
//
// No global is registered (no global tracer provider, context manager or propagator): the
// spans' parent context is passed explicitly, from handler to handler on ctx.trace.
//
// Export: OTLP/HTTP with JSON bodies (@opentelemetry/exporter-trace-otlp-http) to
// `endpoint`, through a BatchSpanProcessor (spans leave in batches, off the request path).
// Without an endpoint traced stages still continue and propagate W3C trace context; their
// spans go nowhere. Sampling: a caller's sampled flag is followed; new traces are sampled at
// `sampleRatio` (ParentBased(TraceIdRatioBased)). An unsampled request gets one
// non-recording SERVER span and no child span; its calls still carry its traceparent (flags 00).
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources'
import type { RequestObserver } from './observer.js'
import { SpanClock } from './tracing-clock.js'
import { ReservableIds } from './tracing-ids.js'
import { tracingObserver } from './tracing-observer.js'
import { routeTracing, type RouteTracing } from './tracing-route.js'

export interface TracingOptions {
  /** OTLP/HTTP traces URL ("http://collector:4318/v1/traces"); '' exports nothing. */
  readonly endpoint: string
  /** service.name of the spans. */
  readonly serviceName: string
  /** Share of new traces (no sampled caller) recorded, 0 to 1. */
  readonly sampleRatio: number
  /** service.instance.id (the proxy id); absent: none. */
  readonly instanceId?: string
  /** How long spans wait in the batch before export, ms (default 5000, OpenTelemetry's). */
  readonly exportDelayMs?: number
  /** Export to this exporter instead of OTLP (the bench's discarding sink). */
  readonly exporter?: SpanExporter
}

export interface Tracing {
  /** For build.ts: the handlers of traced routes. */
  readonly routes: RouteTracing
  /** Ends the spans when a response closed; the gateway registers it after the other observers. */
  readonly observer: RequestObserver
  /** Exports the spans ended so far. */
  flush(): Promise<void>
  /** Exports what is left and stops. */
  shutdown(): Promise<void>
}

export function createTracing(opts: TracingOptions): Tracing {
  const ids = new ReservableIds()
  const exporter = opts.exporter ?? (opts.endpoint === '' ? null : new OTLPTraceExporter({ url: opts.endpoint }))
  const resource = defaultResource().merge(
    resourceFromAttributes({ 'service.name': opts.serviceName, ...(opts.instanceId !== undefined ? { 'service.instance.id': opts.instanceId } : {}) }),
  )
  const provider = new BasicTracerProvider({
    resource,
    idGenerator: ids,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(opts.sampleRatio) }),
    spanProcessors: exporter === null ? [] : [new BatchSpanProcessor(exporter, { scheduledDelayMillis: opts.exportDelayMs ?? 5000 })],
  })
  return {
    routes: routeTracing(provider.getTracer('tollgate'), ids, new SpanClock()),
    observer: tracingObserver,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  }
}
