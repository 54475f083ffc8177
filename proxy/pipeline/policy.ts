// policy: the Api's resource policy (spec.policy), decided before any authorizer is called.
// As API Gateway combines it with the route's authorization type:
//
//   NONE                     the policy must allow explicitly: an Allow → on; a Deny, or no
//                            statement that applies → 403.
//   CUSTOM, JWT,             an explicit Deny → 403 before the authorizer is called; otherwise
//   COGNITO_USER_POOLS       the authorizer decides.
//   AWS_IAM                  no handler here: the policy is combined with the caller's IAM
//                            policies once SigV4 has established who the caller is
//                            (resourcePolicyDecision in auth/resource-policy.ts).
//
// A denial answers 403 with AWS's body (RESOURCE_POLICY_DENIED). An API without a policy, and
// an AWS_IAM route, get no handler. The policy is compiled once per API and config (shorthand
// resources expanded to the API's ARN); per request: one concatenation for the methodArn and
// the statements' regexes and conditions.
import { methodArn, methodArnPrefix } from '../auth/arn.js'
import { apiResourcePolicy, resourcePolicyDecision, resourcePolicyDenialMessage } from '../auth/resource-policy.js'
import type { RequestContext } from '../context.js'
import { unreadChunkedBody } from '../integrations/request-body.js'
import type { Handler, PipelineStage } from './types.js'

function deny(ctx: RequestContext, arn: string, explicit: boolean): void {
  ctx.done = true
  const close = unreadChunkedBody(ctx.req)
  // REST: AWS's message naming the resource; HTTP APIs (no resource policies on AWS) answer as they answer any denial.
  const message = ctx.api.protocol === 'REST' ? resourcePolicyDenialMessage(arn, explicit) : undefined
  ctx.error = { responseType: 'RESOURCE_POLICY_DENIED', message: message ?? null, cause: null }
  ctx.stage.responses.send(ctx.res, 'RESOURCE_POLICY_DENIED', ctx, message === undefined ? { close } : { message, close })
}

export const policy: PipelineStage = {
  name: 'policy',
  build({ api, stage, route, gateway }): Handler | null {
    if (route.authorizationType === 'AWS_IAM') return null
    // A policy that cannot be compiled throws: the route answers 500, never open.
    const resourcePolicy = apiResourcePolicy(api, gateway)
    if (resourcePolicy === null) return null
    const prefix = methodArnPrefix(gateway, api.id, stage.name)
    const mustAllow = route.authorizationType === 'NONE'
    return (ctx) => {
      const arn = methodArn(prefix, ctx)
      const decision = resourcePolicyDecision(resourcePolicy, ctx, arn)
      if (decision === 'ALLOW' || (decision === 'NONE' && !mustAllow)) return
      deny(ctx, arn, decision === 'DENY')
    }
  },
}
