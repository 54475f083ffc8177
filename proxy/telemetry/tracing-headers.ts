// W3C Trace Context on outgoing requests of traced routes: traceparent (and tracestate when the
// trace has one) replace whatever the caller sent under those names, so the backend continues
// the gateway's trace, as a child of the integration's CLIENT span. Untraced routes never come
// here: their requests carry the caller's headers as the integration forwards them (HTTP_PROXY
// passes a caller's traceparent through untouched), and nothing is added.
import type { TraceHeaders } from './tracing-request.js'

/** HTTP integrations: the request's headers object (built per request by transform-request). */
export function setTraceHeaders(headers: Record<string, string | string[]>, trace: TraceHeaders): void {
  headers.traceparent = trace.traceparent
  if (trace.tracestate !== '') headers.tracestate = trace.tracestate
  else delete headers.tracestate
}

/** HTTP_PROXY: the flat [name, value, ...] list of the request (built per request, lower-case names). */
export function setFlatTraceHeaders(out: string[], trace: TraceHeaders): void {
  let w = 0
  for (let r = 0; r + 1 < out.length; r += 2) {
    const name = out[r]!
    if (name === 'traceparent' || name === 'tracestate') continue
    out[w++] = name
    out[w++] = out[r + 1]!
  }
  out.length = w
  out.push('traceparent', trace.traceparent)
  if (trace.tracestate !== '') out.push('tracestate', trace.tracestate)
}
