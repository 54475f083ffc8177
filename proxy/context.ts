// The request context: one object per request, every field set in the constructor (a stable
// shape for V8), passed explicitly to every pipeline stage. A stage ends the chain by setting
// `done` (the response is then written by respond or was written by the stage itself).
//
// HOT PATH — change with care: one per request; add a field only with its value set here.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { AuthorizerResult, CallerIdentity } from './auth/types.js'
import type { CorsHeaders } from './cors.js'
import type { GatewayError } from './errors.js'
import type { ResponseType } from './gateway-responses.js'
import type { NamespaceIndex } from './auth/namespace-index.js'
import type { SourceIpResolver } from './auth/source-ip.js'
import type { LambdaAuthorizerState } from './auth/lambda/state.js'
import type { ContextKey } from './integrations/mapping.js'
import type { Deadlines } from './integrations/deadlines.js'
import type { Invocation } from './lambda/invocation.js'
import type { ProxyCall } from './integrations/proxy-call.js'
import type { UpstreamCall } from './integrations/upstream.js'
import type { UpstreamPools } from './integrations/pools.js'
import type { RequestIds } from './request-id.js'
import type { ApiRuntime, RouteRuntime, StageRuntime } from './runtime.js'
import type { Meter } from './stores/meter.js'
import type { CacheMiss } from './cache/miss.js'
import type { ResponseCache } from './cache/service.js'
import type { GatewayCounters } from './telemetry/metrics-counters.js'
import type { RequestTrace } from './telemetry/tracing-request.js'

export interface Services {
  readonly pools: UpstreamPools
  /** Integration timeouts (one list per timeout value). */
  readonly deadlines: Deadlines
  readonly maxBodyBytes: number
  /** Throttle buckets and quotas (pipeline/meter.ts): MemoryMeter, or Redis behind ResilientMeter. */
  readonly meter: Meter
  /** The caller's source IP: the socket peer, or X-Forwarded-For from trusted proxies (auth/source-ip.ts). */
  readonly sourceIp: SourceIpResolver
  /** Caller address → Kubernetes namespace (auth/namespace-index.ts); NO_NAMESPACE_INDEX standalone. */
  readonly namespaces: NamespaceIndex
  /** Lambda authorizers' result cache, call timeout and counters (auth/lambda/state.ts). */
  readonly lambdaAuthorizers: LambdaAuthorizerState
  /** The response cache: store, counters, misses in flight (cache/service.ts). */
  readonly cache: ResponseCache
  /** Uniform in [0, 1): picks the canary side of a stage per request (Math.random; tests inject their own). */
  readonly random: () => number
  /** Throttle, quota and authorizer counters for /metrics (telemetry/metrics-counters.ts). */
  readonly counters: GatewayCounters
}

export type ResponseBody = string | Buffer | UpstreamCall | null

/** The gateway response a request was answered with ($context.error.*, execution logs). */
export interface AnsweredError {
  readonly responseType: ResponseType
  /** The message of the response body when it is not the type's default; null: the default. */
  readonly message: string | null
  /** What went wrong (code, message, validation error); null for a refusal answered directly, or a bug (logged apart). */
  readonly cause: GatewayError | null
}

// Shared empty defaults: the stage that fills one of these fields assigns a fresh object (none
// is ever written into), so a request that needs none allocates none.
const EMPTY_HEADERS: IncomingHttpHeaders = Object.freeze({}) as IncomingHttpHeaders
const EMPTY_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>
const EMPTY_INTEGRATION_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>

export class RequestContext {
  readonly requestId: string
  readonly extendedRequestId: string
  readonly traceId: string
  readonly startedAt: number
  /** performance.now() when the request arrived (Latency, $context.responseLatency). */
  readonly startedHr: number
  readonly api: ApiRuntime
  readonly stage: StageRuntime
  readonly route: RouteRuntime
  readonly method: string
  /** The normalized path after the stage, "/pets/42". */
  readonly path: string
  /** The query string as received, without "?" ('' when none). */
  readonly rawQuery: string
  /** Path parameters, percent-decoded (set by the route stage). */
  pathParams: Record<string, string>
  /** Path parameters as normalized, still-encoded segments (what is forwarded to backends). */
  rawPathParams: Record<string, string>
  /** Parsed query, last value wins (as API Gateway's single-value parameters); lazily. */
  private queryParams: Map<string, string> | null
  /** True once the request body was handed to an integration (or read). */
  bodyConsumed: boolean
  /** The whole request body when a stage read it before the integration (SigV4 hashes it); null: still on `req`. */
  body: Buffer | null
  /**
   * The API key a Lambda authorizer returned (`usageIdentifierKey`), for APIs with
   * `apiKeySource: AUTHORIZER`; set by the authorize stage, null until then (the meter then
   * finds no key: 403 on routes that require one).
   */
  usageIdentifierKey: string | null
  /** What the route's authorizer returned ($context.authorizer.*); null without one (authorize stage). */
  authorizer: AuthorizerResult | null
  /** The IAM identity of a SigV4-signed request ($context.identity.*); null otherwise (authorize stage). */
  identity: CallerIdentity | null
  /** Id ("namespace/name") of the API key the meter accepted; null when none ($context.identity.apiKeyId). */
  apiKeyId: string | null
  /** CORS headers of the response (set by the cors stage); null: the API has no CORS configuration. */
  corsHeaders: CorsHeaders | null
  /** Set by the cache stage on cached routes: the warning to add and where respond records the response (cache/miss.ts). */
  cache: CacheMiss | null
  /** The gateway response the request was answered with (pipeline/run.ts answerError, refusals); null when none. */
  error: AnsweredError | null
  /** The resolved source IP, computed on first use (null until then). */
  private resolvedSourceIp: string | null
  /** The caller's namespace once looked up (null: not yet; undefined: none). */
  private resolvedNamespace: string | undefined | null

  // Integration request, set by transform-request.
  integrationMethod: string
  integrationPath: string
  /** An object (HTTP) or a flat [name, value, ...] array (HTTP_PROXY). */
  integrationHeaders: Record<string, string | string[]> | string[]
  integrationBody: string | Buffer | Readable | null

  // Integration response, set by integrate.
  upstream: UpstreamCall | ProxyCall | null
  integrationStatus: number
  integrationResponseHeaders: IncomingHttpHeaders
  /** AWS, AWS_PROXY: what the function answered (integrations/function/invoke.ts); null otherwise. */
  functionResult: Invocation | null
  /**
   * performance.now() when the integration request was sent and when its response (head; for
   * functions, the whole result) arrived: IntegrationLatency, $context.integrationLatency.
   * 0 until then (MOCK integrations and requests answered before the integration leave them 0).
   */
  integrationStartHr: number
  integrationEndHr: number

  /**
   * The request's spans and outgoing W3C trace context on routes of traced stages (set by the
   * first handler of the route: telemetry/tracing-route.ts); null on every other route.
   */
  trace: RequestTrace | null

  // Method response, set by transform-response (a fresh headers object) and written by respond.
  status: number
  responseHeaders: Record<string, string | string[] | number>
  responseBody: ResponseBody
  done: boolean

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly services: Services,
    ids: RequestIds,
    startedAt: number,
    startedHr: number,
    route: RouteRuntime,
    stage: StageRuntime,
    path: string,
    rawQuery: string,
    readonly segments: { readonly raw: readonly string[]; readonly decoded: readonly string[]; readonly names: readonly string[]; readonly spans: readonly number[] },
  ) {
    this.requestId = ids.requestId
    this.extendedRequestId = ids.extendedRequestId
    this.traceId = ids.traceId
    this.startedAt = startedAt
    this.startedHr = startedHr
    this.api = stage.api
    this.stage = stage
    this.route = route
    this.method = req.method ?? 'GET'
    this.path = path
    this.rawQuery = rawQuery
    this.pathParams = EMPTY_PARAMS
    this.rawPathParams = EMPTY_PARAMS
    this.queryParams = null
    this.bodyConsumed = false
    this.body = null
    this.usageIdentifierKey = null
    this.authorizer = null
    this.identity = null
    this.apiKeyId = null
    this.corsHeaders = null
    this.cache = null
    this.error = null
    this.resolvedSourceIp = null
    this.resolvedNamespace = null
    this.integrationMethod = ''
    this.integrationPath = ''
    this.integrationHeaders = EMPTY_INTEGRATION_HEADERS
    this.integrationBody = null
    this.upstream = null
    this.integrationStatus = 0
    this.integrationResponseHeaders = EMPTY_HEADERS
    this.functionResult = null
    this.integrationStartHr = 0
    this.integrationEndHr = 0
    this.trace = null
    this.status = 200
    this.responseHeaders = {}
    this.responseBody = null
    this.done = false
  }

  query(name: string): string | undefined {
    if (this.queryParams === null) {
      this.queryParams = new Map()
      if (this.rawQuery !== '') for (const [k, v] of new URLSearchParams(this.rawQuery)) this.queryParams.set(k, v)
    }
    return this.queryParams.get(name)
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name]
    return Array.isArray(value) ? value.join(',') : value
  }

  /** The caller's address ($context.identity.sourceIp, aws:SourceIp): computed once, when first asked. */
  get sourceIp(): string {
    if (this.resolvedSourceIp === null) this.resolvedSourceIp = this.services.sourceIp(this.req)
    return this.resolvedSourceIp
  }

  /** The Kubernetes namespace of the caller's pod (tollgate:SourceNamespace); undefined when unknown. */
  get sourceNamespace(): string | undefined {
    if (this.resolvedNamespace === null) this.resolvedNamespace = this.services.namespaces.namespaceOf(this.sourceIp)
    return this.resolvedNamespace
  }

  /** A $context variable readable by mappings. */
  contextValue(key: ContextKey): string {
    switch (key) {
      case 'requestId':
        return this.requestId
      case 'extendedRequestId':
        return this.extendedRequestId
      case 'apiId':
        return this.api.id
      case 'stage':
        return this.stage.name
      case 'resourcePath':
        return this.route.config.path
      case 'resourceId':
        return this.route.resourceId
      case 'httpMethod':
        return this.method
      case 'path':
        return this.stage.name === '$default' ? this.path : `/${this.stage.name}${this.path === '/' ? '' : this.path}`
      case 'protocol':
        return `HTTP/${this.req.httpVersion}`
      case 'domainName':
        return (this.req.headers.host ?? '').replace(/:\d+$/, '')
      case 'domainPrefix':
        return (this.req.headers.host ?? '').split('.')[0] ?? ''
      case 'requestTime':
        return new Date(this.startedAt).toUTCString()
      case 'requestTimeEpoch':
        return String(this.startedAt)
      case 'identity.sourceIp':
        return this.sourceIp
      case 'identity.userAgent':
        return this.header('user-agent') ?? ''
      case 'identity.accessKey':
        return this.identity?.accessKey ?? ''
      case 'identity.accountId':
        return this.identity?.accountId ?? ''
      case 'identity.userArn':
        return this.identity?.userArn ?? ''
      case 'identity.user':
        return this.identity?.user ?? ''
      case 'identity.caller':
        return this.identity?.caller ?? ''
    }
  }
}
