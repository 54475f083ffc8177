// The Lambda proxy event of HTTP APIs, payload format 2.0 (AWS's "Payload format version" of
// http-api-develop-integrations-lambda):
//
//   { version: '2.0', routeKey, rawPath, rawQueryString, cookies?, headers,
//     queryStringParameters?, requestContext, body?, pathParameters?, isBase64Encoded,
//     stageVariables? }
//
// Header names are lower case; a repeated header or query parameter is one entry, its values
// joined with ","; Cookie headers move to `cookies` (one entry per cookie) and out of `headers`.
// Fields with nothing to say are left out. rawPath is the path as requested (a named stage
// included). requestContext: accountId, apiId, authorizer (jwt: {claims, scopes} | lambda:
// {...context} | iam: {...}), domainName, domainPrefix, http {method, path, protocol, sourceIp,
// userAgent}, requestId, routeKey, stage, time, timeEpoch.
import type { RequestContext } from '../../context.js'
import { clfTime } from '../../auth/lambda/event.js'
import { claimsOf, eventBody, eventHeaders, type EventSettings } from './event-parts.js'
import { v2Headers, v2Query } from '../../lambda/event-v2-fields.js'

function authorizerOf(ctx: RequestContext): Record<string, unknown> | undefined {
  const a = ctx.authorizer
  if (a !== null) {
    if (a.claims !== null) return { jwt: { claims: claimsOf(a.claims, false), scopes: a.scopes === null ? null : [...a.scopes] } }
    return { lambda: { ...a.context } }
  }
  const id = ctx.identity
  if (id !== null) {
    return {
      iam: {
        accessKey: id.accessKey,
        accountId: id.accountId,
        callerId: id.caller,
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: id.userArn,
        userId: id.user,
      },
    }
  }
  return undefined
}

/** Builds the event (as JSON text); reads the body. */
export async function eventV2(ctx: RequestContext, s: EventSettings): Promise<string> {
  const { headers, cookies } = v2Headers(eventHeaders(ctx, true))
  const query = v2Query(ctx.rawQuery)
  const { body, isBase64Encoded } = await eventBody(ctx, s)
  const path = ctx.contextValue('path')
  const event: Record<string, unknown> = { version: '2.0', routeKey: s.routeKey, rawPath: path, rawQueryString: ctx.rawQuery }
  if (cookies !== undefined) event.cookies = cookies
  event.headers = headers
  if (query !== undefined) event.queryStringParameters = query
  const requestContext: Record<string, unknown> = { accountId: s.accountId, apiId: s.apiId }
  const authorizer = authorizerOf(ctx)
  if (authorizer !== undefined) requestContext.authorizer = authorizer
  requestContext.domainName = ctx.contextValue('domainName')
  requestContext.domainPrefix = ctx.contextValue('domainPrefix')
  requestContext.http = { method: ctx.method, path, protocol: ctx.contextValue('protocol'), sourceIp: ctx.sourceIp, userAgent: ctx.header('user-agent') ?? '' }
  requestContext.requestId = ctx.extendedRequestId
  requestContext.routeKey = s.routeKey
  requestContext.stage = s.stage
  requestContext.time = clfTime(ctx.startedAt)
  requestContext.timeEpoch = ctx.startedAt
  event.requestContext = requestContext
  if (body !== null) event.body = body
  if (Object.keys(ctx.pathParams).length > 0) event.pathParameters = { ...ctx.pathParams }
  event.isBase64Encoded = isBase64Encoded
  if (s.variables !== null) event.stageVariables = s.variables
  return JSON.stringify(event)
}
