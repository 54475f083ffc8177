// Calling an authorizer function over the Lambda invoke API:
//   POST /2015-03-31/functions/{name}/invocations, the event as the JSON body,
// on the undici pool of the function's origin (integrations/pools.ts: the runtime holds it).
//
// What comes back (read by lambda/invocation.ts, shared with function integrations):
//   - 200 with the function's result JSON: the result;
//   - a failed invocation: real Lambda (and LocalStack) flag it with `X-Amz-Function-Error`;
//     the runtime interface emulator of the AWS base images answers 200 with only the error
//     document ({errorType, errorMessage, trace | stackTrace, requestId}). Both are detected.
//     The error "Unauthorized" (errorMessage exactly that: `throw new Error('Unauthorized')`,
//     `callback('Unauthorized')`, `raise Exception('Unauthorized')`) is the function refusing
//     the caller: 401 UNAUTHORIZED. Any other error is a 500;
//   - not reachable, no answer within the timeout, another status, a body that is not JSON or
//     larger than Lambda's 6 MB response limit: 500.
// Every 500 is AUTHORIZER_CONFIGURATION_ERROR with `{"message":null}`, as API Gateway answers
// (its execution log says "Execution failed due to configuration error"); AWS's
// AUTHORIZER_FAILURE is not what it uses for Lambda authorizers.
//
// Timeout: API Gateway waits 10 s for a Lambda authorizer (HTTP API quotas: "Timeout for Lambda
// authorizer response 10000 ms"; REST APIs behave the same); DEFAULT_INVOKE_TIMEOUT_MS, settable
// per gateway (GatewayOptions.lambdaAuthorizers) for tests.
import type { Pool } from 'undici'
import { GatewayError } from '../../errors.js'
import { MAX_RESULT_BYTES, readInvocation } from '../../lambda/invocation.js'
import { setTraceHeaders } from '../../telemetry/tracing-headers.js'
import type { TraceHeaders } from '../../telemetry/tracing-request.js'

export const DEFAULT_INVOKE_TIMEOUT_MS = 10_000

export const UNAUTHORIZED = new GatewayError('TG_ERR_UNAUTHORIZED', 'UNAUTHORIZED', 'the authorizer refused the caller (Unauthorized)')

export function configurationError(reason: string): GatewayError {
  return new GatewayError('TG_ERR_AUTHORIZER_CONFIGURATION', 'AUTHORIZER_CONFIGURATION_ERROR', `authorizer: ${reason}`)
}

function functionError(errorMessage: string | null, errorType: string | null): GatewayError {
  if (errorMessage === 'Unauthorized') return UNAUTHORIZED
  // The function's own message may carry request data: only its type is named.
  return configurationError(`the function failed${errorType !== null ? ` (${errorType.slice(0, 100)})` : ''}`)
}

async function readBody(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > MAX_RESULT_BYTES) throw configurationError('the function answered more than 6 MB')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Invokes the function with `event` (JSON text); resolves with its result, or rejects with a
 * GatewayError. `trace`: the W3C trace context to send (traced stages); null: none.
 */
export async function invokeFunction(pool: Pool, path: string, event: string, timeoutMs: number, trace: TraceHeaders | null = null): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  // Traced stages: the W3C trace context of the authorize span (telemetry/tracing-route.ts).
  if (trace !== null) setTraceHeaders(headers, trace)
  let res
  try {
    res = await pool.request({
      method: 'POST',
      path,
      headers,
      body: event,
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    const name = (err as Error)?.name
    if (name === 'TimeoutError' || name === 'AbortError') throw configurationError(`no answer within ${timeoutMs} ms`)
    const code = (err as { code?: string } | null)?.code
    throw configurationError(`the function could not be reached (${code ?? (err as Error)?.message ?? 'error'})`)
  }
  let text: string
  try {
    text = await readBody(res.body)
  } catch (err) {
    if (err instanceof GatewayError) {
      res.body.destroy()
      throw err
    }
    const name = (err as Error)?.name
    throw configurationError(name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : 'the answer was cut off')
  }
  const answer = readInvocation(res.statusCode, res.headers['x-amz-function-error'] !== undefined, text)
  switch (answer.kind) {
    case 'result':
      return answer.value
    case 'error':
      throw functionError(answer.errorMessage, answer.errorType)
    case 'refused':
      throw configurationError(`the invoke API answered ${answer.status}`)
    case 'not-json':
      throw configurationError('the answer is not JSON')
  }
}
