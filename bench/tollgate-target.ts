// Tollgate under benchmark: one REST API with an HTTP_PROXY route to the upstream, compiled by
// the real compiler and served by the real gateway. With --metrics, the request metrics observe
// every request as in `tollgate proxy` and `tollgate run` (the `metrics` target).
import { compile } from '../operator/compile/index.js'
import { createGateway } from '../proxy/gateway.js'
import { ProxyMetrics } from '../proxy/telemetry/metrics-endpoint.js'
import { numberArg, reportPort } from './child.js'

const upstream = numberArg('upstream')
const resources = [
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Api',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      apiId: 'bench',
      routes: [
        {
          path: '/pets/{petId}',
          method: 'GET',
          integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${upstream}/pets/{petId}` },
        },
      ],
    },
  },
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Stage',
    metadata: { name: 'bench-prod', namespace: 'default' },
    spec: { apiRef: { name: 'bench' }, stageName: 'prod' },
  },
]
const { config } = compile(resources, { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } })
const metrics = process.argv.includes('--metrics') ? new ProxyMetrics() : null
const gateway = createGateway(metrics === null ? {} : { observers: [metrics.requests] })
metrics?.attach({ gateway })
gateway.apply(config)
await gateway.listen(0, '127.0.0.1')
reportPort(gateway.server)
