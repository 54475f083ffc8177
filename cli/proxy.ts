// tollgate proxy: one proxy of the fleet. Serves the last-known-good config at once when there
// is one, subscribes to the operator's config stream, and answers /healthz and /readyz.
//
// SIGTERM: readiness fails at once (the Service stops sending new connections), the proxy keeps
// serving for the grace period (endpoints take a moment to propagate), then stops accepting
// and lets in-flight requests finish within the drain timeout, then exits.
import { readFile } from 'node:fs/promises'
import { createGateway, type Gateway } from '../proxy/gateway.js'
import { ipRanges } from '../proxy/auth/ip.js'
import { PodNamespaceIndex } from '../proxy/auth/namespace-index.js'
import { createAdminServer, type AdminServer } from '../proxy/admin.js'
import { createMeter } from '../proxy/metering/create-meter.js'
import { createCacheStore } from '../proxy/cache/create-store.js'
import { flushApi } from '../proxy/cache/flush-api.js'
import { usageApi } from '../proxy/metering/usage-api.js'
import { metricsRoute, ProxyMetrics } from '../proxy/telemetry/metrics-endpoint.js'
import { loadLastKnownGood, subscribe, type Subscriber } from '../proxy/subscriber.js'
import { createRequestLogs, requestLogObservers, type RequestLogs } from '../proxy/telemetry/request-logs.js'
import { UsageError, type ProxyOptions } from './options.js'
import { exitOnSignal, timestampedLog } from './process.js'
import { createTracing, type Tracing } from '../proxy/telemetry/tracing.js'

export interface ProxyProcess {
  readonly gateway: Gateway
  readonly admin: AdminServer
  readonly subscriber: Subscriber
  readonly port: number
  /** The in-cluster listener, the only one that serves PRIVATE APIs. */
  readonly privatePort: number
  readonly adminPort: number
  /** Tracing of stages with tracingEnabled (opts.tracing); null without it. */
  readonly tracing: Tracing | null
  /** The SIGTERM sequence: not ready → grace → stop accepting → drain → closed. */
  shutdown(): Promise<void>
}

/** `requestLogs`: where access and execution logs go (default: stdout through pino's asynchronous destination). */
export async function startProxy(
  opts: ProxyOptions,
  token: string,
  log: (line: string) => void,
  adminToken = '',
  requestLogs: RequestLogs = createRequestLogs(),
): Promise<ProxyProcess> {
  // Metering: Redis behind ResilientMeter with --redis-url (the fleet shares buckets and quotas), else this process's memory.
  const metering = createMeter({ redisUrl: opts.redisUrl, redisCluster: opts.redisCluster, log })
  // Response cache: Redis behind ResilientCacheStore with --redis-url (the fleet shares entries), else this process's memory.
  const caching = createCacheStore({ redisUrl: opts.redisUrl, redisCluster: opts.redisCluster, log })
  // Both wait for Redis together (an unreachable one costs the start-up one bound, not two).
  await Promise.all([metering.ready(), caching.ready()])
  // The operator's pod address index (tollgate:SourceNamespace), filled by the subscriber.
  const namespaces = new PodNamespaceIndex()
  // Tracing: spans of stages with tracingEnabled, exported over OTLP/HTTP (--otlp-endpoint, OTEL_*).
  const tracing = opts.tracing === undefined ? null : createTracing({ ...opts.tracing, instanceId: opts.proxyId })
  if (opts.tracing !== undefined && opts.tracing.endpoint !== '') log(`tracing: stages with tracingEnabled export spans to ${opts.tracing.endpoint.replace(/\/\/[^/@]*@/, '//***@')}`)
  // Metrics (docs/metrics.md): the request metrics observe every request; /metrics on the admin listener.
  const proxyMetrics = new ProxyMetrics()
  const gateway: Gateway = createGateway({
    drainTimeoutMs: opts.drainTimeoutMs,
    log,
    meter: metering.meter,
    trustedProxies: ipRanges(opts.trustedProxies ?? []),
    namespaces,
    cacheStore: caching.store,
    ...(tracing !== null ? { tracing } : {}),
    // Request metrics, then the access and execution logs of the stages that ask for them (proxy/telemetry/request-logs.ts).
    observers: [proxyMetrics.requests, ...requestLogObservers(requestLogs, () => gateway.config)],
  })
  proxyMetrics.attach({ gateway, metering: () => metering.metrics(), cacheStore: caching.store })
  let draining = false
  // The usage API changes quotas (UpdateUsage): only with a token, as the admin port listens on every interface.
  const usage = adminToken === '' ? () => false : usageApi({ config: () => gateway.config, meter: metering.meter, token: adminToken })
  // Cache flush (FlushStageCache): also only with the token.
  const flush = adminToken === '' ? () => false : flushApi({ config: () => gateway.config, store: caching.store, token: adminToken })
  const metrics = metricsRoute(proxyMetrics)
  const admin = createAdminServer({ configHash: () => gateway.config?.hash ?? '', draining: () => draining }, (req, res) => metrics(req, res) || usage(req, res) || flush(req, res))
  await loadLastKnownGood(gateway, opts.configCache, log)
  const { port } = await gateway.listen(opts.port, opts.host)
  const { port: privatePort } = await gateway.listenPrivate(opts.privatePort, opts.host)
  const { port: adminPort } = await admin.listen(opts.adminPort, opts.host)
  const subscriber = subscribe(gateway, { url: opts.operatorUrl, token, proxyId: opts.proxyId, cacheFile: opts.configCache, log, namespaces })
  return {
    gateway,
    admin,
    subscriber,
    port,
    privatePort,
    adminPort,
    tracing,
    async shutdown() {
      draining = true
      log(`draining: not ready; serving for ${opts.shutdownGraceMs / 1000}s more`)
      await new Promise((r) => setTimeout(r, opts.shutdownGraceMs))
      subscriber.close()
      await gateway.close()
      await tracing?.shutdown()
      await admin.close()
      await metering.close()
      await caching.close()
      requestLogs.flush()
    },
  }
}

export async function proxyCommand(opts: ProxyOptions): Promise<number> {
  if (opts.operatorUrl === '') throw new UsageError('proxy needs --operator-url (or TOLLGATE_OPERATOR_URL)')
  let token: string
  try {
    token = (await readFile(opts.streamTokenFile, 'utf8')).trim()
  } catch (err) {
    throw new UsageError(`cannot read the stream token from ${opts.streamTokenFile}: ${(err as Error).message}`)
  }
  let adminToken = ''
  if (opts.adminTokenFile) {
    try {
      adminToken = (await readFile(opts.adminTokenFile, 'utf8')).trim()
    } catch (err) {
      throw new UsageError(`cannot read the admin token from ${opts.adminTokenFile}: ${(err as Error).message}`)
    }
  }
  const log = timestampedLog
  const proxy = await startProxy(opts, token, log, adminToken)
  log(`proxy ${opts.proxyId} listening on ${opts.host}:${proxy.port} (private ${proxy.privatePort}, admin ${proxy.adminPort})`)
  exitOnSignal(log, () => proxy.shutdown())
  return -1
}
