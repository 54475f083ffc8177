// The events an authorizer function receives, in API Gateway's formats (field names and shapes
// as AWS documents them; what Tollgate does not have is left out rather than faked):
//
//   REST TOKEN        { type: 'TOKEN', authorizationToken, methodArn }
//   REST REQUEST      { type: 'REQUEST', methodArn, resource, path, httpMethod, headers,
//                       multiValueHeaders, queryStringParameters, multiValueQueryStringParameters,
//                       pathParameters, stageVariables, requestContext }
//   HTTP API 1.0      the REST REQUEST event plus version '1.0', identitySource and
//                     authorizationToken (both the identity values joined with ",")
//   HTTP API 2.0      { version: '2.0', type: 'REQUEST', routeArn, identitySource[], routeKey,
//                       rawPath, rawQueryString, cookies?, headers, queryStringParameters?,
//                       requestContext, pathParameters?, stageVariables? }
//
// Header names keep the client's spelling in the REST/1.0 events (AWS does); 2.0 lower-cases
// them and joins repeated headers and query parameters with ",", and moves cookies out of the
// headers, as in its Lambda proxy event. Everything fixed per route and stage (account, api,
// stage, resource, variables) is computed at config load.
import type { RequestContext } from '../../context.js'
import { resourceId } from '../../resource-id.js'
import { v2Headers, v2Query } from '../../lambda/event-v2-fields.js'

export interface EventSettings {
  readonly accountId: string
  readonly apiId: string
  readonly stage: string
  /** The route's resource path ("/pets/{id}"); "$default" for the $default route of an HTTP API. */
  readonly resource: string
  readonly routeKey: string
  readonly variables: Readonly<Record<string, string>>
}

export type EventBuilder = (ctx: RequestContext, methodArn: string, identity: readonly string[] | null) => string

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** $context.requestTime as AWS formats it: "09/Apr/2015:12:34:56 +0000". */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs)
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

export interface Headers {
  readonly single: Record<string, string>
  readonly multi: Record<string, string[]>
}

/** Headers in the client's spelling: last value / every value per name (REST, 1.0); also the Lambda proxy events' (integrations/function). */
export function restHeaders(raw: readonly string[]): Headers {
  const single: Record<string, string> = {}
  const multi: Record<string, string[]> = {}
  const spelling = new Map<string, string>()
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase()
    let name = spelling.get(lower)
    if (name === undefined) {
      name = raw[i]!
      spelling.set(lower, name)
    }
    single[name] = raw[i + 1]!
    ;(multi[name] ??= []).push(raw[i + 1]!)
  }
  return { single, multi }
}

export function restQuery(rawQuery: string): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single: Record<string, string> = {}
  const multi: Record<string, string[]> = {}
  if (rawQuery !== '') {
    for (const [k, v] of new URLSearchParams(rawQuery)) {
      single[k] = v
      ;(multi[k] ??= []).push(v)
    }
  }
  return { single, multi }
}

function restRequestContext(ctx: RequestContext, s: EventSettings, resourceId: string): Record<string, unknown> {
  return {
    accountId: s.accountId,
    apiId: s.apiId,
    domainName: ctx.contextValue('domainName'),
    domainPrefix: ctx.contextValue('domainPrefix'),
    extendedRequestId: ctx.extendedRequestId,
    httpMethod: ctx.method,
    identity: { sourceIp: ctx.sourceIp, userAgent: ctx.header('user-agent') ?? null },
    path: ctx.contextValue('path'),
    protocol: ctx.contextValue('protocol'),
    requestId: ctx.requestId,
    requestTime: clfTime(ctx.startedAt),
    requestTimeEpoch: ctx.startedAt,
    resourceId,
    resourcePath: s.resource,
    stage: s.stage,
  }
}

/** A short stable id for the route (AWS's resourceId is the resource's id): $context.resourceId. */
export function resourceIdOf(s: Pick<EventSettings, 'apiId' | 'resource'>): string {
  return resourceId(s.apiId, s.resource)
}

export function tokenEvent(): EventBuilder {
  return (_ctx, methodArn, identity) => JSON.stringify({ type: 'TOKEN', authorizationToken: identity![0], methodArn })
}

/** REST REQUEST, or HTTP API payload 1.0 (`version1`: the extra version and identitySource fields). */
export function requestEvent(s: EventSettings, version1: boolean): EventBuilder {
  const resourceId = resourceIdOf(s)
  const variables = { ...s.variables }
  return (ctx, methodArn, identity) => {
    const headers = restHeaders(ctx.req.rawHeaders)
    const query = restQuery(ctx.rawQuery)
    const joined = identity === null ? '' : identity.join(',')
    const event: Record<string, unknown> = version1
      ? { version: '1.0', type: 'REQUEST', methodArn, identitySource: joined, authorizationToken: joined }
      : { type: 'REQUEST', methodArn }
    event.resource = s.resource
    event.path = ctx.path
    event.httpMethod = ctx.method
    event.headers = headers.single
    event.multiValueHeaders = headers.multi
    event.queryStringParameters = query.single
    event.multiValueQueryStringParameters = query.multi
    event.pathParameters = { ...ctx.pathParams }
    event.stageVariables = variables
    event.requestContext = restRequestContext(ctx, s, resourceId)
    return JSON.stringify(event)
  }
}

/** HTTP API payload 2.0. */
export function requestEventV2(s: EventSettings): EventBuilder {
  const variables = Object.keys(s.variables).length > 0 ? { ...s.variables } : undefined
  return (ctx, routeArn, identity) => {
    const { headers, cookies } = v2Headers(ctx.req.rawHeaders)
    const query = v2Query(ctx.rawQuery)
    const path = ctx.contextValue('path')
    const event: Record<string, unknown> = {
      version: '2.0',
      type: 'REQUEST',
      routeArn,
      identitySource: identity ?? [],
      routeKey: s.routeKey,
      rawPath: path,
      rawQueryString: ctx.rawQuery,
    }
    if (cookies !== undefined) event.cookies = cookies
    event.headers = headers
    if (query !== undefined) event.queryStringParameters = query
    event.requestContext = {
      accountId: s.accountId,
      apiId: s.apiId,
      domainName: ctx.contextValue('domainName'),
      domainPrefix: ctx.contextValue('domainPrefix'),
      http: { method: ctx.method, path, protocol: ctx.contextValue('protocol'), sourceIp: ctx.sourceIp, userAgent: ctx.header('user-agent') ?? '' },
      requestId: ctx.extendedRequestId,
      routeKey: s.routeKey,
      stage: s.stage,
      time: clfTime(ctx.startedAt),
      timeEpoch: ctx.startedAt,
    }
    if (Object.keys(ctx.pathParams).length > 0) event.pathParameters = { ...ctx.pathParams }
    if (variables !== undefined) event.stageVariables = variables
    return JSON.stringify(event)
  }
}
