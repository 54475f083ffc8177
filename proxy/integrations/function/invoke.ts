// The integrate step of AWS and AWS_PROXY integrations: the event (ctx.integrationBody, JSON
// text) POSTed to the function's invoke URL over the Lambda invoke API, on the undici pool of its
// origin, as one UpstreamCall: the integration timeout runs until the answer's head arrives
// (504 INTEGRATION_TIMEOUT, as API Gateway's 29 s), connection errors are INTEGRATION_FAILURE,
// an unresolvable host API_CONFIGURATION_ERROR (upstream.ts). The answer (at most Lambda's 6 MB)
// is read by lambda/invocation.ts into ctx.functionResult:
//   - a result or a failed invocation: for the response step (AWS_PROXY: a failure is 502;
//     AWS: integration responses are selected on its errorMessage);
//   - the invoke API refusing the call (no such function, throttled): 500, as AWS answers when
//     "the Lambda API rejects the invocation request";
//   - a 200 that is not JSON: 502, as a malformed answer.
// The call carries X-Amzn-Trace-Id (the caller's, else the request's own) and, on traced
// stages, traceparent and tracestate.
import type { RequestContext } from '../../context.js'
import { GatewayError } from '../../errors.js'
import { MAX_RESULT_BYTES, readInvocation } from '../../lambda/invocation.js'
import type { Handler } from '../../pipeline/types.js'
import type { CompiledIntegration } from '../compile.js'
import { UpstreamCall } from '../upstream.js'
import { setTraceHeaders } from '../../telemetry/tracing-headers.js'

const TOO_LARGE = new GatewayError('TG_ERR_FUNCTION_RESULT', 'FUNCTION_ERROR', `the function answered more than ${MAX_RESULT_BYTES} bytes`)
const NOT_JSON = new GatewayError('TG_ERR_FUNCTION_RESULT', 'FUNCTION_ERROR', 'the invoke API answered 200 with something that is not JSON')

/** The path (and query) of an invoke URL: POST target of every call. */
export function invokePath(integration: CompiledIntegration): string {
  const uri = integration.uri!
  const path = uri.parts.map((p) => (typeof p === 'string' ? p : '')).join('')
  return uri.query === '' ? path : `${path}?${uri.query}`
}

export function functionIntegrate(integration: CompiledIntegration): Handler {
  const origin = integration.uri!.origin
  const host = integration.uri!.host
  const timeoutMs = integration.timeoutMs
  const path = invokePath(integration)
  return async (ctx: RequestContext) => {
    const body = ctx.integrationBody as string
    ctx.integrationStartHr = performance.now()
    const headers: Record<string, string> = { host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-amzn-trace-id': ctx.traceId }
    // Traced stages: the W3C trace context of the invocation's CLIENT span (telemetry/tracing-route.ts).
    if (ctx.trace !== null) setTraceHeaders(headers, ctx.trace)
    const call = new UpstreamCall(ctx.services.pools.get(origin), ctx.services.deadlines.list(timeoutMs), { method: 'POST', path, headers, body })
    ctx.upstream = call
    await call.started
    const length = Number(call.headers['content-length'] ?? 0)
    if (length > MAX_RESULT_BYTES) {
      call.fail(TOO_LARGE)
      throw TOO_LARGE
    }
    const text = (await call.readBody(MAX_RESULT_BYTES)).toString('utf8')
    ctx.integrationEndHr = performance.now()
    ctx.integrationStatus = call.status
    ctx.integrationResponseHeaders = call.headers
    const answer = readInvocation(call.status, call.headers['x-amz-function-error'] !== undefined, text)
    if (answer.kind === 'refused') {
      throw new GatewayError('TG_ERR_FUNCTION_REFUSED', 'API_CONFIGURATION_ERROR', `the invoke API answered ${answer.status}`)
    }
    if (answer.kind === 'not-json') throw NOT_JSON
    ctx.functionResult = answer
  }
}
