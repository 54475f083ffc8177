// The gateway: an HTTP/1.1 server (node:http, strict parsing, size and time limits) serving the
// current runtime, with atomic hot reload.
//
// Hot reload: apply() validates, builds and swaps one reference. A request resolves the runtime
// once when it starts and finishes on it, so in-flight requests keep their config. A retired
// runtime releases its upstream pools when its last request has finished; pools shared with
// the new runtime stay open (they are keyed by origin and reference-counted).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { JwtKeyStore } from './auth/jwt/keys.js'
import { build } from './build.js'
import type { GatewayConfig } from './config/schema.js'
import { assertValidConfig } from './config/validate.js'
import type { RequestContext, Services } from './context.js'
import { GatewayResponses } from './gateway-responses.js'
import { abandon, handleRequest } from './handle-request.js'
import { Deadlines } from './integrations/deadlines.js'
import { LambdaAuthorizerState, type LambdaAuthorizerOptions } from './auth/lambda/state.js'
import { DEFAULT_POOL_OPTIONS, UpstreamPools } from './integrations/pools.js'
import { newRequestIds } from './request-id.js'
import type { Runtime } from './runtime.js'
import type { Meter } from './stores/meter.js'
import { MemoryMeter } from './stores/memory-meter.js'
import { ResponseCache } from './cache/service.js'
import type { ResponseCacheStore } from './stores/cache.js'
import { MemoryCacheStore } from './stores/memory-cache.js'
import { meteringChanges } from './metering/changes.js'
import { listenOn } from './listen.js'
import type { IpRanges } from './auth/ip.js'
import { NO_NAMESPACE_INDEX, type NamespaceIndex } from './auth/namespace-index.js'
import { sourceIpResolver } from './auth/source-ip.js'
import { EarlyAnswer, type RequestObserver } from './telemetry/observer.js'
import { GatewayCounters } from './telemetry/metrics-counters.js'
import type { Tracing } from './telemetry/tracing.js'

export interface ProxyLimits {
  /** Request body limit (API Gateway's payload quota: 10 MiB). Larger → 413. */
  maxBodyBytes: number
  /** Request line and headers (API Gateway's quota: 10240 bytes). Larger → 431. */
  maxHeaderBytes: number
  /** Time to receive the request headers. */
  headersTimeoutMs: number
  /** Time to receive the whole request. */
  requestTimeoutMs: number
  /** Idle time of a keep-alive client connection. */
  keepAliveTimeoutMs: number
}

export const DEFAULT_LIMITS: ProxyLimits = Object.freeze({
  maxBodyBytes: 10 * 1024 * 1024,
  maxHeaderBytes: 10240,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
})

export interface GatewayOptions {
  limits?: Partial<ProxyLimits>
  /** Connections per upstream origin (default 256). */
  upstreamConnections?: number
  /** Where config problems and internal errors are reported (default: stderr). */
  log?: (line: string) => void
  /** How long close() lets in-flight requests finish before cutting connections (default 30 s). */
  drainTimeoutMs?: number
  /**
   * Throttle buckets and quotas of the meter stage. Default: a MemoryMeter of this process,
   * closed by close(); a meter passed in (e.g. ResilientMeter over Redis) is the caller's to close.
   */
  meter?: Meter
  /** Signing keys of JWT issuers (JWT, COGNITO_USER_POOLS routes), cached for the gateway's life. Default: a store with the default timeouts. */
  jwtKeys?: JwtKeyStore
  /**
   * Peers whose X-Forwarded-For is believed when resolving the caller's source IP
   * (auth/source-ip.ts). Default: none, the socket peer is the source IP.
   */
  trustedProxies?: IpRanges
  /** Caller address → namespace (tollgate:SourceNamespace). Default: none (standalone). */
  namespaces?: NamespaceIndex
  /** Lambda authorizers: call timeout (default 10 s) and result cache size (default 10 000). */
  lambdaAuthorizers?: LambdaAuthorizerOptions
  /**
   * The response cache store. Default: a MemoryCacheStore of this process; a store passed in
   * (e.g. Redis behind ResilientCacheStore) is the caller's to close.
   */
  cacheStore?: ResponseCacheStore
  /** Uniform random numbers in [0, 1) for canary splits (default Math.random). */
  random?: () => number
  /**
   * Told of every request when its response closed (metrics, access logs, traces:
   * telemetry/observer.ts), in this order. Default: none (nothing is built per request).
   */
  observers?: readonly RequestObserver[]
  /**
   * OpenTelemetry tracing of the stages that enable it (telemetry/tracing.ts): their routes are
   * built with spans, and its observer ends them (after the observers above). The caller's to
   * shut down. Default: none (StageConfig.tracing has no effect).
   */
  tracing?: Tracing
}

export interface Gateway {
  readonly server: Server
  readonly config: GatewayConfig | undefined
  /** Validates, builds and swaps in a config; throws ConfigError and keeps the old one serving. */
  apply(config: unknown): void
  listen(port: number, host: string): Promise<AddressInfo>
  /**
   * The in-cluster listener (a ClusterIP Service): serves PRIVATE APIs as well as the others.
   * The public listener never serves PRIVATE APIs.
   */
  readonly privateServer: Server
  listenPrivate(port: number, host: string): Promise<AddressInfo>
  /** Lambda authorizer counters (calls by outcome, cache hits), Prometheus text for /metrics. */
  authorizerMetrics(): string
  /** The response cache: its store and CacheHitCount / CacheMissCount per route (cache/counters.ts). */
  readonly cache: ResponseCache
  /** Throttle, quota and authorizer counters of the pipeline (telemetry/metrics-counters.ts). */
  readonly counters: GatewayCounters
  /** Configs applied and refused, for /metrics (telemetry/metrics-process.ts). */
  readonly configHistory: ConfigHistory
  /** Stops accepting, lets in-flight requests finish, closes upstream pools. */
  close(): Promise<void>
}

export interface ConfigHistory {
  /** Epoch ms when the config being served was applied; 0 before the first. */
  readonly appliedAt: number
  /** Configs refused by apply() (invalid: the previous one kept serving). */
  readonly rejected: number
}

interface Live {
  readonly runtime: Runtime
  inFlight: number
  retired: boolean
}

export function createGateway(opts: GatewayOptions = {}): Gateway {
  const limits: ProxyLimits = { ...DEFAULT_LIMITS, ...opts.limits }
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const pools = new UpstreamPools({ ...DEFAULT_POOL_OPTIONS, connections: opts.upstreamConnections ?? DEFAULT_POOL_OPTIONS.connections })
  const deadlines = new Deadlines()
  const ownMeter = opts.meter === undefined ? new MemoryMeter() : null
  const jwtKeys = opts.jwtKeys ?? new JwtKeyStore()
  const lambdaAuthorizers = new LambdaAuthorizerState(opts.lambdaAuthorizers)
  const ownCacheStore = opts.cacheStore === undefined ? new MemoryCacheStore() : null
  const cache = new ResponseCache(opts.cacheStore ?? ownCacheStore!)
  const services: Services = {
    pools,
    deadlines,
    maxBodyBytes: limits.maxBodyBytes,
    meter: opts.meter ?? ownMeter!,
    sourceIp: sourceIpResolver(opts.trustedProxies ?? null),
    namespaces: opts.namespaces ?? NO_NAMESPACE_INDEX,
    lambdaAuthorizers,
    cache,
    random: opts.random ?? Math.random,
    counters: new GatewayCounters(),
  }
  const configHistory = { appliedAt: 0, rejected: 0 }
  const unconfigured = new GatewayResponses('REST', limits.maxBodyBytes)
  const reportBug = (err: unknown, ctx: RequestContext): void => {
    log(`error: request ${ctx.requestId} (${ctx.api.id} ${ctx.stage.name} ${ctx.route.key}) failed: ${(err as Error)?.stack ?? String(err)}`)
  }
  let live: Live | null = null
  let closing = false

  function retire(old: Live): void {
    old.retired = true
    if (old.inFlight === 0) pools.release(old.runtime.origins)
  }

  const observers = opts.tracing === undefined ? (opts.observers ?? []) : [...(opts.observers ?? []), opts.tracing.observer]
  function observe(ctx: RequestContext | EarlyAnswer, req: IncomingMessage, res: ServerResponse, startedHr: number): void {
    const end = { ctx, req, res, startedHr, endedHr: performance.now(), finished: res.writableFinished }
    for (const observer of observers) observer.requestEnded(end)
  }

  // HOT PATH — change with care: one closure and one 'close' listener per request (the
  // response emits 'close' once, so `on` spares the wrapper `once` allocates).
  function onRequest(server: Server, privateListener: boolean, req: IncomingMessage, res: ServerResponse): void {
    const startedHr = performance.now()
    const current = live
    if (current === null) {
      const ids = newRequestIds(Date.now())
      unconfigured.send(res, 'API_NOT_FOUND', ids, { close: true })
      if (observers.length > 0) res.on('close', () => observe(new EarlyAnswer(null, null, 'API_NOT_FOUND', ids), req, res, startedHr))
      return
    }
    current.inFlight++
    let ctx: RequestContext | EarlyAnswer | null = null
    res.on('close', () => {
      if (ctx !== null && !(ctx instanceof EarlyAnswer) && !res.writableFinished) abandon(ctx)
      if (--current.inFlight === 0 && current.retired) pools.release(current.runtime.origins)
      if (closing) server.closeIdleConnections()
      if (ctx !== null && observers.length > 0) observe(ctx, req, res, startedHr)
    })
    ctx = handleRequest(current.runtime, services, reportBug, req, res, privateListener, startedHr)
  }

  const serverOptions = {
    requireHostHeader: true,
    insecureHTTPParser: false,
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  }
  const server: Server = createServer(serverOptions, (req, res) => onRequest(server, false, req, res))
  const privateServer: Server = createServer(serverOptions, (req, res) => onRequest(privateServer, true, req, res))

  return {
    server,
    get config() {
      return live?.runtime.config
    },
    apply(config: unknown): void {
      try {
        assertValidConfig(config)
      } catch (err) {
        configHistory.rejected++
        throw err
      }
      const runtime = build(config, { maxBodyBytes: limits.maxBodyBytes, jwtKeys, tracing: opts.tracing?.routes })
      for (const problem of runtime.problems) log(`config ${config.hash.slice(0, 12)}: ${problem} (the route answers 500)`)
      for (const line of meteringChanges(live?.runtime.metering, runtime.metering)) log(line)
      pools.acquire(runtime.origins)
      const old = live
      live = { runtime, inFlight: 0, retired: false }
      configHistory.appliedAt = Date.now()
      if (old !== null) retire(old)
    },
    listen: (port, host) => listenOn(server, port, host),
    authorizerMetrics: () => lambdaAuthorizers.metrics(),
    cache,
    counters: services.counters,
    configHistory,
    privateServer,
    listenPrivate: (port, host) => listenOn(privateServer, port, host),
    async close(): Promise<void> {
      closing = true
      const timeoutMs = opts.drainTimeoutMs ?? 30_000
      await Promise.all([drain(server, timeoutMs), drain(privateServer, timeoutMs)])
      if (live !== null) retire(live)
      deadlines.close()
      await pools.closeAll()
      await ownMeter?.close()
      await ownCacheStore?.close()
      lambdaAuthorizers.cache.clear()
    },
  }
}

/** Stops accepting, lets in-flight requests finish within `timeoutMs`, then cuts what is left. */
async function drain(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return
  const drained = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs)
  try {
    await drained
  } finally {
    clearTimeout(timer)
  }
}
