// The Lambda proxy event, payload format 1.0: REST APIs' (AWS's "Input format of a Lambda function
// for proxy integration", set-up-lambda-proxy-integrations) and HTTP APIs' 1.0 (AWS's "Payload
// format version" of http-api-develop-integrations-lambda):
//
//   { [version: '1.0',]  resource, path, httpMethod, headers, multiValueHeaders,
//     queryStringParameters, multiValueQueryStringParameters, pathParameters, stageVariables,
//     requestContext, body, isBase64Encoded }
//
// Empty maps are null, as API Gateway sends them. REST keeps the client's spelling of header
// names, HTTP APIs lower-case them; `headers` has the last value of a repeated header and query
// parameter, `multiValue*` every value. `path` is the request's path after the stage (REST) or as
// requested, stage included (HTTP APIs). requestContext carries the $context key set (see
// requestContext below) and what the route's authorizer returned:
//   REST, Lambda authorizer   authorizer: { ...context (values as text), principalId, integrationLatency }
//   REST, user pool           authorizer: { claims }   (values as text, exp and iat as dates)
//   HTTP, JWT                 authorizer: { claims, scopes }
//   HTTP, Lambda authorizer   authorizer: { ...context }   (AWS documents no example; the
//                             contents of 2.0's authorizer.lambda, as 1.0's JWT shape is 2.0's jwt)
import type { RequestContext } from '../../context.js'
import { clfTime, restHeaders, restQuery } from '../../auth/lambda/event.js'
import { apiKeyOf, claimsOf, eventBody, eventHeaders, stringifiedContext, type EventSettings } from './event-parts.js'

function orNull<T extends object>(map: T): T | null {
  for (const _ in map) return map
  return null
}

function authorizerOf(ctx: RequestContext, rest: boolean): Record<string, unknown> | undefined {
  const a = ctx.authorizer
  if (a === null) return undefined
  if (a.claims !== null) {
    const claims = claimsOf(a.claims, rest)
    return rest ? { claims } : { claims, scopes: a.scopes === null ? null : [...a.scopes] }
  }
  if (!rest) return { ...a.context }
  return { ...stringifiedContext(a.context), principalId: a.principalId, integrationLatency: a.latencyMs }
}

function identityOf(ctx: RequestContext, s: EventSettings, rest: boolean): Record<string, unknown> {
  const id = ctx.identity
  const identity: Record<string, unknown> = {
    accessKey: id?.accessKey ?? null,
    accountId: id?.accountId ?? null,
  }
  if (rest) Object.assign(identity, apiKeyOf(ctx, s))
  identity.caller = id?.caller ?? null
  identity.cognitoAuthenticationProvider = null
  identity.cognitoAuthenticationType = null
  identity.cognitoIdentityId = null
  identity.cognitoIdentityPoolId = null
  identity.principalOrgId = null
  identity.sourceIp = ctx.sourceIp
  identity.user = id?.user ?? null
  identity.userAgent = ctx.header('user-agent') ?? null
  identity.userArn = id?.userArn ?? null
  return identity
}

/** Builds the event (as JSON text); reads the body. */
export async function eventV1(ctx: RequestContext, s: EventSettings): Promise<string> {
  const rest = s.protocol === 'REST'
  const raw = eventHeaders(ctx, !rest)
  const headers = restHeaders(raw)
  const query = restQuery(ctx.rawQuery)
  const { body, isBase64Encoded } = await eventBody(ctx, s)
  const resource = s.resource ?? ctx.path
  const fullPath = ctx.contextValue('path')
  const event: Record<string, unknown> = rest ? {} : { version: '1.0' }
  event.resource = resource
  event.path = rest ? ctx.path : fullPath
  event.httpMethod = ctx.method
  event.headers = orNull(headers.single)
  event.multiValueHeaders = orNull(headers.multi)
  event.queryStringParameters = orNull(query.single)
  event.multiValueQueryStringParameters = orNull(query.multi)
  event.pathParameters = orNull({ ...ctx.pathParams })
  event.stageVariables = s.variables
  const requestContext: Record<string, unknown> = { accountId: s.accountId, apiId: s.apiId }
  const authorizer = authorizerOf(ctx, rest)
  if (authorizer !== undefined) requestContext.authorizer = authorizer
  requestContext.domainName = ctx.contextValue('domainName')
  requestContext.domainPrefix = ctx.contextValue('domainPrefix')
  requestContext.extendedRequestId = ctx.extendedRequestId
  requestContext.httpMethod = ctx.method
  requestContext.identity = identityOf(ctx, s, rest)
  requestContext.path = fullPath
  requestContext.protocol = ctx.contextValue('protocol')
  // HTTP APIs have one request id (apigw-requestid); REST APIs a UUID and the extended id.
  requestContext.requestId = rest ? ctx.requestId : ctx.extendedRequestId
  requestContext.requestTime = clfTime(ctx.startedAt)
  requestContext.requestTimeEpoch = ctx.startedAt
  requestContext.resourceId = rest ? s.resourceId : s.routeKey
  requestContext.resourcePath = resource
  requestContext.stage = s.stage
  event.requestContext = requestContext
  event.body = body
  event.isBase64Encoded = isBase64Encoded
  return JSON.stringify(event)
}
