// The data trace of an execution log record (methodSettings dataTraceEnabled): the method
// request, the integration request and response, and the method response — headers with their
// credentials redacted (execution-log-redact.ts), bodies truncated to 1 KiB as API Gateway
// truncates its execution log events. Only what the gateway held in memory is written: a body
// streamed straight through (HTTP_PROXY, a passthrough) is noted as streamed, not read.
import type { RequestContext } from '../context.js'
import type { RequestEnd } from './observer.js'
import { redactFlatHeaders, redactHeaderObject, redactQuery, type Redactor } from './execution-log-redact.js'

/** API Gateway truncates execution log events at 1024 bytes; bodies here are cut at that. */
export const MAX_TRACE_BODY_BYTES = 1024
export const STREAMED = '(streamed, not captured)'

/** A body as logged: text, cut at MAX_TRACE_BODY_BYTES; undefined when there is none. */
export function traceBody(body: unknown): string | undefined {
  if (body === null || body === undefined) return undefined
  let bytes: Buffer
  if (typeof body === 'string') {
    if (body === '') return undefined
    if (body.length <= MAX_TRACE_BODY_BYTES / 4) return body
    bytes = Buffer.from(body)
  } else if (Buffer.isBuffer(body)) bytes = body
  else return STREAMED
  if (bytes.length === 0) return undefined
  if (bytes.length <= MAX_TRACE_BODY_BYTES) return bytes.toString('utf8')
  return `${bytes.subarray(0, MAX_TRACE_BODY_BYTES).toString('utf8')}... [truncated, ${bytes.length} bytes]`
}

/** The head the response was written with, as [name, value, ...]. */
function writtenHeaders(end: RequestEnd): string[] {
  const head = (end.res as unknown as { _header?: string | null })._header
  if (typeof head !== 'string') return []
  const flat: string[] = []
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) flat.push(line.slice(0, colon), line.slice(colon + 1).trim())
  }
  return flat
}

export function dataTrace(ctx: RequestContext, end: RequestEnd, redactor: Redactor): Record<string, unknown> {
  const trace: Record<string, unknown> = {
    methodRequest: {
      headers: redactFlatHeaders(redactor, ctx.req.rawHeaders),
      query: redactQuery(redactor, ctx.rawQuery),
      pathParameters: ctx.pathParams,
      body: ctx.body !== null ? traceBody(ctx.body) : ctx.bodyConsumed ? STREAMED : undefined,
    },
  }
  if (ctx.integrationMethod !== '') {
    const headers = ctx.integrationHeaders
    trace.integrationRequest = {
      headers: Array.isArray(headers) ? redactFlatHeaders(redactor, headers) : redactHeaderObject(redactor, headers),
      body: traceBody(ctx.integrationBody),
    }
  }
  if (ctx.integrationStatus > 0) {
    const result = ctx.functionResult
    trace.integrationResponse = {
      status: ctx.integrationStatus,
      headers: redactHeaderObject(redactor, ctx.integrationResponseHeaders),
      body: result !== null && (result.kind === 'result' || result.kind === 'error') ? traceBody(result.text) : undefined,
    }
  }
  trace.methodResponse = {
    status: end.res.statusCode,
    headers: redactFlatHeaders(redactor, writtenHeaders(end)),
    body: ctx.error !== null ? undefined : traceBody(ctx.responseBody),
  }
  return trace
}
