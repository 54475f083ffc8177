// AWS_PROXY: the Lambda proxy integration. The request becomes API Gateway's Lambda proxy event
// (event-v1.ts: REST and HTTP API payload 1.0; event-v2.ts: HTTP API payload 2.0), POSTed to the
// function over the Lambda invoke API (invoke.ts); the function's result becomes the response
// (proxy-result.ts). Integration request and response settings (mappings, templates,
// integration responses) do not apply, as in API Gateway.
//
// Failures: a failed invocation (X-Amz-Function-Error, or the runtime interface emulator's plain
// 200 error document) and a malformed result are FUNCTION_ERROR: REST 502 {"message": "Internal
// server error"}, HTTP APIs 500 {"message": "Internal Server Error"} (AWS: "If the function runs
// but returns an error, or returns a response in the wrong format, API Gateway returns a 502").
import type { RequestContext } from '../../context.js'
import { GatewayError } from '../../errors.js'
import type { Handler, StageInput } from '../../pipeline/types.js'
import type { CompiledIntegration } from '../compile.js'
import { eventSettings } from './event-parts.js'
import { eventV1 } from './event-v1.js'
import { eventV2 } from './event-v2.js'
import { firstAcceptBinary, MalformedResult, responseV1, responseV2, type MethodResponse } from './proxy-result.js'

const FUNCTION_FAILED = new GatewayError('TG_ERR_FUNCTION_ERROR', 'FUNCTION_ERROR', 'the function failed')

export function awsProxyRequest(integration: CompiledIntegration, input: StageInput): Handler {
  const settings = eventSettings(input.api, input.stage, input.route, input.gateway)
  const build = integration.payloadFormatVersion === '2.0' ? eventV2 : eventV1
  return async (ctx: RequestContext) => {
    ctx.integrationMethod = 'POST'
    ctx.integrationBody = await build(ctx, settings)
  }
}

export function awsProxyResponse(integration: CompiledIntegration, input: StageInput): Handler {
  const rest = input.api.protocol === 'REST'
  const v2 = integration.payloadFormatVersion === '2.0'
  const binary = eventSettings(input.api, input.stage, input.route, input.gateway).binary
  return (ctx: RequestContext) => {
    const answer = ctx.functionResult!
    if (answer.kind === 'error') throw FUNCTION_FAILED
    if (answer.kind !== 'result') throw new Error(`unexpected function answer ${answer.kind}`)
    let response: MethodResponse
    try {
      if (v2) response = responseV2(answer.value, answer.text)
      else response = responseV1(answer.value, rest, !rest || firstAcceptBinary(binary, ctx.header('accept')))
    } catch (err) {
      if (!(err instanceof MalformedResult)) throw err
      throw new GatewayError('TG_ERR_FUNCTION_RESULT', 'FUNCTION_ERROR', `malformed Lambda proxy response: ${err.message}`)
    }
    const headers: Record<string, string | string[] | number> = response.headers
    if (rest) headers['x-amzn-trace-id'] = ctx.traceId
    ctx.status = response.status
    ctx.responseHeaders = headers
    ctx.responseBody = response.body
  }
}
