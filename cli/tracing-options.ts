// The exporter settings of tracing (proxy/telemetry/tracing.ts), read once in main for
// `tollgate proxy` and `tollgate run`: flags first, then OpenTelemetry's standard environment
// variables, so a proxy set up the way every OpenTelemetry SDK is (OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER[_ARG]) exports where the others do.
//
//   --otlp-endpoint URL        OTLP/HTTP endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT: spans are
//                              POSTed to URL/v1/traces (a URL already ending in /v1/traces is
//                              taken as it is). Env: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as it
//                              is), else OTEL_EXPORTER_OTLP_ENDPOINT; OTEL_TRACES_EXPORTER=none
//                              or OTEL_SDK_DISABLED=true turn the environment's export off.
//   --trace-sample-ratio R     Share of new traces recorded, 0 to 1 (a caller's sampled flag is
//                              always followed). Env: OTEL_TRACES_SAMPLER (always_on,
//                              always_off, traceidratio and their parentbased_ forms) with
//                              OTEL_TRACES_SAMPLER_ARG. Default 1.
//   --trace-service-name NAME  service.name. Env: OTEL_SERVICE_NAME. Default tollgate-proxy
//                              (proxy) or tollgate (run).
import { UsageError } from './options.js'

export interface TracingSettings {
  /** OTLP/HTTP traces URL; '' exports nothing. */
  readonly endpoint: string
  readonly serviceName: string
  readonly sampleRatio: number
}

export interface TracingFlags {
  'otlp-endpoint'?: string | undefined
  'trace-sample-ratio'?: string | undefined
  'trace-service-name'?: string | undefined
}

const TRACES_PATH = '/v1/traces'

function url(value: string, what: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(value) || !URL.canParse(value)) throw new UsageError(`${what} must be an http(s) URL such as http://otel-collector:4318, got ${JSON.stringify(value)}`)
  return value
}

/** A base endpoint's traces URL: URL/v1/traces (unless it already ends so). */
function tracesUrl(base: string, what: string): string {
  const trimmed = url(base, what).replace(/\/+$/, '')
  return trimmed.endsWith(TRACES_PATH) ? trimmed : `${trimmed}${TRACES_PATH}`
}

function endpointOf(flag: string | undefined, env: Record<string, string | undefined>): string {
  if (flag !== undefined) return flag === '' ? '' : tracesUrl(flag, '--otlp-endpoint')
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return ''
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  if (traces !== undefined && traces !== '') return url(traces, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT
  if (base !== undefined && base !== '') return tracesUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT')
  return ''
}

function ratio(value: string, what: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${what} must be a number from 0 to 1, got ${JSON.stringify(value)}`)
  return n
}

function sampleRatioOf(flag: string | undefined, env: Record<string, string | undefined>): number {
  if (flag !== undefined) return ratio(flag, '--trace-sample-ratio')
  const sampler = env.OTEL_TRACES_SAMPLER
  if (sampler === undefined || sampler === '') return 1
  switch (sampler) {
    case 'always_on':
    case 'parentbased_always_on':
      return 1
    case 'always_off':
    case 'parentbased_always_off':
      return 0
    case 'traceidratio':
    case 'parentbased_traceidratio': {
      const arg = env.OTEL_TRACES_SAMPLER_ARG
      return arg === undefined || arg === '' ? 1 : ratio(arg, 'OTEL_TRACES_SAMPLER_ARG')
    }
    default:
      throw new UsageError(`OTEL_TRACES_SAMPLER ${JSON.stringify(sampler)} is not supported (always_on, always_off, traceidratio and their parentbased_ forms; a caller's sampled flag is always followed)`)
  }
}

export function tracingSettings(flags: TracingFlags, env: Record<string, string | undefined>, defaultServiceName: string): TracingSettings {
  const name = flags['trace-service-name'] ?? env.OTEL_SERVICE_NAME
  return {
    endpoint: endpointOf(flags['otlp-endpoint'], env),
    serviceName: name === undefined || name === '' ? defaultServiceName : name,
    sampleRatio: sampleRatioOf(flags['trace-sample-ratio'], env),
  }
}
