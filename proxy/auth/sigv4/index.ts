// AWS_IAM routes: SigV4-signed requests verified against the IAM identities of the config
// (Secrets labelled tollgate.dev/iam-identity), then authorized by the identity's policies
// combined with the Api's resource policy, as API Gateway does for callers of the API's own
// account: allowed when either allows and neither explicitly denies.
//
// Per request, in AWS's order of checks: a signature is present (Authorization header or
// presigned query string) → it is well formed → no session token (Tollgate issues no temporary
// credentials) → the credential scope names the gateway's region (GatewayConfig.arn), the
// service execute-api and aws4_request → the date is within 5 minutes of the gateway's clock
// (presigned: not past X-Amz-Expires) → the access key is known → Host is signed → the
// signature matches (the body is read, bounded by the body limit, and hashed: API Gateway signs
// the payload; UNSIGNED-PAYLOAD is not accepted) → the policies allow execute-api:Invoke on the
// methodArn. Every failure is a 403 with AWS's message (REST) or HTTP APIs' fixed body; the
// secret access key never appears in a response or a log.
import { createHash } from 'node:crypto'
import type { ApiConfig } from '../../config/schema.js'
import type { RequestContext } from '../../context.js'
import type { ResponseType } from '../../gateway-responses.js'
import { bufferRequestBody, hasBody, unreadChunkedBody } from '../../integrations/request-body.js'
import type { Handler, StageInput } from '../../pipeline/types.js'
import { arnSettings, methodArn, methodArnPrefix } from '../arn.js'
import { evaluatePolicy, INVOKE_ACTION, type PolicyDecision } from '../policy.js'
import { apiResourcePolicy, resourcePolicyDecision } from '../resource-policy.js'
import { identitiesOf, type Identity } from './identities.js'
import { badScope, expired, HOST_NOT_SIGNED, notAuthorized, notYetCurrent, scopeDateMismatch, signatureMismatch, UNKNOWN_KEY } from './messages.js'
import { isPresigned, parseAuthorizationHeader, parsePresigned, parseQuery, type Refusal } from './parse.js'
import { expectedSignature, sameSignature, SERVICE } from './signature.js'

/** AWS accepts a signature dated up to 5 minutes before or after its clock. */
export const CLOCK_SKEW_SECONDS = 300

const EMPTY_SHA256 = createHash('sha256').digest('hex')

/** Answers the refusal and ends the chain. HTTP APIs answer their fixed 403 Forbidden. */
function refuse(ctx: RequestContext, rest: boolean, refusal: Refusal): void {
  let type: ResponseType = refusal.type
  if (!rest && type === 'MISSING_AUTHENTICATION_TOKEN') type = 'ACCESS_DENIED'
  ctx.error = { responseType: type, message: rest ? refusal.message : null, cause: null }
  ctx.stage.responses.send(ctx.res, type, ctx, { message: rest ? refusal.message : undefined, close: unreadChunkedBody(ctx.req) })
  ctx.done = true
}

function identityDecision(identity: Identity, arn: string): PolicyDecision {
  let decision: PolicyDecision = 'NONE'
  for (const policy of identity.policies) {
    const d = evaluatePolicy(policy, INVOKE_ACTION, arn)
    if (d === 'DENY') return 'DENY'
    if (d === 'ALLOW') decision = 'ALLOW'
  }
  return decision
}

const MISSING: Refusal = { type: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' }
const SESSION_TOKEN: Refusal = { type: 'UNRECOGNIZED_CLIENT', message: UNKNOWN_KEY }

export function buildIamAuthorize(input: StageInput): Handler {
  const identities = identitiesOf(input.gateway)
  const { region } = arnSettings(input.gateway)
  const prefix = methodArnPrefix(input.gateway, input.api.id, input.stage.name)
  // Shared with the policy stage; `execute-api:/` shorthand expanded to this API's ARN.
  const resourcePolicy = apiResourcePolicy(input.api, input.gateway)
  const rest = input.api.protocol === 'REST'

  /** Everything but the signature; null when the request may go on to the signature check. */
  async function verify(ctx: RequestContext): Promise<Refusal | null> {
    const req = ctx.req
    const authorization = req.headers.authorization
    const query = parseQuery(ctx.rawQuery)
    let parsed
    if (authorization !== undefined) parsed = parseAuthorizationHeader(authorization, req.headers)
    else if (isPresigned(query)) parsed = parsePresigned(query, req.headers)
    else return MISSING
    if (!parsed.ok) return parsed.refusal
    const parts = parsed.parts
    if (parts.sessionToken) return SESSION_TOKEN
    const wrongRegion = parts.region !== region
    const wrongService = parts.service !== SERVICE
    const wrongTerminator = parts.terminator !== 'aws4_request'
    if (wrongRegion || wrongService || wrongTerminator) {
      return { type: 'INVALID_SIGNATURE', message: badScope(wrongRegion ? parts.region : null, wrongService ? parts.service : null, wrongTerminator ? parts.terminator : null) }
    }
    if (parts.scopeDate !== parts.longDate.slice(0, 8)) return { type: 'INVALID_SIGNATURE', message: scopeDateMismatch(parts.scopeDate, parts.longDate) }
    const now = ctx.startedAt
    if (parts.dateMs > now + CLOCK_SKEW_SECONDS * 1000) return { type: 'INVALID_SIGNATURE', message: notYetCurrent(parts.longDate, now, CLOCK_SKEW_SECONDS) }
    if (parts.expiresSeconds === null) {
      if (parts.dateMs < now - CLOCK_SKEW_SECONDS * 1000) return { type: 'INVALID_SIGNATURE', message: expired(parts.longDate, now, CLOCK_SKEW_SECONDS) }
    } else if (parts.dateMs < now - parts.expiresSeconds * 1000) {
      return { type: 'INVALID_SIGNATURE', message: expired(parts.longDate, now, parts.expiresSeconds) }
    }
    const identity = identities.get(parts.accessKeyId)
    if (identity === undefined) return { type: 'UNRECOGNIZED_CLIENT', message: UNKNOWN_KEY }
    if (!parts.signedHeaders.includes('host')) return { type: 'INCOMPLETE_SIGNATURE', message: HOST_NOT_SIGNED }

    const payloadHash = hasBody(ctx) ? createHash('sha256').update(await bufferRequestBody(ctx)).digest('hex') : EMPTY_SHA256
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const computed = await expectedSignature(region, req, q === -1 ? url : url.slice(0, q), query, parts, payloadHash, parts.accessKeyId, identity.secretAccessKey)
    if (!sameSignature(computed.signature, parts.signature)) {
      return { type: 'INVALID_SIGNATURE', message: signatureMismatch(computed.canonicalRequest, computed.stringToSign) }
    }

    ctx.identity = identity.caller
    const arn = methodArn(prefix, ctx)
    const own = identityDecision(identity, arn)
    const resource = resourcePolicy === null ? 'NONE' : resourcePolicyDecision(resourcePolicy, ctx, arn)
    if (own === 'DENY' || resource === 'DENY') return { type: 'ACCESS_DENIED', message: notAuthorized(identity.caller.userArn, arn, true) }
    if (own === 'ALLOW' || resource === 'ALLOW') return null
    return { type: 'ACCESS_DENIED', message: notAuthorized(identity.caller.userArn, arn, false) }
  }

  return async (ctx) => {
    const refusal = await verify(ctx)
    if (refusal !== null) {
      ctx.identity = null
      refuse(ctx, rest, refusal)
    }
  }
}
