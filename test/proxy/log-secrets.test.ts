// No secret in the logs: authenticated traffic (an API key, a Lambda TOKEN authorizer's token in
// a header named nothing like a credential, a REQUEST authorizer's ticket in the query string, a
// Cognito user pool JWT, a cookie) against a stage served from manifests the way `tollgate run`
// serves them, with execution logging at INFO, the data trace on and an access log format naming
// every $context variable. Every line written — access log, execution log, the process log — is
// searched for each secret value; none may appear. What is logged in their place is checked too.
import t from 'tap'
import { request } from 'undici'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { createRequestLogs } from '../../proxy/telemetry/request-logs.js'
import { ACCESS_LOG_VARIABLES } from '../../proxy/telemetry/access-log-format.js'
import { startIssuer, type Issuer } from '../helpers/issuer.js'
import { manifestDir } from '../helpers/servers.js'
import { policy, startFunction, type AuthorizerFunction } from '../auth/lambda/functions.js'
import { startUpstream, type Upstream } from './helpers.js'

const API_KEY = 'SecretApiKey0123456789abcdWXYZ'
const LAMBDA_TOKEN = 'lambda-token-7f3a9c1e5b2d4f6a8c0e'
const TICKET = 'ticket-5d1c9b7a3e2f4a6c8e0b'
const COOKIE = 'cookie-value-0c9e8d7b6a5f4e3d2c1b'
const ARN = 'arn:aws:execute-api:us-east-1:000000000000:vault/prod'

// Every variable access logs know, plus the families, as one JSON object.
const FORMAT = `{${[...ACCESS_LOG_VARIABLES, 'authorizer.claims.sub', 'authorizer.claims.email', 'authorizer.tenant', 'requestOverride.header.x']
  .map((name) => `"${name}":"$context.${name}"`)
  .join(',')}}`

function manifests(fn: AuthorizerFunction, issuer: Issuer, backend: Upstream): string {
  const proxy = (path: string) => `{type: HTTP_PROXY, httpMethod: GET, uri: "${backend.origin}${path}"}`
  return `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: vault}
spec:
  apiId: vault
  routes:
    - {path: /keyed, method: GET, apiKeyRequired: true, integration: ${proxy('/keyed')}}
    - {path: /token, method: GET, authorizationType: CUSTOM, authorizerRef: {name: token-auth}, integration: ${proxy('/token')}}
    - {path: /ticket, method: GET, authorizationType: CUSTOM, authorizerRef: {name: ticket-auth}, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
    - {path: /jwt, method: GET, authorizationType: COGNITO_USER_POOLS, authorizerRef: {name: pool}, integration: ${proxy('/jwt')}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec:
  apiRef: {name: vault}
  accessLogSettings:
    format: '${FORMAT}'
  methodSettings:
    "*/*": {loggingLevel: INFO, dataTraceEnabled: true}
---
apiVersion: tollgate.dev/v1alpha1
kind: Authorizer
metadata: {name: token-auth}
spec:
  type: TOKEN
  functionUri: ${fn.invokeUri('token')}
  identitySource: method.request.header.X-Pet-Pass
  resultTtlInSeconds: 0
---
apiVersion: tollgate.dev/v1alpha1
kind: Authorizer
metadata: {name: ticket-auth}
spec:
  type: REQUEST
  functionUri: ${fn.invokeUri('ticket')}
  identitySource: method.request.querystring.ticket
  resultTtlInSeconds: 0
---
apiVersion: tollgate.dev/v1alpha1
kind: Authorizer
metadata: {name: pool}
spec:
  type: COGNITO_USER_POOLS
  issuer: ${issuer.url}
  jwksUri: ${issuer.jwksUri}
---
apiVersion: v1
kind: Secret
metadata: {name: keys}
stringData: {vault: ${API_KEY}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: vault-key}
spec: {valueFrom: {secretKeyRef: {name: keys, key: vault}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: vault-plan}
spec:
  apiStages: [{apiRef: {name: vault}, stage: prod}]
  apiKeys: [{name: vault-key}]
`
}

let fn: AuthorizerFunction
let issuer: Issuer
let backend: Upstream
let s: Standalone
let jwt: string
const lines: string[] = []
const processLog: string[] = []

t.before(async () => {
  fn = await startFunction((event) => {
    const token = event.authorizationToken ?? (event.queryStringParameters as Record<string, string> | undefined)?.ticket
    if (token === LAMBDA_TOKEN || token === TICKET) return { result: policy('pet-owner', [{ effect: 'Allow', resource: `${ARN}/*` }], { context: { tenant: 't-1' } }) }
    if (token === 'fail') return { error: 'database is down', style: 'lambda' }
    return { error: 'Unauthorized', style: 'lambda' }
  })
  issuer = await startIssuer()
  jwt = await issuer.mint({ token_use: 'id', aud: 'app-client', email: 'owner@example.com' })
  // The backend answers without repeating what it was sent: a data trace logs bodies as they are.
  backend = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `backend=${COOKIE}` }).end('{"ok":true}'))
  const destination = {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line !== '') lines.push(line)
    },
  }
  s = await startStandalone(
    { files: [manifestDir({ 'vault.yaml': manifests(fn, issuer, backend) })], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 },
    (line) => processLog.push(line),
    { requestLogs: createRequestLogs(destination) },
  )
})
t.teardown(async () => {
  await s.close()
  await fn.close()
  await issuer.close()
  await backend.close()
})

async function call(path: string, headers: Record<string, string>): Promise<number> {
  const r = await request(`http://127.0.0.1:${s.port}/prod${path}`, { headers: { host: `vault.execute-api.localhost:${s.port}`, cookie: `session=${COOKIE}`, ...headers } })
  await r.body.dump()
  return r.statusCode
}

t.test('authenticated traffic, refused traffic, a failing authorizer: no secret in any line', async (t) => {
  t.notMatch(processLog.join('\n'), /error/, 'the manifests apply cleanly')
  const statuses = [
    await call('/keyed', { 'x-api-key': API_KEY }),
    await call('/keyed', { 'x-api-key': `${API_KEY}x` }),
    await call('/token', { 'x-pet-pass': LAMBDA_TOKEN }),
    await call('/token', { 'x-pet-pass': 'fail' }),
    await call(`/ticket?ticket=${TICKET}&page=2`, {}),
    await call('/jwt', { authorization: jwt }),
    await call('/jwt', { authorization: `${jwt}broken` }),
  ]
  t.same(statuses, [200, 403, 200, 500, 200, 200, 401])
  // Two lines per request (access log, execution log); the failing authorizer's is an error record.
  for (let i = 0; i < 200 && lines.length < 14; i++) await new Promise((r) => setTimeout(r, 5))
  t.equal(lines.length, 14, 'an access log line and an execution log record per request')

  const everything = [...lines, ...processLog].join('\n')
  for (const [name, secret] of Object.entries({ API_KEY, LAMBDA_TOKEN, TICKET, COOKIE, jwt })) {
    t.notOk(everything.includes(secret), `${name} appears nowhere`)
  }
  // Nor the JWT's signature alone (a token cut in two would still be a leak).
  t.notOk(everything.includes(jwt.split('.')[2]!), 'no part of the JWT signature')

  const access = lines.filter((l) => !l.includes('"level"')).map((l) => JSON.parse(l) as Record<string, string>)
  const records = lines.filter((l) => l.includes('"level"')).map((l) => JSON.parse(l) as Record<string, unknown>)
  t.equal(access.length, 7)
  t.equal(records.length, 7)

  const keyed = access[0]!
  t.equal(keyed['identity.apiKeyId'], 'default/vault-key')
  t.equal(keyed['identity.apiKey'], `****${API_KEY.slice(-4)}`, 'the key as its last four characters')
  t.equal(access[1]!['identity.apiKey'], '-', 'a refused key is not logged at all')
  t.equal(access[2]!['authorizer.principalId'], 'pet-owner')
  t.equal(access[2]!['authorizer.tenant'], 't-1')
  t.equal(access[3]!['authorizer.error'], '-', 'AWS sends no message for an authorizer failure')
  t.equal(access[3]!['error.responseType'], 'AUTHORIZER_CONFIGURATION_ERROR', 'a function error is a configuration error, as on AWS')
  t.equal(access[5]!['authorizer.claims.email'], 'owner@example.com')

  const failure = records[3]!
  t.equal(failure.level, 50, 'the failing authorizer is an error record')
  const keyedTrace = (records[0]!.trace as { methodRequest: { headers: Record<string, string> } }).methodRequest.headers
  t.equal(keyedTrace['x-api-key'], `****${API_KEY.slice(-4)}`)
  t.equal(keyedTrace.cookie, '[REDACTED]')
  const tokenTrace = (records[2]!.trace as { methodRequest: { headers: Record<string, string> }; integrationRequest: { headers: Record<string, string> } })
  t.equal(tokenTrace.methodRequest.headers['x-pet-pass'], '[REDACTED]', "the authorizer's identity source header is redacted, whatever its name")
  t.equal(tokenTrace.integrationRequest.headers['x-pet-pass'], '[REDACTED]', 'also as forwarded to the backend')
  const ticketTrace = (records[4]!.trace as { methodRequest: { query: string } }).methodRequest.query
  t.equal(ticketTrace, 'ticket=[REDACTED]&page=2', "the REQUEST authorizer's query string source is redacted, other parameters kept")
  const jwtTrace = (records[5]!.trace as { methodRequest: { headers: Record<string, string> }; methodResponse: { headers: Record<string, string> } })
  t.equal(jwtTrace.methodRequest.headers.authorization, '[REDACTED]')
  t.equal(jwtTrace.methodResponse.headers['set-cookie'], '[REDACTED]', "the backend's Set-Cookie too")
})
