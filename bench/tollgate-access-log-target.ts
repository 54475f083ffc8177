// Tollgate under benchmark with request logs: the REST API, path and HTTP_PROXY integration of
// tollgate-target.ts, with the request log observers main registers, written through pino's
// asynchronous destination (to /dev/null, so the figures are the gateway's cost, not a
// terminal's). --logging=off: the observers, no stage logging (what every process pays);
// access: API Gateway's JSON example format; info: that and execution logging at INFO.
import { pino } from 'pino'
import { createGateway, type Gateway } from '../proxy/gateway.js'
import { createRequestLogs, requestLogObservers } from '../proxy/telemetry/request-logs.js'
import { benchApi } from './bench-api.js'
import { numberArg, reportPort } from './child.js'

const JSON_FORMAT =
  '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId","ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }'

const upstream = numberArg('upstream')
const logging = process.argv.find((a) => a.startsWith('--logging='))?.slice('--logging='.length) ?? 'access'
const stageSpec: Record<string, unknown> = {}
if (logging !== 'off') stageSpec.accessLogSettings = { format: JSON_FORMAT }
if (logging === 'info') stageSpec.methodSettings = { '*/*': { loggingLevel: 'INFO' } }
const config = benchApi(upstream, { stage: stageSpec })
const logs = createRequestLogs(pino.destination({ dest: '/dev/null', sync: false }))
const gateway: Gateway = createGateway({ observers: requestLogObservers(logs, () => gateway.config) })
gateway.apply(config)
await gateway.listen(0, '127.0.0.1')
reportPort(gateway.server)
