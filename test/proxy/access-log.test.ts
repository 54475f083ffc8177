// Access logs through HTTP: API Gateway's four example formats (CLF, JSON, XML, CSV, as its
// console offers them) render one line per request with the $context values of that request;
// requests answered before a route (unknown route) are logged with the stage's format; values
// are escaped so they cannot break a line or the JSON around them; variables without a value
// (and unknown ones) are `-`.
import t from 'tap'
import { api, gatewayConfig, integration, route, stage, startUpstream, type Upstream } from './helpers.js'
import { startLoggedGateway, type LoggedGateway } from './request-logs-helpers.js'
import type { StageConfig } from '../../proxy/config/schema.js'
import { configHash } from '../../proxy/config/hash.js'

// API Gateway's examples (Access logging for REST APIs), exactly as its console gives them.
const CLF =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId $context.extendedRequestId'
const JSON_FORMAT =
  '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId","ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }'
const XML =
  '<request id="$context.requestId"> <extendedRequestId>$context.extendedRequestId</extendedRequestId> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>'
const CSV =
  '$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId,$context.extendedRequestId'
const DETAIL =
  '{"requestId":"$context.requestId","api":"$context.apiId","stage":"$context.stage","routeKey":"$context.routeKey","path":"$context.path","ua":"$context.identity.userAgent","status":$context.status,"responseLatency":$context.responseLatency,"integrationLatency":"$context.integrationLatency","integrationStatus":"$context.integrationStatus","errorType":"$context.error.responseType","errorMessage":"$context.error.message","integrationError":"$context.integrationErrorMessage","nick":"$context.identity.nickname","epoch":$context.requestTimeEpoch,"trace":"$context.xrayTraceId"}\n'

// $context.error.messageString is a JSON string literal: it stands unquoted (AWS's default gateway response template does so).
const MESSAGE = '{"id":"$context.requestId","message":$context.error.messageString,"quoted":"$context.error.messageString"}'

const REQUEST_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/
const BODY = '{"pet":"Rex"}'

function logged(name: string, format: string): StageConfig {
  return { ...stage(name), logging: { accessLogFormat: format, routes: {} } }
}

let backend: Upstream
let gw: LoggedGateway

t.before(async () => {
  backend = await startUpstream((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('late'), 400)
    else res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) }).end(BODY)
  })
  const routes = [
    route('GET /pets/{petId}', integration({ uri: `${backend.origin}/pets/{petId}` })),
    route('GET /slow', integration({ uri: `${backend.origin}/slow`, timeoutMs: 100 })),
  ]
  gw = await startLoggedGateway(
    gatewayConfig([
      api('logs', routes, {
        stages: [logged('clf', CLF), logged('json', JSON_FORMAT), logged('xml', XML), logged('csv', CSV), logged('detail', DETAIL), logged('msg', MESSAGE), stage('quiet')],
      }),
    ]),
  )
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

interface Sent {
  readonly line: string
  readonly requestId: string
  readonly extendedRequestId: string
  readonly status: number
}

async function send(path: string, headers: Record<string, string> = {}): Promise<Sent> {
  const from = gw.lines.length
  const reply = await gw.fetch('logs', path, { headers })
  const lines = await gw.linesAfter(from)
  t.equal(lines.length, 1, `${path}: one line`)
  return { line: lines[0]!, requestId: String(reply.headers['x-amzn-requestid']), extendedRequestId: String(reply.headers['x-amz-apigw-id']), status: reply.status }
}

t.test('CLF', async (t) => {
  const { line, requestId, extendedRequestId } = await send('/clf/pets/42')
  const m = /^127\.0\.0\.1 - - \[([^\]]+)\]"GET \/pets\/\{petId\} HTTP\/1\.1" 200 (\d+) (\S+) (\S+)$/.exec(line)
  t.ok(m, line)
  t.match(m![1], REQUEST_TIME)
  t.equal(Number(m![2]), Buffer.byteLength(BODY))
  t.equal(m![3], requestId)
  t.equal(m![4], extendedRequestId)
})

t.test('JSON', async (t) => {
  const { line, requestId, extendedRequestId } = await send('/json/pets/42')
  const entry = JSON.parse(line) as Record<string, string>
  t.match(entry.requestTime, REQUEST_TIME)
  t.same(entry, {
    requestId,
    extendedRequestId,
    ip: '127.0.0.1',
    caller: '-',
    user: '-',
    requestTime: entry.requestTime,
    httpMethod: 'GET',
    resourcePath: '/pets/{petId}',
    status: '200',
    protocol: 'HTTP/1.1',
    responseLength: String(Buffer.byteLength(BODY)),
  })
})

t.test('XML', async (t) => {
  const { line, requestId, extendedRequestId } = await send('/xml/pets/42')
  const time = /<requestTime>([^<]+)<\/requestTime>/.exec(line)?.[1] ?? ''
  t.match(time, REQUEST_TIME)
  t.equal(
    line,
    `<request id="${requestId}"> <extendedRequestId>${extendedRequestId}</extendedRequestId> <ip>127.0.0.1</ip> <caller>-</caller> <user>-</user> ` +
      `<requestTime>${time}</requestTime> <httpMethod>GET</httpMethod> <resourcePath>/pets/{petId}</resourcePath> <status>200</status> ` +
      `<protocol>HTTP/1.1</protocol> <responseLength>${Buffer.byteLength(BODY)}</responseLength> </request>`,
  )
})

t.test('CSV', async (t) => {
  const { line, requestId, extendedRequestId } = await send('/csv/pets/42')
  const fields = line.split(',')
  t.equal(fields.length, 11, line)
  t.match(fields[3], REQUEST_TIME)
  t.same(fields, ['127.0.0.1', '-', '-', fields[3], 'GET', '/pets/{petId}', 'HTTP/1.1', '200', String(Buffer.byteLength(BODY)), requestId, extendedRequestId])
})

t.test('a request with no route is logged with its stage format', async (t) => {
  const { line, status } = await send('/detail/nowhere')
  t.equal(status, 403)
  const entry = JSON.parse(line) as Record<string, unknown>
  t.equal(entry.routeKey, '-')
  t.equal(entry.path, '/detail/nowhere')
  t.equal(entry.status, 403)
  t.equal(entry.errorType, 'MISSING_AUTHENTICATION_TOKEN')
  t.equal(entry.errorMessage, 'Missing Authentication Token')
  t.equal(entry.integrationLatency, '-')
})

t.test('$context.error.messageString unquoted is a JSON string; quoted, an escaped one', async (t) => {
  const { line, requestId } = await send('/msg/nowhere')
  t.same(JSON.parse(line), { id: requestId, message: 'Missing Authentication Token', quoted: '"Missing Authentication Token"' })
})

t.test('values are escaped for the format; unknown variables are -', async (t) => {
  const before = Date.now()
  const { line, requestId } = await send('/detail/pets/7', { 'user-agent': 'evil" ,"status":1, \\x' })
  const entry = JSON.parse(line) as Record<string, unknown>
  t.equal(entry.requestId, requestId)
  t.equal(entry.ua, 'evil" ,"status":1, \\x', 'the quote cannot close the JSON string')
  t.equal(entry.status, 200)
  t.equal(entry.api, 'logs')
  t.equal(entry.stage, 'detail')
  t.equal(entry.routeKey, 'GET /pets/{petId}')
  t.equal(entry.path, '/detail/pets/7')
  t.equal(entry.nick, '-')
  t.equal(entry.errorType, '-')
  t.equal(entry.integrationStatus, '200')
  t.match(entry.trace, /^Root=1-/)
  t.ok(Math.abs((entry.epoch as number) - before) < 5000, 'requestTimeEpoch is the arrival in ms')
  t.ok(Number(entry.integrationLatency) <= (entry.responseLatency as number), 'integration latency within the response latency')

  const clf = await send('/clf/pets/7', { 'user-agent': 'x' })
  t.notMatch(clf.line, /\n/)
})

t.test('an integration timeout: error variables, integration latency', async (t) => {
  const { line, status } = await send('/detail/slow')
  t.equal(status, 504)
  const entry = JSON.parse(line) as Record<string, unknown>
  t.equal(entry.errorType, 'INTEGRATION_TIMEOUT')
  t.equal(entry.errorMessage, 'Endpoint request timed out')
  t.equal(entry.integrationError, 'endpoint request timed out')
  t.ok(Number(entry.integrationLatency) >= 90, `integration latency ${String(entry.integrationLatency)} ms, about the 100 ms timeout`)
})

t.test('a new config brings its new format; in-flight formats are per config', async (t) => {
  const config = gw.gateway.config!
  const next = structuredClone(config)
  next.apis[0]!.stages.find((s) => s.name === 'csv')!.logging = { accessLogFormat: 'v2 $context.requestId $context.status', routes: {} }
  const { hash: _old, ...body } = next
  gw.gateway.apply({ ...body, hash: configHash(body) })
  const { line, requestId } = await send('/csv/pets/3')
  t.equal(line, `v2 ${requestId} 200`)
  gw.gateway.apply(config)
  const back = await send('/csv/pets/3')
  t.match(back.line, /^127\.0\.0\.1,/)
})

t.test('a stage without a format writes nothing', async (t) => {
  const from = gw.lines.length
  await gw.fetch('logs', '/quiet/pets/1')
  await gw.fetch('logs', '/csv/pets/1')
  const lines = await gw.linesAfter(from)
  t.equal(lines.length, 1)
  t.match(lines[0], /^127\.0\.0\.1,/)
})
