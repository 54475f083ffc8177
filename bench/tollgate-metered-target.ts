// Tollgate under the metering benchmark: the same HTTP_PROXY route twice, on Api `bench` as a
// pass-through and on Api `benchkey` with an API key, a usage plan throttle and a quota, metered
// on Redis (ResilientMeter over RedisMeter, as `tollgate run --redis-url` does). Limits (and the
// account throttle) are far above the offered load, so every request is admitted (the requests
// of one event-loop turn share one Redis script call). Exits on 'stop' (a --cpu-prof profile is
// written then).
import { compile } from '../operator/compile/index.js'
import { createGateway } from '../proxy/gateway.js'
import { createMeter } from '../proxy/metering/create-meter.js'
import { numberArg, reportPort } from './child.js'

export const BENCH_API_KEY = 'BenchKey0123456789abcdefXYZ'
const upstream = numberArg('upstream')
// --no-batch: one script call per decision (RedisMeter maxBatch 1).
// --memory: the process's own MemoryMeter (standalone mode without Redis) instead of --redis=PORT.
const memory = process.argv.includes('--memory')
const redisPort = memory ? 0 : numberArg('redis')
const route = (apiKeyRequired: boolean) => ({
  path: '/pets/{petId}',
  method: 'GET',
  apiKeyRequired,
  integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${upstream}/pets/{petId}` },
})
const resources = [
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'bench' }, spec: { apiId: 'bench', routes: [route(false)] } },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'bench-prod' }, spec: { apiRef: { name: 'bench' }, stageName: 'prod' } },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'benchkey' }, spec: { apiId: 'benchkey', routes: [route(true)] } },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'benchkey-prod' }, spec: { apiRef: { name: 'benchkey' }, stageName: 'prod' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bench-key' }, stringData: { value: BENCH_API_KEY } },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'bench' }, spec: { valueFrom: { secretKeyRef: { name: 'bench-key', key: 'value' } } } },
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'UsagePlan',
    metadata: { name: 'bench' },
    spec: {
      apiStages: [{ apiRef: { name: 'benchkey' }, stage: 'prod' }],
      throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
      quota: { limit: 1_000_000_000, period: 'MONTH' },
      apiKeys: [{ name: 'bench' }],
    },
  },
]
// The account-wide default (10,000 rps) would throttle the benchmark itself: raise it.
const accountThrottle = { rateLimit: 10_000_000, burstLimit: 10_000_000 }
const { config, statuses } = compile(resources, { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' }, accountThrottle })
const errors = statuses.flatMap((s) => s.problems.filter((p) => p.severity === 'error'))
if (errors.length > 0) throw new Error(`bench manifests: ${JSON.stringify(errors)}`)
// --max-batch=N: at most N decisions per script call (default RedisMeter's).
const maxBatchArg = process.argv.find((a) => a.startsWith('--max-batch='))
const maxBatch = process.argv.includes('--no-batch') ? 1 : maxBatchArg !== undefined ? Number(maxBatchArg.slice(12)) : undefined
const noBatch = maxBatch === 1
// Log lines name the target: a target that loses Redis for a while (a shared machine can stall
// redis-server past the 100 ms bound) decides in memory meanwhile, which skews its figures.
const name = memory ? 'memory' : noBatch ? 'Redis, one call per decision' : 'Redis'
// --slow: Redis calls bounded at 10 s instead of 100-250 ms (under valgrind, bench/instructions.ts).
const slow = process.argv.includes('--slow') ? { redisTimeoutMs: 10_000 } : {}
const metering = createMeter({ redisUrl: memory ? '' : `redis://127.0.0.1:${redisPort}`, ...(maxBatch !== undefined ? { redisMaxBatch: maxBatch } : {}), ...slow, log: (line) => process.stderr.write(`[${name}] ${line}\n`) })
await metering.ready()
const gateway = createGateway({ meter: metering.meter })
gateway.apply(config)
await gateway.listen(0, '127.0.0.1')
reportPort(gateway.server)
