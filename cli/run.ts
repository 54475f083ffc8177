// tollgate run: standalone mode. Reads manifests, compiles them with the operator's compiler,
// serves them in-process, and re-applies on every file change without a restart. A bad edit
// is reported (file, resource, field, reason) and the previous version keeps serving.
import { createGateway, type Gateway } from '../proxy/gateway.js'
import { ipRanges } from '../proxy/auth/ip.js'
import type { GatewayConfig } from '../proxy/config/schema.js'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createAdminServer, type AdminServer } from '../proxy/admin.js'
import { createMeter } from '../proxy/metering/create-meter.js'
import { usageApi } from '../proxy/metering/usage-api.js'
import { metricsRoute, ProxyMetrics } from '../proxy/telemetry/metrics-endpoint.js'
import type { Meter } from '../proxy/stores/meter.js'
import type { ResponseCacheStore } from '../proxy/stores/cache.js'
import { createCacheStore } from '../proxy/cache/create-store.js'
import { createRequestLogs, requestLogObservers, type RequestLogs } from '../proxy/telemetry/request-logs.js'
import { flushApi } from '../proxy/cache/flush-api.js'
import { LastKnownGood } from '../operator/last-known-good.js'
import { watchManifests, type Watcher } from '../operator/sources/watch.js'
import { describeProblem, readManifests } from './manifests.js'
import { compileOptions } from './check.js'
import type { RunOptions } from './options.js'
import { replyJson } from '../operator/admin.js'
import { buildStatusReport, type StatusInput, type StatusReport } from '../operator/status-report.js'
import { createTracing, type Tracing } from '../proxy/telemetry/tracing.js'

export interface Standalone {
  readonly gateway: Gateway
  readonly port: number
  /** The meter serving the gateway (MemoryMeter, or Redis behind ResilientMeter with --redis-url). */
  readonly meter: Meter
  /** Port of the admin listener (health, usage API), or null when there is none. */
  readonly adminPort: number | null
  /** What /status on the admin listener answers (`tollgate status`): the same shape as the operator's, the fleet is this process. */
  status(): StatusReport
  /** Tracing of stages with tracingEnabled (opts.tracing); null without it. */
  readonly tracing: Tracing | null
  /** Re-reads the manifests and applies them; resolves once applied (or refused). */
  reload(): Promise<void>
  close(): Promise<void>
}

export type Log = (line: string) => void

/** Endpoint URLs of every stage in a config, as printed at start. */
export function endpointUrls(config: GatewayConfig, port: number): string[] {
  const urls: string[] = []
  for (const api of config.apis) {
    if (api.disableExecuteApiEndpoint) continue
    for (const stage of api.stages) {
      const base = `http://${api.id}.execute-api.${config.domain}${port === 80 ? '' : `:${port}`}`
      urls.push(stage.name === '$default' ? `${base}/` : `${base}/${stage.name}/`)
    }
  }
  return urls
}

/** What tests inject: a meter (e.g. a MemoryMeter with a test clock) instead of the one the options make. */
export interface StandaloneDeps {
  readonly meter?: Meter
  /** The response cache store (e.g. a MemoryCacheStore with a test clock). */
  readonly cacheStore?: ResponseCacheStore
  /** Where access and execution logs go (default: stdout through pino's asynchronous destination). */
  readonly requestLogs?: RequestLogs
}

export async function startStandalone(opts: RunOptions, log: Log, deps: StandaloneDeps = {}): Promise<Standalone> {
  const made = deps.meter === undefined ? createMeter({ redisUrl: opts.redisUrl, redisCluster: opts.redisCluster, log }) : null
  const meter = deps.meter ?? made!.meter
  if (made?.kind === 'redis') log(`metering on Redis (${redactUrl(opts.redisUrl ?? '')}); stages fail open to local buckets unless meteringFailureMode: CLOSED`)
  const caching = deps.cacheStore === undefined ? createCacheStore({ redisUrl: opts.redisUrl, redisCluster: opts.redisCluster, log }) : null
  // Both wait for Redis together (an unreachable one costs the start-up one bound, not two).
  await Promise.all([made?.ready(), caching?.ready()])
  const cacheStore = deps.cacheStore ?? caching!.store
  const tracing = opts.tracing === undefined ? null : createTracing(opts.tracing)
  if (opts.tracing !== undefined && opts.tracing.endpoint !== '') log(`tracing: stages with tracingEnabled export spans to ${redactUrl(opts.tracing.endpoint)} (service ${opts.tracing.serviceName}, sample ratio ${opts.tracing.sampleRatio})`)
  const requestLogs = deps.requestLogs ?? createRequestLogs()
  // Metrics (docs/metrics.md): the request metrics observe every request; /metrics on the admin listener.
  const metrics = new ProxyMetrics()
  const gateway: Gateway = createGateway({
    meter,
    log,
    trustedProxies: ipRanges(opts.trustedProxies ?? []),
    cacheStore,
    ...(tracing !== null ? { tracing } : {}),
    // Access logs and execution logs of the stages that ask for them (proxy/telemetry/request-logs.ts).
    observers: [metrics.requests, ...requestLogObservers(requestLogs, () => gateway.config)],
  })
  metrics.attach({ gateway, cacheStore, ...(made !== null ? { metering: () => made.metrics() } : {}) })
  const { port } = await gateway.listen(opts.port, opts.host)
  const startedAt = new Date()
  // For /status: the last compile, when its hash was first compiled, a refusal by the gateway, and file problems.
  let compiled: Pick<StatusInput, 'statuses' | 'rejected' | 'origins'> & { published: NonNullable<StatusInput['published']> } | null = null
  let refused: { hash: string; reason: string } | null = null
  let appliedAt: Date | null = null
  let fileProblems: NonNullable<StatusInput['fileProblems']> = []
  const status = (): StatusReport => {
    const hash = gateway.config?.hash ?? ''
    return buildStatusReport({
      source: 'standalone',
      now: new Date(),
      published: compiled?.published ?? null,
      statuses: compiled?.statuses ?? [],
      rejected: compiled?.rejected ?? [],
      origins: compiled?.origins ?? new Map(),
      fileProblems,
      proxies: [{ id: 'standalone', ackedHash: hash, nack: refused, remoteAddress: `${opts.host}:${port}`, connectedAt: startedAt }],
      convergedAt: appliedAt,
    })
  }
  const admin = await startAdmin(opts, gateway, meter, metrics, log, cacheStore, status)
  const lkg = new LastKnownGood(compileOptions({ ...opts, port }))
  let printed = ''
  let warnedNoExport = false
  let running: Promise<void> = Promise.resolve()

  async function apply(): Promise<void> {
    const manifests = await readManifests(opts.files, opts.namespace)
    fileProblems = manifests.fileProblems.map((p) => ({ file: p.origin.file, line: p.origin.line, reason: p.reason, message: p.message }))
    if (manifests.fileErrors.length > 0) {
      for (const line of manifests.fileErrors) log(`error: ${line}`)
      log(gateway.config ? 'manifests not applied: the previous config keeps serving' : 'manifests not applied')
      return
    }
    const { result, rejected } = lkg.reconcile(manifests.resources)
    for (const r of rejected) {
      for (const p of r.problems) log(`error: ${describeProblem(r.ref, manifests.origins, p)}`)
      if (r.kept) log(`  ${r.ref.kind} ${r.ref.namespace}/${r.ref.name}: the previous version keeps serving`)
    }
    for (const s of result.statuses) {
      for (const p of s.problems) if (p.severity === 'warning') log(describeProblem(s.ref, manifests.origins, p))
    }
    const origins = new Map([...manifests.origins].map(([key, o]) => [key, { file: o.file, line: o.line }]))
    const at = compiled?.published.config.hash === result.config.hash ? compiled.published.at : new Date()
    compiled = { statuses: result.statuses, rejected, origins, published: { config: result.config, at } }
    if (gateway.config?.hash === result.config.hash) {
      refused = null
      return
    }
    try {
      gateway.apply(result.config)
    } catch (err) {
      refused = { hash: result.config.hash, reason: (err as Error).message }
      log(`error: config refused, the previous config keeps serving: ${(err as Error).message}`)
      return
    }
    refused = null
    appliedAt = new Date()
    if (!warnedNoExport && opts.tracing?.endpoint === '' && result.config.apis.some((a) => a.stages.some((s) => s.tracing?.enabled === true))) {
      warnedNoExport = true
      log('warning: a stage has tracingEnabled but no OTLP endpoint is set (--otlp-endpoint, OTEL_EXPORTER_OTLP_ENDPOINT): trace context is propagated, spans are not exported')
    }
    const urls = endpointUrls(result.config, port).join('\n')
    if (urls !== printed) {
      printed = urls
      log(urls === '' ? 'no stages to serve' : `serving:\n${urls.split('\n').map((u) => `  ${u}`).join('\n')}`)
    } else {
      log(`applied config ${result.config.hash.slice(0, 12)}`)
    }
  }

  function reload(): Promise<void> {
    // One reload at a time, in order: a burst of edits never applies an older read last.
    running = running.then(apply, apply).catch((err: unknown) => log(`error: reload failed: ${(err as Error).message}`))
    return running
  }

  await reload()
  const watcher: Watcher = watchManifests(opts.files, opts.holdOffMs, () => void reload())
  return {
    gateway,
    port,
    meter,
    adminPort: admin?.port ?? null,
    status,
    tracing,
    reload,
    async close() {
      watcher.close()
      await running
      await admin?.server.close()
      await gateway.close()
      await tracing?.shutdown()
      await made?.close()
      await caching?.close()
      requestLogs.flush()
    },
  }
}

/**
 * The admin listener of standalone mode: /healthz, /readyz, /metrics (docs/metrics.md), the usage API and /status, on --host. A port
 * that is taken is not fatal (two `tollgate run` on one machine): it is logged and left out.
 */
async function startAdmin(
  opts: RunOptions,
  gateway: Gateway,
  meter: Meter,
  metrics: ProxyMetrics,
  log: Log,
  cacheStore: ResponseCacheStore,
  status: () => StatusReport,
): Promise<{ server: AdminServer; port: number } | null> {
  if (opts.adminPort === undefined) return null
  let token: string | undefined
  if (opts.adminTokenFile !== undefined) token = (await readFile(opts.adminTokenFile, 'utf8')).trim()
  const usage = usageApi({ config: () => gateway.config, meter, ...(token ? { token } : {}) })
  const flush = flushApi({ config: () => gateway.config, store: cacheStore, ...(token ? { token } : {}) })
  const metricsPath = metricsRoute(metrics)
  // /status: read-only, no secrets, no token (as /metrics; docs/cli.md#status).
  const statusPath = (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? '/').split('?')[0] !== '/status') return false
    replyJson(res, status())
    return true
  }
  const server = createAdminServer({ configHash: () => gateway.config?.hash ?? '', draining: () => false }, (req, res) => metricsPath(req, res) || usage(req, res) || flush(req, res) || statusPath(req, res))
  try {
    const { port } = await server.listen(opts.adminPort, opts.host)
    return { server, port }
  } catch (err) {
    log(`warning: admin listener not started on ${opts.host}:${opts.adminPort} (${(err as Error).message}); the usage API is unavailable (--admin-port N)`)
    return null
  }
}

/** A Redis URL without its password, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
}

export async function runCommand(opts: RunOptions): Promise<number> {
  const log: Log = (line) => process.stdout.write(`${line}\n`)
  const standalone = await startStandalone(opts, log)
  log(`tollgate listening on http://${opts.host}:${standalone.port} (domain ${opts.domain}); watching ${opts.files.join(', ')}`)
  if (standalone.adminPort !== null) log(`admin (health, metrics, usage API, status) on http://${opts.host}:${standalone.adminPort}`)
  const stop = () => {
    log('shutting down')
    standalone.close().then(() => process.exit(0), () => process.exit(1))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return -1
}
