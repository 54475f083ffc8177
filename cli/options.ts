// Command-line parsing for the tollgate command. Arguments and environment are read here,
// once, into typed objects that the commands receive; nothing below reads process.argv or
// process.env.
import { parseArgs } from 'node:util'
import { hostname } from 'node:os'
import { PLAN_LABEL_PREFIX, labelKeyProblem } from './keys/manifests.js'
import type { OperatorOptions } from '../operator/operator.js'
import { parseCidr } from '../proxy/auth/ip.js'
import { tracingSettings, type TracingSettings } from './tracing-options.js'

export interface CommonOptions {
  files: string[]
  domain: string
  namespace: string
  /** Region and account in ARNs (--region, --account-id); absent: us-east-1 / 000000000000. */
  arn?: { region: string; accountId: string }
  /** Where Lambda ARN uris of function integrations are invoked (--function-endpoint); absent: such uris are errors. */
  functionEndpoint?: string
}

export interface RunOptions extends CommonOptions {
  port: number
  host: string
  holdOffMs: number
  /** Redis for throttle buckets and quotas shared by several processes ('' or absent: in memory). */
  redisUrl?: string
  /** Connect to a Redis Cluster (also implied by several hosts in the URL). */
  redisCluster?: boolean
  /** Account-wide default throttle (default 10,000 rps, burst 5,000). */
  accountThrottle?: { rateLimit: number; burstLimit: number }
  /** Admin listener (health, usage API) on `host`; absent: none. */
  adminPort?: number
  /** File holding a bearer token the usage API then requires. */
  adminTokenFile?: string
  /** Peers (CIDRs) whose X-Forwarded-For gives the caller's source IP; [] trusts none. */
  trustedProxies?: string[]
  /** OpenTelemetry export of traced stages (--otlp-endpoint, OTEL_*: tracing-options.ts). */
  tracing?: TracingSettings
}

export interface ProxyOptions {
  operatorUrl: string
  /** File holding the stream token (mounted from a Secret). */
  streamTokenFile: string
  proxyId: string
  host: string
  port: number
  privatePort: number
  adminPort: number
  configCache: string
  redisUrl: string
  /** Connect to a Redis Cluster (also implied by several hosts in the URL). */
  redisCluster?: boolean
  /** File holding the bearer token of the usage API on the admin port; '' or absent leaves the usage API off. */
  adminTokenFile?: string
  shutdownGraceMs: number
  drainTimeoutMs: number
  /** Peers (CIDRs) whose X-Forwarded-For gives the caller's source IP; [] trusts none. */
  trustedProxies?: string[]
  /** OpenTelemetry export of traced stages (--otlp-endpoint, OTEL_*: tracing-options.ts). */
  tracing?: TracingSettings
}

export interface UsageOptions {
  /** get (GetUsage) or update (UpdateUsage). */
  action: string
  /** Usage plan id "namespace/name" (a bare name takes -n, default "default"). */
  plan: string
  /** API key id "namespace/name", or '' for every key of the plan (get). */
  key: string
  from: string
  to: string
  /** update: the remaining quota to set. */
  remaining: number
  /** Admin listener of `tollgate run` or a proxy (env TOLLGATE_ADMIN_URL). */
  adminUrl: string
  /** Bearer token file, when the admin listener requires one. */
  tokenFile: string
}

/** tollgate function serve: one Lambda handler behind the Lambda invoke API (functions/host.ts). */
export interface FunctionServeOptions {
  /** FILE[#EXPORT] (export default "handler"). */
  handler: string
  port: number
  host: string
  /** Accept only this function name in invoke paths; absent: any. */
  functionName?: string
  /** Per-invocation timeout. */
  timeoutMs: number
}

export interface CacheOptions {
  /** flush (FlushStageCache). */
  action: string
  /** Stage name. */
  stage: string
  /** apiId, or '' for every API with a stage of that name. */
  api: string
  /** Admin listener of `tollgate run` or a proxy (env TOLLGATE_ADMIN_URL). */
  adminUrl: string
  /** Bearer token file, when the admin listener requires one. */
  tokenFile: string
}

/** tollgate status: the state of an operator replica or of `tollgate run`, from /status on its admin listener. */
export interface StatusOptions {
  /** Base URL of the listener: the operator's metrics port (--operator) or run's admin port (--admin / --admin-url). */
  url: string
  /** Which flag named it, for messages: 'operator' or 'admin listener'. */
  target: 'operator' | 'admin listener'
  output: 'table' | 'json' | 'yaml'
}

export interface KeysImportOptions {
  /** The AWS API key file (CSV); '-' reads stdin. */
  file: string
  /** metadata.namespace of every object; undefined leaves it out (kubectl's -n or context decides). */
  namespace: string | undefined
  /** Write to this file instead of stdout. */
  output: string | undefined
  /** Write one file per key (its Secret and ApiKey) into this folder instead of stdout. */
  outputDir: string | undefined
  /** Label key prefix for usage plan ids: PREFIX<id>: "true". */
  labelPrefix: string
  /** Write the good rows when some are bad, instead of nothing. */
  skipInvalid: boolean
}

/** tollgate operator: the operator's options, with the token file instead of the token, and where the kubeconfig is. */
export interface DeployOptions {
  api: string
  stage: string
  namespace: string
  dryRun: boolean
  /** -o: only 'yaml' (with --dry-run); undefined: a summary. */
  output: string | undefined
  description: string | undefined
  /** KUBECONFIG; '' loads the default (~/.kube/config, else in-cluster). */
  kubeconfig: string
}

export interface OperatorCommandOptions extends Omit<OperatorOptions, 'streamToken'> {
  streamTokenFile: string
  /** KUBECONFIG; '' means in-cluster (or client-node's default lookup). */
  kubeconfig: string
}

export class UsageError extends Error {
  readonly code = 'TG_ERR_USAGE'
}

const SPEC = {
  file: { type: 'string', short: 'f', multiple: true },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  domain: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'backend-port': { type: 'string' },
  'operator-url': { type: 'string' },
  'stream-token-file': { type: 'string' },
  'proxy-id': { type: 'string' },
  'private-port': { type: 'string' },
  'admin-port': { type: 'string' },
  'config-cache': { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-cluster': { type: 'boolean' },
  'account-rate-limit': { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  'function-endpoint': { type: 'string' },
  'account-burst-limit': { type: 'string' },
  'admin-token-file': { type: 'string' },
  'admin-url': { type: 'string' },
  admin: { type: 'string' },
  operator: { type: 'string' },
  plan: { type: 'string' },
  api: { type: 'string' },
  stage: { type: 'string' },
  'dry-run': { type: 'boolean' },
  description: { type: 'string' },
  'deployment-history': { type: 'string' },
  key: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  remaining: { type: 'string' },
  'shutdown-grace-seconds': { type: 'string' },
  'drain-timeout-seconds': { type: 'string' },
  output: { type: 'string', short: 'o' },
  'output-dir': { type: 'string' },
  'usage-plan-label': { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  'stream-port': { type: 'string' },
  'metrics-port': { type: 'string' },
  'leader-elect': { type: 'string' },
  'lease-name': { type: 'string' },
  'lease-namespace': { type: 'string' },
  namespaces: { type: 'string' },
  'endpoint-scheme': { type: 'string' },
  'endpoint-port': { type: 'string' },
  'hold-off-ms': { type: 'string' },
  'trusted-proxies': { type: 'string', multiple: true },
  'pod-namespace-index': { type: 'string' },
  handler: { type: 'string' },
  'function-name': { type: 'string' },
  timeout: { type: 'string' },
  'otlp-endpoint': { type: 'string' },
  'trace-sample-ratio': { type: 'string' },
  'trace-service-name': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export interface ParsedArgs {
  command: string
  /** Second word of two-word commands (keys import); '' otherwise. */
  subcommand: string
  help: boolean
  run: RunOptions
  backendPort: number
  proxy: ProxyOptions
  keysImport: KeysImportOptions
  functionServe: FunctionServeOptions
  operator: OperatorCommandOptions
  usage: UsageOptions
  cache: CacheOptions
  deploy: DeployOptions
  status: StatusOptions
}

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got ${JSON.stringify(value)}`)
  return n
}

function bool(value: string | undefined, fallback: boolean, flag: string): boolean {
  if (value === undefined) return fallback
  if (value === 'true') return true
  if (value === 'false') return false
  throw new UsageError(`${flag} must be true or false, got ${JSON.stringify(value)}`)
}

function seconds(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback * 1000
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number of seconds, got ${JSON.stringify(value)}`)
  return Math.round(n * 1000)
}

export function parse(argv: string[], env: Record<string, string | undefined>): ParsedArgs {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: SPEC, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values, positionals } = parsed
  const command = positionals[0] ?? 'help'
  // Two-word commands take their second word; paths may follow either form.
  const twoWords = command === 'keys' || command === 'usage' || command === 'function' || command === 'cache'
  const subcommand = twoWords ? (positionals[1] ?? '') : ''
  const files = [...(values.file ?? []), ...positionals.slice(twoWords ? 2 : 1)]
  const isProxy = command === 'proxy'
  const isOperator = command === 'operator'
  const scheme = values['endpoint-scheme'] ?? 'http'
  if (scheme !== 'http' && scheme !== 'https') throw new UsageError(`--endpoint-scheme must be http or https, got ${JSON.stringify(scheme)}`)
  const trustedProxies = cidrList(values['trusted-proxies'] ?? [], '--trusted-proxies')
  const functionEndpoint = functionEndpointOption(values['function-endpoint'])
  const holdOff = Number(values['hold-off-ms'] ?? 100)
  if (!Number.isInteger(holdOff) || holdOff < 0) throw new UsageError(`--hold-off-ms must be a whole number of milliseconds, got ${JSON.stringify(values['hold-off-ms'])}`)
  return {
    command,
    subcommand,
    help: values.help ?? false,
    run: {
      files,
      domain: values.domain ?? 'localhost',
      namespace: values.namespace ?? 'default',
      ...arnOptions(values.region, values['account-id']),
      ...functionEndpoint,
      port: port(values.port, 8080, '--port'),
      host: values.host ?? '127.0.0.1',
      holdOffMs: 100,
      redisUrl: values['redis-url'] ?? env.REDIS_URL ?? '',
      redisCluster: values['redis-cluster'] ?? env.REDIS_CLUSTER === 'true',
      ...accountThrottle(values['account-rate-limit'], values['account-burst-limit']),
      adminPort: port(values['admin-port'], 9090, '--admin-port'),
      ...(values['admin-token-file'] !== undefined ? { adminTokenFile: values['admin-token-file'] } : {}),
      trustedProxies,
      // Only where it is used: an OTEL_* variable meant for something else never breaks validate or compile.
      ...(command === 'run' || command === 'quickstart' ? { tracing: tracingSettings(values, env, 'tollgate') } : {}),
    },
    backendPort: port(values['backend-port'], 9000, '--backend-port'),
    proxy: {
      operatorUrl: values['operator-url'] ?? env.TOLLGATE_OPERATOR_URL ?? '',
      streamTokenFile: values['stream-token-file'] ?? '/var/run/tollgate/stream-token',
      proxyId: values['proxy-id'] ?? env.POD_NAME ?? hostname(),
      host: values.host ?? '0.0.0.0',
      port: isProxy ? port(values.port, 8080, '--port') : 8080,
      privatePort: port(values['private-port'], 8082, '--private-port'),
      adminPort: port(values['admin-port'], 9090, '--admin-port'),
      configCache: values['config-cache'] ?? '/var/lib/tollgate/last-known-good.json',
      redisUrl: values['redis-url'] ?? env.REDIS_URL ?? '',
      redisCluster: values['redis-cluster'] ?? env.REDIS_CLUSTER === 'true',
      adminTokenFile: values['admin-token-file'] ?? '',
      shutdownGraceMs: seconds(values['shutdown-grace-seconds'], 5, '--shutdown-grace-seconds'),
      drainTimeoutMs: seconds(values['drain-timeout-seconds'], 25, '--drain-timeout-seconds'),
      trustedProxies,
      ...(isProxy ? { tracing: tracingSettings(values, env, 'tollgate-proxy') } : {}),
    },
    keysImport: keysImportOptions(command === 'keys', files, values),
    functionServe: {
      handler: values.handler ?? '',
      port: command === 'function' ? port(values.port, 8080, '--port') : 8080,
      host: values.host ?? '0.0.0.0',
      ...(values['function-name'] !== undefined ? { functionName: values['function-name'] } : {}),
      timeoutMs: seconds(values.timeout, 30, '--timeout'),
    },
    operator: {
      streamPort: port(values['stream-port'], 8081, '--stream-port'),
      metricsPort: port(values['metrics-port'], 9090, '--metrics-port'),
      host: values.host ?? '0.0.0.0',
      streamTokenFile: values['stream-token-file'] ?? '/var/run/tollgate/stream-token',
      leaderElect: bool(values['leader-elect'], true, '--leader-elect'),
      leaseName: values['lease-name'] ?? 'tollgate-operator',
      leaseNamespace: values['lease-namespace'] ?? env.POD_NAMESPACE ?? 'default',
      identity: env.POD_NAME ?? `${hostname()}-${process.pid}`,
      namespaces: (values.namespaces ?? '').split(',').map((n) => n.trim()).filter((n) => n !== ''),
      domain: values.domain ?? 'localhost',
      endpointScheme: scheme,
      endpointPort: isOperator ? port(values['endpoint-port'], 8080, '--endpoint-port') : 8080,
      holdOffMs: holdOff,
      ...arnOptions(values.region, values['account-id']),
      ...functionEndpoint,
      podNamespaceIndex: bool(values['pod-namespace-index'], false, '--pod-namespace-index'),
      deploymentHistory: values['deployment-history'] === undefined ? 10 : count(values['deployment-history'], '--deployment-history'),
      kubeconfig: env.KUBECONFIG ?? '',
    },
    deploy: {
      api: values.api ?? '',
      stage: values.stage ?? '',
      namespace: values.namespace ?? 'default',
      dryRun: values['dry-run'] ?? false,
      output: values.output,
      description: values.description,
      kubeconfig: env.KUBECONFIG ?? '',
    },
    usage: {
      action: command === 'usage' ? subcommand : '',
      plan: qualified(values.plan ?? '', values.namespace),
      key: qualified(values.key ?? '', values.namespace),
      from: values.from ?? '',
      to: values.to ?? '',
      remaining: values.remaining === undefined ? -1 : count(values.remaining, '--remaining'),
      adminUrl: values['admin-url'] ?? env.TOLLGATE_ADMIN_URL ?? 'http://127.0.0.1:9090',
      tokenFile: values['admin-token-file'] ?? '',
    },
    status: statusOptions(command === 'status', values, env),
    cache: {
      action: command === 'cache' ? subcommand : '',
      stage: values.stage ?? '',
      api: values.api ?? '',
      adminUrl: values['admin-url'] ?? env.TOLLGATE_ADMIN_URL ?? 'http://127.0.0.1:9090',
      tokenFile: values['admin-token-file'] ?? '',
    },
  }
}

/** Comma-separated (and repeatable) CIDRs or addresses; a bad one is a usage error naming it. */
function cidrList(values: string[], flag: string): string[] {
  const list = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
  for (const entry of list) {
    const parsed = parseCidr(entry)
    if (typeof parsed === 'string') throw new UsageError(`${flag}: ${parsed}`)
  }
  return list
}

/** "name" → "namespace/name" (namespace from -n, default "default"); "ns/name" as is. */
function qualified(id: string, namespace: string | undefined): string {
  if (id === '' || id.includes('/')) return id
  return `${namespace ?? 'default'}/${id}`
}

function count(value: string, flag: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be an integer >= 0, got ${JSON.stringify(value)}`)
  return n
}

/** --region / --account-id: both default when neither is given. */
function arnOptions(region: string | undefined, accountId: string | undefined): { arn?: { region: string; accountId: string } } {
  if (region === undefined && accountId === undefined) return {}
  const r = region ?? 'us-east-1'
  const a = accountId ?? '000000000000'
  if (!/^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(r)) throw new UsageError(`--region must look like an AWS region (us-east-1), got ${JSON.stringify(r)}`)
  if (!/^[0-9]{12}$/.test(a)) throw new UsageError(`--account-id must be 12 digits, got ${JSON.stringify(a)}`)
  return { arn: { region: r, accountId: a } }
}

/** --function-endpoint: an http(s) origin (a path prefix allowed), where Lambda ARN uris are invoked. */
function functionEndpointOption(value: string | undefined): { functionEndpoint?: string } {
  if (value === undefined) return {}
  if (!/^https?:\/\/[^\s?#]+$/.test(value) || !URL.canParse(value)) {
    throw new UsageError(`--function-endpoint must be an http(s) URL such as http://localhost:4566, got ${JSON.stringify(value)}`)
  }
  return { functionEndpoint: value.replace(/\/+$/, '') }
}

function accountThrottle(rate: string | undefined, burst: string | undefined): { accountThrottle?: { rateLimit: number; burstLimit: number } } {
  if (rate === undefined && burst === undefined) return {}
  const rateLimit = rate === undefined ? 10_000 : Number(rate)
  if (!Number.isFinite(rateLimit) || rateLimit < 0) throw new UsageError(`--account-rate-limit must be a number >= 0, got ${JSON.stringify(rate)}`)
  const burstLimit = burst === undefined ? 5_000 : count(burst, '--account-burst-limit')
  return { accountThrottle: { rateLimit, burstLimit } }
}

function statusOptions(
  active: boolean,
  values: { operator?: string; admin?: string; 'admin-url'?: string; output?: string },
  env: Record<string, string | undefined>,
): StatusOptions {
  const admin = values.admin ?? values['admin-url']
  const url = values.operator ?? admin ?? (env.TOLLGATE_ADMIN_URL || 'http://127.0.0.1:9090')
  const options: StatusOptions = { url, target: values.operator !== undefined ? 'operator' : 'admin listener', output: 'table' }
  if (!active) return options
  if (values.operator !== undefined && admin !== undefined) throw new UsageError('use --operator URL or --admin URL, not both')
  if (!/^https?:\/\/[^\s?#]+$/.test(url) || !URL.canParse(url)) {
    throw new UsageError(`${values.operator !== undefined ? '--operator' : '--admin'} must be an http(s) URL such as http://127.0.0.1:9090, got ${JSON.stringify(url)}`)
  }
  const output = values.output ?? 'table'
  if (output !== 'table' && output !== 'json' && output !== 'yaml') throw new UsageError(`-o must be table, json or yaml, got ${JSON.stringify(output)}`)
  return { ...options, url: url.replace(/\/+$/, ''), output }
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

function keysImportOptions(
  active: boolean,
  files: string[],
  values: { namespace?: string; output?: string; 'output-dir'?: string; 'usage-plan-label'?: string; 'skip-invalid'?: boolean },
): KeysImportOptions {
  const options: KeysImportOptions = {
    file: files[0] ?? '',
    namespace: values.namespace,
    output: values.output,
    outputDir: values['output-dir'],
    labelPrefix: values['usage-plan-label'] ?? PLAN_LABEL_PREFIX,
    skipInvalid: values['skip-invalid'] ?? false,
  }
  if (!active) return options
  if (files.length > 1) throw new UsageError('keys import reads one file; got ' + files.length)
  if (options.output !== undefined && options.outputDir !== undefined) throw new UsageError('use -o FILE or --output-dir DIR, not both')
  if (options.namespace !== undefined && !NAMESPACE.test(options.namespace)) {
    throw new UsageError(`--namespace must be a lowercase RFC 1123 label, got ${JSON.stringify(options.namespace)}`)
  }
  const prefixProblem = labelKeyProblem(`${options.labelPrefix}x`)
  if (prefixProblem !== undefined) throw new UsageError(`--usage-plan-label: ${prefixProblem}`)
  return options
}

export const USAGE = `Usage: tollgate <command> [options]

Commands:
  run -f PATH...        Serve the manifests (files or folders of YAML) standalone; edits apply live.
  validate -f PATH...   Check manifests; print every problem (file, resource, field, reason); exit 1 on errors.
  compile -f PATH...    Print the GatewayConfig the manifests compile to, as JSON.
  quickstart            Serve examples/ on port 8080 with the example backend on port 9000 (npm start).
  proxy                 Run a proxy of the fleet: subscribe to the operator's config stream and serve.
  keys import -f FILE   Turn an AWS API key file (CSV) into a Secret and an ApiKey per key (docs/api-keys.md).
  function serve --handler FILE#EXPORT
                        Serve a Lambda handler on the Lambda invoke API, for AWS_PROXY/AWS integrations (docs/functions.md).
  deploy --api A --stage S [-n NS]
                        Snapshot the live Api into an ApiDeployment and point the Stage at it (docs/deployments.md).
  operator              Run the Kubernetes operator: watch the tollgate.dev resources, compile, push to the proxies.
  usage get --plan P [--key K] --from D --to D
                        Usage of a plan's keys per day, [used, remaining] (AWS GetUsage) (docs/usage-plans.md).
  usage update --plan P --key K --remaining N
                        Set the remaining quota of a key for the current period (AWS UpdateUsage).
  cache flush --stage S [--api A]
                        Drop every entry of a stage's response cache (AWS FlushStageCache) (docs/caching.md).
  status [--operator URL | --admin URL] [-o table|json|yaml]
                        APIs, stages (revision, canary, URL), fleet convergence and problems of an operator or
                        of tollgate run (docs/cli.md#status).
  help                  This text.

Options of run, validate, compile, quickstart:
  -f, --file PATH       Manifest file or folder (repeatable).
  -p, --port N          Listen port for run/quickstart (default 8080).
      --host ADDR       Listen address (default 127.0.0.1).
      --domain NAME     Execute-api domain: APIs answer at {apiId}.execute-api.NAME (default localhost).
      --region R        Region in method ARNs that authorizers and policies see (default us-east-1).
      --account-id N    12-digit account in method ARNs (default 000000000000).
      --function-endpoint URL  Lambda invoke API (e.g. LocalStack's http://localhost:4566) that function integrations
                        written with a Lambda ARN uri are invoked at (docs/functions.md).
  -n, --namespace NS    Namespace of resources that name none (default default).
      --backend-port N  Port of the quickstart example backend (default 9000).

Options of run (metering, docs/usage-plans.md):
      --redis-url URL             Redis for throttle buckets and quotas shared by several processes (env REDIS_URL);
                                  without it they live in this process. Several host:port, or --redis-cluster: a Redis Cluster.
      --account-rate-limit N      Account-wide default throttle, requests per second (default 10000).
      --account-burst-limit N     Account-wide default burst (default 5000).
      --admin-port N              Admin listener on --host: /healthz, /readyz, /metrics, the usage API, /status (default 9090; 0 picks one).
      --admin-token-file PATH     Require this bearer token on the usage API.
      --trusted-proxies CIDRS     Peers whose X-Forwarded-For gives the caller's source IP (aws:SourceIp,
                                  $context.identity.sourceIp), e.g. 10.0.0.0/8,fd00::/8 (default: none, the peer is the source).

Options of run and proxy (tracing of stages with tracingEnabled, docs/tracing.md):
      --otlp-endpoint URL         OTLP/HTTP collector; spans go to URL/v1/traces (env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
                                  OTEL_EXPORTER_OTLP_ENDPOINT). None: traced stages propagate trace context, export nothing.
      --trace-sample-ratio R      Share of new traces recorded, 0 to 1 (default 1; env OTEL_TRACES_SAMPLER[_ARG]).
                                  A caller's sampled flag is always followed.
      --trace-service-name NAME   service.name (env OTEL_SERVICE_NAME; default tollgate-proxy, or tollgate for run).

Options of keys import (YAML on stdout by default: tollgate keys import -f keys.csv | kubectl apply -f -):
  -f, --file FILE                 AWS API key file: header row, Name and Key columns ('-' reads stdin).
  -n, --namespace NS              Namespace to put on the objects (default: none, kubectl decides).
  -o, --output FILE               Write the YAML to FILE (mode 0600) instead of stdout.
      --output-dir DIR            Write one file per key, DIR/<name>.yaml (mode 0600).
      --usage-plan-label PREFIX   Label key prefix per AWS usage plan id (default tollgate.dev/usage-plan-).
      --skip-invalid              Write the good rows when some are bad (default: write nothing, exit 1).

Options of function serve (docs/functions.md):
      --handler FILE#EXPORT       The handler module and its export (default export name: handler), e.g. app.js#handler.
  -p, --port N                    Listen port (default 8080, as the Lambda runtime interface emulator); --host ADDR (default 0.0.0.0).
      --function-name NAME        Answer only invocations of this function name (default: any, as the emulator).
      --timeout SECONDS           Per-invocation timeout; past it, Lambda's "Task timed out" error (default 30).

Options of usage get / usage update (they call the admin listener of tollgate run or of a proxy):
      --plan P / --key K          Usage plan and API key: namespace/name, or a name in -n NS (default default).
      --from D --to D             Days, YYYY-MM-DD (UTC), at most 90.
      --remaining N               update: the remaining quota of the current period.
      --admin-url URL             Default http://127.0.0.1:9090 (env TOLLGATE_ADMIN_URL).
      --admin-token-file PATH     Bearer token, when the admin listener requires one.

Options of status (it calls /status on the operator's metrics port or on run's admin port; no token):
      --operator URL              The operator's metrics port, e.g. http://localhost:9090 after
                                  kubectl port-forward deploy/tollgate-operator 9090.
      --admin URL                 The admin listener of tollgate run (also --admin-url; env TOLLGATE_ADMIN_URL;
                                  default http://127.0.0.1:9090).
  -o, --output FORMAT             table (default), json or yaml (the /status document).

Options of proxy (see docs/operations.md):
      --operator-url URL          Config stream, e.g. ws://tollgate-operator:8081/v1/config (env TOLLGATE_OPERATOR_URL).
      --stream-token-file PATH    Bearer token for the stream (default /var/run/tollgate/stream-token).
      --proxy-id ID               Name reported to the operator (env POD_NAME, else the host name).
  -p, --port N                    Public listener (default 8080); --host ADDR (default 0.0.0.0).
      --private-port N            In-cluster listener for PRIVATE APIs (default 8082).
      --admin-port N              /healthz and /readyz (default 9090).
      --config-cache PATH         Last-known-good config file (default /var/lib/tollgate/last-known-good.json).
      --redis-url URL             Redis for shared state (env REDIS_URL); --redis-cluster for a Redis Cluster.
      --admin-token-file PATH     Serve the usage API on the admin port, requiring this bearer token.
      --shutdown-grace-seconds N  After SIGTERM: not ready, still serving, for N s (default 5).
      --drain-timeout-seconds N   Then: stop accepting and let requests finish for up to N s (default 25).
      --trusted-proxies CIDRS     Peers (load balancers, ingress) whose X-Forwarded-For gives the caller's source IP
                                  (docs/authorization/resource-policies.md); default: none, the peer is the source.

Options of deploy (KUBECONFIG, else ~/.kube/config, else in-cluster):
      --api NAME                  The Api to deploy (its current spec).
      --stage NAME                The stage: its stage name (spec.stageName) or the Stage's metadata.name.
  -n, --namespace NS              Namespace of the Api and Stage (default default).
      --description TEXT          spec.description of the ApiDeployment.
      --dry-run -o yaml           Print the ApiDeployment (for GitOps) and change nothing.

Options of operator (see docs/operations.md; flags as --name=value):
      --stream-port N             Config stream for the proxies, WebSocket /v1/config (default 8081).
      --metrics-port N            /healthz, /readyz, /metrics and /status (default 9090).
      --stream-token-file PATH    Token the proxies must present (default /var/run/tollgate/stream-token).
      --leader-elect true|false   Lease-based leader election; only the leader writes status (default true).
      --lease-name NAME           coordination.k8s.io/v1 Lease name (default tollgate-operator).
      --lease-namespace NS        Lease namespace (env POD_NAMESPACE, else default).
      --namespaces A,B            Namespaces to watch (default: all).
      --domain NAME               Execute-api domain (default localhost).
      --region R / --account-id N Region and account in method ARNs (default us-east-1 / 000000000000).
      --function-endpoint URL     Lambda invoke API where Lambda ARN uris of function integrations are invoked.
      --endpoint-scheme http|https, --endpoint-port N   Endpoint URLs written to status (default http, 8080).
      --hold-off-ms N             Coalesce changes for N ms before compiling (default 100).
      --pod-namespace-index true|false  Watch Pods cluster-wide and send the proxies their address → namespace
                                  index, for tollgate:SourceNamespace in resource policies (default false).
      --deployment-history N      Unserved ApiDeployments kept per Api; older ones are deleted (default 10).
                                  One a Stage serves (revision or canary) is never deleted.
      --host ADDR                 Listen address (default 0.0.0.0).
  Env: KUBECONFIG (else in-cluster), POD_NAME (Lease holder identity), POD_NAMESPACE.
`
