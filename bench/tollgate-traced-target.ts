// Tollgate under benchmark with tracing: the same REST API, route and HTTP_PROXY integration as
// tollgate-target.ts, served by a gateway with OpenTelemetry tracing configured
// (proxy/telemetry/tracing.ts), exporting over OTLP/HTTP JSON with the default batch settings
// to the bench's sink (otlp-sink.ts, --sink=PORT).
//   --trace=on   the stage sets tracingEnabled: every request is traced (sample ratio 1, the
//                worst case): a SERVER and a CLIENT span, traceparent to the upstream.
//   --trace=sampled  the same with a sample ratio of 0.1: one request in ten recorded and
//                exported, the others carry an unsampled traceparent (non-recording spans).
//   --trace=off  tracing configured, the stage does not set it: what an untraced stage costs
//                on a proxy that traces others (the observer's check per request).
import { createGateway } from '../proxy/gateway.js'
import { createTracing } from '../proxy/telemetry/tracing.js'
import { benchApi } from './bench-api.js'
import { numberArg, reportPort } from './child.js'

const upstream = numberArg('upstream')
const sink = numberArg('sink')
const mode = process.argv.find((a) => a.startsWith('--trace='))?.slice('--trace='.length) ?? 'on'
const on = mode === 'on' || mode === 'sampled'
const config = benchApi(upstream, on ? { stage: { tracingEnabled: true } } : {})
const tracing = createTracing({ endpoint: `http://127.0.0.1:${sink}/v1/traces`, serviceName: 'tollgate-bench', sampleRatio: mode === 'sampled' ? 0.1 : 1 })
const gateway = createGateway({ tracing })
gateway.apply(config)
await gateway.listen(0, '127.0.0.1')
reportPort(gateway.server)
