// Tollgate under benchmark with a cached route: the same REST API, path and HTTP_PROXY
// integration as tollgate-target.ts, on a stage with the cache on (memory store). After the
// first request every request is a hit: what is measured is the hit path (key digest, store
// lookup, decode, write) against the pass-through of the tollgate target.
import { compile } from '../operator/compile/index.js'
import { createGateway } from '../proxy/gateway.js'
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
          integration: {
            type: 'HTTP_PROXY',
            httpMethod: 'GET',
            uri: `http://127.0.0.1:${upstream}/pets/{petId}`,
            cacheKeyParameters: ['method.request.path.petId'],
          },
        },
      ],
    },
  },
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Stage',
    metadata: { name: 'bench-prod', namespace: 'default' },
    spec: { apiRef: { name: 'bench' }, stageName: 'prod', cache: { enabled: true, ttlSeconds: 3600 } },
  },
]
const { config, statuses } = compile(resources, { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } })
const errors = statuses.flatMap((s) => s.problems.filter((p) => p.severity === 'error'))
if (errors.length > 0) throw new Error(`bench manifests: ${JSON.stringify(errors)}`)
const gateway = createGateway()
gateway.apply(config)
await gateway.listen(0, '127.0.0.1')
reportPort(gateway.server)
