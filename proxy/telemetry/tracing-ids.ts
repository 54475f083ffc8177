// Span ids for the tracer, with one twist: an id can be reserved before its span exists.
//
// The integration's CLIENT span is started right before the backend call, but its traceparent
// is needed earlier: a Lambda proxy event carries it in its headers, and the event is built by
// transform-request, before integrate. So transform-request reserves the id (reserve()), the
// event and the request headers carry it, and integrate hands it to the tracer (use()) for
// the span it starts. The SDK's tracer asks for exactly one span id, synchronously, per
// startSpan, before anything else (Tracer.startSpan in @opentelemetry/sdk-trace), so the
// reserved id goes to that span and no other; tracing-http.test.ts checks that the backend's
// traceparent names the CLIENT span.
import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base'

export class ReservableIds implements IdGenerator {
  private readonly random = new RandomIdGenerator()
  private next = ''

  generateTraceId(): string {
    return this.random.generateTraceId()
  }

  generateSpanId(): string {
    const next = this.next
    if (next === '') return this.random.generateSpanId()
    this.next = ''
    return next
  }

  /** A fresh span id for a span started later (with use()). */
  reserve(): string {
    return this.random.generateSpanId()
  }

  /** The next span started gets `id`; clear(): none does. */
  use(id: string): void {
    this.next = id
  }

  clear(): void {
    this.next = ''
  }
}
