// Tollgate under benchmark with a cached route: the same REST API, path and HTTP_PROXY
// integration as tollgate-target.ts, on a stage with the cache on (memory store). After the
// first request every request is a hit: what is measured is the hit path (key digest, store
// lookup, decode, write) against the pass-through of the tollgate target.
import { createGateway } from '../proxy/gateway.js'
import { benchApi } from './bench-api.js'
import { numberArg, reportPort } from './child.js'

const upstream = numberArg('upstream')
const config = benchApi(upstream, { integration: { cacheKeyParameters: ['method.request.path.petId'] }, stage: { cache: { enabled: true, ttlSeconds: 3600 } } })
const gateway = createGateway()
gateway.apply(config)
await gateway.listen(0, '127.0.0.1')
reportPort(gateway.server)
