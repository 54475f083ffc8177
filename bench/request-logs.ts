// npm run bench:request-logs — the CPU cost per request of the request log observers, measured
// in process: a real gateway serves one request per stage (each stage logs differently) to
// capture real RequestEnds, then each observer is run on its stage's RequestEnd in batches,
// writing through pino's asynchronous destination to /dev/null, with the event loop turning
// between batches so the buffered writes are flushed (and counted). CPU time (user + system) is
// what is reported, so other processes on a shared machine change it little.
//
//   npm run bench:request-logs -- --requests 200000 [--no-write]
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { request } from 'undici'
import { compile } from '../operator/compile/index.js'
import { createGateway, type Gateway } from '../proxy/gateway.js'
import { ACCESS_LOG_VARIABLES } from '../proxy/telemetry/access-log-format.js'
import type { RequestEnd } from '../proxy/telemetry/observer.js'
import { createRequestLogs, requestLogObservers } from '../proxy/telemetry/request-logs.js'

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' }, 'no-write': { type: 'boolean', default: false } } })
const total = Number(values.requests)

const CLF =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId $context.extendedRequestId'
const JSON_FORMAT =
  '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId","ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }'
const EVERY = `{${ACCESS_LOG_VARIABLES.map((name) => `"${name}":"$context.${name}"`).join(',')}}`

/** Stage name → what it logs. */
const STAGES: Record<string, Record<string, unknown>> = {
  off: {},
  clf: { accessLogSettings: { format: CLF } },
  json: { accessLogSettings: { format: JSON_FORMAT } },
  every: { accessLogSettings: { format: EVERY } },
  info: { methodSettings: { '*/*': { loggingLevel: 'INFO' } } },
  trace: { methodSettings: { '*/*': { loggingLevel: 'INFO', dataTraceEnabled: true } } },
  error: { methodSettings: { '*/*': { loggingLevel: 'ERROR' } } },
}

const upstream = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 }).end('{"ok":true}'))
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()))
const upstreamPort = (upstream.address() as AddressInfo).port

const resources: Record<string, unknown>[] = [
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Api',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      apiId: 'bench',
      routes: [{ path: '/pets/{petId}', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${upstreamPort}/pets/{petId}` } }],
    },
  },
  ...Object.entries(STAGES).map(([name, spec]) => ({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Stage',
    metadata: { name: `bench-${name}`, namespace: 'default' },
    spec: { apiRef: { name: 'bench' }, stageName: name, ...spec },
  })),
]
const { config, statuses } = compile(resources, { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } })
const errors = statuses.flatMap((s) => s.problems.filter((p) => p.severity === 'error'))
if (errors.length > 0) throw new Error(`bench manifests: ${JSON.stringify(errors)}`)

const ends = new Map<string, RequestEnd>()
const gateway: Gateway = createGateway({ observers: [{ requestEnded: (end) => ends.set(end.ctx.stage?.name ?? '', end) }] })
gateway.apply(config)
const { port } = await gateway.listen(0, '127.0.0.1')
for (const stage of Object.keys(STAGES)) {
  const r = await request(`http://127.0.0.1:${port}/${stage}/pets/1`, { headers: { host: `bench.execute-api.localhost:${port}`, 'user-agent': 'bench/1.0' } })
  await r.body.dump()
}
for (let i = 0; i < 100 && ends.size < Object.keys(STAGES).length; i++) await new Promise((r) => setTimeout(r, 5))

// --no-write: a destination that drops what it is given (rendering alone, without sonic-boom).
const logs = createRequestLogs(values['no-write'] ? { write: () => undefined } : pino.destination({ dest: '/dev/null', sync: false }))
const observers = requestLogObservers(logs, () => gateway.config)
const BATCH = 1000

async function measure(stage: string): Promise<number> {
  const end = ends.get(stage)!
  const run = async (n: number): Promise<void> => {
    for (let done = 0; done < n; done += BATCH) {
      for (let i = 0; i < BATCH; i++) for (const o of observers) o.requestEnded(end)
      await new Promise((r) => setImmediate(r))
    }
  }
  await run(Math.min(total, 20_000)) // warm-up: compiled formats, JIT
  const before = process.cpuUsage()
  await run(total)
  await new Promise((r) => setTimeout(r, 50)) // the last writes
  const used = process.cpuUsage(before)
  return (used.user + used.system) / total
}

console.log(`request log observers, ${total} requests per case, CPU µs per request (user + system, ${values['no-write'] ? 'lines rendered, not written' : 'writes to /dev/null included'})`)
for (const stage of Object.keys(STAGES)) {
  const us = await measure(stage)
  console.log(`  ${stage.padEnd(6)} ${us.toFixed(2).padStart(7)} µs   ${describe(stage)}`)
}
logs.flush()
await gateway.close()
upstream.close()

function describe(stage: string): string {
  switch (stage) {
    case 'off':
      return 'no logging on the stage (what every request pays)'
    case 'clf':
      return "access log, API Gateway's CLF example"
    case 'json':
      return "access log, API Gateway's JSON example"
    case 'every':
      return `access log naming all ${ACCESS_LOG_VARIABLES.length} variables`
    case 'info':
      return 'execution log INFO (one record per request)'
    case 'trace':
      return 'execution log INFO with data trace'
    default:
      return 'execution log ERROR, request succeeded (nothing written)'
  }
}
