// Applies the content-handling plans (content-handling.ts) to the bodies of non-proxy
// integrations: what a request template reads as $input.body, the integration request body
// when a conversion applies, and the method response body. Shared by HTTP and MOCK (and AWS).
// Bodies are read whole (bounded) only when a template or a conversion needs them; otherwise
// they stream untouched.
import type { RequestContext } from '../context.js'
import { binaryTemplateError, convertPayload, planRequest, type PayloadPlan, type PayloadRules } from './content-handling.js'
import { hasBody, readRequestBody, readRequestBytes } from './request-body.js'

/** The plan for the method request body of this request. */
export function requestPayloadPlan(rules: PayloadRules, ctx: RequestContext): PayloadPlan {
  return planRequest(rules, ctx.req.headers['content-type'], hasBody(ctx))
}

/**
 * $input.body of a request template: the request payload after contentHandling, as UTF-8 text
 * (invalid bytes become U+FFFD, as Java decodes them). A payload still binary after the
 * conversion cannot be read by a template: 500, as AWS's "Unable to transform request".
 */
export async function requestTemplateBody(ctx: RequestContext, plan: PayloadPlan): Promise<string> {
  if (plan.binary) throw binaryTemplateError('request')
  if (plan.conversion === 'none') return readRequestBody(ctx)
  return convertPayload(await readRequestBytes(ctx), plan.conversion, 'request').toString('utf8')
}

/** The converted request body for passthrough (only when the plan converts; bounded). */
export async function convertedRequestBody(ctx: RequestContext, plan: PayloadPlan): Promise<Buffer> {
  return convertPayload(await readRequestBytes(ctx), plan.conversion, 'request')
}

/**
 * $input.body of a response template: the integration response payload after contentHandling.
 * An empty payload is never binary; a non-empty one still binary is a 500 ("Unable to transform
 * response").
 */
export function responseTemplateBody(body: Buffer, plan: PayloadPlan): string {
  if (body.length === 0) return ''
  if (plan.binary) throw binaryTemplateError('response')
  return convertPayload(body, plan.conversion, 'response').toString('utf8')
}
