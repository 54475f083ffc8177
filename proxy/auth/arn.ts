// The methodArn of a request, as API Gateway gives it to authorizers and policies:
//   arn:aws:execute-api:{region}:{accountId}:{apiId}/{stage}/{METHOD}/{resource path as requested}
// The prefix up to the stage is fixed per stage (built at config load); the method and the path
// are the request's own (ANY routes give the method used; path parameters filled in, the stage
// left out), so per request it is one concatenation.
import { DEFAULT_ARN, type GatewayConfig } from '../config/schema.js'
import type { RequestContext } from '../context.js'

export function arnSettings(gateway: GatewayConfig): { region: string; accountId: string } {
  return gateway.arn ?? DEFAULT_ARN
}

/** "arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/" for one stage. */
export function methodArnPrefix(gateway: GatewayConfig, apiId: string, stage: string): string {
  const { region, accountId } = arnSettings(gateway)
  return `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage}/`
}

/** The methodArn of this request, given its stage's prefix. */
export function methodArn(prefix: string, ctx: RequestContext): string {
  return prefix + ctx.method + ctx.path
}
