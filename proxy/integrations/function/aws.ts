// AWS (non-proxy) integrations of functions: API Gateway's "Lambda custom integration".
//
// Request: the event is the request template's output for the request's content type (payloads
// converted per contentHandling and binaryMediaTypes first, as for HTTP); without
// a matching template the body passes through per passthroughBehavior (as HTTP: NEVER, and
// WHEN_NO_TEMPLATES with templates, answer 415). No body is the empty event {}. The Lambda invoke
// API refuses a payload that is not JSON (InvalidRequestContentException, which API Gateway
// answers with 500), so such an event is answered 500 without calling the function.
//
// Response: integration responses are selected by matching their selectionPattern against the
// function's errorMessage when the invocation failed, and against the empty string when it
// succeeded — so `.*` also catches successes and `.+` only errors (AWS: "If the back end is an
// AWS Lambda function, the AWS Lambda function error header is matched"; "Setting the
// selectionPattern value to .* ... will match all error messages, including null"). No match: the
// default response (a function error is then a 200, as on AWS). The body is the function's result
// (or its error document); responseParameters and responseTemplates apply as for HTTP (http.ts).
import type { RequestContext } from '../../context.js'
import { GatewayError } from '../../errors.js'
import type { Handler } from '../../pipeline/types.js'
import type { CompiledIntegration } from '../compile.js'
import { methodResponse, requestTemplate } from '../http.js'
import { convertedRequestBody, requestPayloadPlan, requestTemplateBody } from '../payloads.js'
import { bufferRequestBody, hasBody } from '../request-body.js'
import { renderTemplate, type TemplateEnv } from '../templates.js'

export function awsRequest(integration: CompiledIntegration, env: TemplateEnv): Handler {
  return async (ctx: RequestContext) => {
    const template = requestTemplate(integration, ctx)
    // contentHandling and binaryMediaTypes as for HTTP (content-handling.ts): a binary body reaches
    // a template (or passes through) as base64 text with CONVERT_TO_TEXT.
    const plan = requestPayloadPlan(integration.payloads, ctx)
    let event: string
    if (template !== null) event = renderTemplate(template, ctx, await requestTemplateBody(ctx, plan), 'request', env).body
    else if (!hasBody(ctx)) event = ''
    else if (plan.conversion !== 'none') event = (await convertedRequestBody(ctx, plan)).toString('utf8')
    else event = (await bufferRequestBody(ctx)).toString('utf8')
    if (event.trim() === '') event = '{}'
    else {
      try {
        JSON.parse(event)
      } catch {
        const what = template === null ? 'the request body passed through' : `the request template for ${template.contentType}`
        throw new GatewayError('TG_ERR_FUNCTION_EVENT', 'API_CONFIGURATION_ERROR', `${what} is not JSON: the Lambda invoke API refuses it`)
      }
    }
    ctx.integrationMethod = 'POST'
    ctx.integrationBody = event
  }
}

export function awsResponse(integration: CompiledIntegration, env: TemplateEnv): Handler {
  const respond = methodResponse(integration, env)
  return (ctx: RequestContext) => {
    const answer = ctx.functionResult!
    if (answer.kind === 'error') return respond(ctx, answer.errorMessage ?? '', Buffer.from(answer.text))
    if (answer.kind === 'result') return respond(ctx, '', Buffer.from(answer.text))
    throw new Error(`unexpected function answer ${answer.kind}`)
  }
}
