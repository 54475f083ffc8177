// Tollgate under benchmark: one REST API with an HTTP_PROXY route to the upstream, compiled by
// the real compiler and served by the real gateway. With --metrics, the request metrics observe
// every request as in `tollgate proxy` and `tollgate run` (the `metrics` target).
import { createGateway } from '../proxy/gateway.js'
import { ProxyMetrics } from '../proxy/telemetry/metrics-endpoint.js'
import { benchApi } from './bench-api.js'
import { numberArg, reportPort } from './child.js'

const upstream = numberArg('upstream')
const config = benchApi(upstream)
const metrics = process.argv.includes('--metrics') ? new ProxyMetrics() : null
const gateway = createGateway(metrics === null ? {} : { observers: [metrics.requests] })
metrics?.attach({ gateway })
gateway.apply(config)
await gateway.listen(0, '127.0.0.1')
reportPort(gateway.server)
