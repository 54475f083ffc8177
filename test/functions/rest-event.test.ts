// The Lambda proxy event of REST APIs (payload 1.0), field by field, exactly as the function
// receives it: AWS's "Input format of a Lambda function for proxy integration"
// (set-up-lambda-proxy-integrations). Manifests compiled by the real compiler, a real gateway,
// a real function server speaking the Lambda invoke API, undici as the client.
import t, { type Test } from 'tap'
import { startIssuer, type Issuer } from '../helpers/issuer.js'
import type { Reply, Running } from '../proxy/helpers.js'
import { apiManifest, CLF_TIME, policy, serve, stageManifest, startFunction, TRACE_ID, type FunctionServer } from './helpers.js'

const KEY = 'GoldKey0123456789abcdefghijk'
const OK = { statusCode: 200, body: 'ok' }

let fn: FunctionServer
let auth: FunctionServer
let issuer: Issuer
let gw: Running

t.before(async () => {
  fn = await startFunction(() => ({ result: OK }))
  auth = await startFunction((event) =>
    event.authorizationToken === 'let-me-in'
      ? {
          result: policy('user-7', [{ effect: 'Allow', resource: 'arn:aws:execute-api:us-east-1:000000000000:shop/*' }], {
            context: { plan: 'gold', seats: 3, admin: true },
          }),
        }
      : { error: 'Unauthorized', style: 'lambda' },
  )
  issuer = await startIssuer({ discovery: false })
  const aws = (name: string) => ({ type: 'AWS_PROXY', httpMethod: 'POST', uri: fn.invokeUri(name) })
  gw = await serve([
    apiManifest('shop', {
      binaryMediaTypes: ['image/png', 'application/octet-stream'],
      routes: [
        { path: '/pets/{id}', method: 'ANY', integration: aws('pets') },
        { path: '/files/{proxy+}', method: 'PUT', integration: aws('files') },
        { path: '/secure', method: 'GET', authorizationType: 'CUSTOM', authorizerRef: { name: 'tok' }, integration: aws('secure') },
        { path: '/paid', method: 'GET', apiKeyRequired: true, integration: aws('paid') },
        { path: '/profile', method: 'GET', authorizationType: 'COGNITO_USER_POOLS', authorizerRef: { name: 'pool' }, integration: aws('profile') },
      ],
    }),
    stageManifest('shop', 'prod', { color: 'blue', size: 'L' }),
    apiManifest('bare', { routes: [{ path: '/', method: 'GET', integration: aws('bare') }] }),
    stageManifest('bare', 'test'),
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Authorizer',
      metadata: { name: 'tok' },
      spec: { type: 'TOKEN', functionUri: auth.invokeUri(), identitySource: 'method.request.header.Authorization', resultTtlInSeconds: 0 },
    },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Authorizer', metadata: { name: 'pool' }, spec: { type: 'COGNITO_USER_POOLS', issuer: issuer.url } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys' }, stringData: { gold: KEY } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'gold' }, spec: { valueFrom: { secretKeyRef: { name: 'keys', key: 'gold' } } } },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'UsagePlan',
      metadata: { name: 'gold' },
      spec: { apiStages: [{ apiRef: { name: 'shop' }, stage: 'prod' }], apiKeys: [{ name: 'gold' }] },
    },
  ])
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
  await auth.close()
  await issuer.close()
})

/** Calls the gateway and returns the reply with the event the function received for it. */
async function call(apiId: string, path: string, opts: Parameters<Running['fetch']>[2] = {}): Promise<{ res: Reply; event: Record<string, unknown>; before: number; after: number }> {
  const seen = fn.events.length
  const before = Date.now()
  const res = await gw.fetch(apiId, path, opts)
  const after = Date.now()
  if (fn.events.length !== seen + 1) throw new Error(`expected one invocation, got ${fn.events.length - seen}: ${res.status} ${res.text}`)
  return { res, event: fn.events[seen]!, before, after }
}

/** Headers as the client sent them plus what API Gateway adds, in the event's two shapes. */
function headersOf(sent: [string, string][], res: Reply): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const all: [string, string][] = [
    ...sent,
    ['X-Forwarded-For', '127.0.0.1'],
    ['X-Forwarded-Port', String(gw.port)],
    ['X-Forwarded-Proto', 'http'],
    ['X-Amzn-Trace-Id', res.headers['x-amzn-trace-id'] as string],
  ]
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  for (const [name, value] of all) {
    headers[name] = value
    ;(multiValueHeaders[name] ??= []).push(value)
  }
  return { headers, multiValueHeaders }
}

/** The requestContext every event of the shop API has; `extra` overrides. */
function requestContext(res: Reply, event: Record<string, unknown>, t: Test, window: [number, number], extra: Record<string, unknown>): Record<string, unknown> {
  const ctx = event.requestContext as Record<string, unknown>
  t.match(ctx.requestTime, CLF_TIME, 'requestTime in CLF format')
  t.ok((ctx.requestTimeEpoch as number) >= window[0] && (ctx.requestTimeEpoch as number) <= window[1], 'requestTimeEpoch is the time of the request')
  t.match(res.headers['x-amzn-trace-id'], TRACE_ID)
  return {
    accountId: '000000000000',
    apiId: 'shop',
    domainName: 'shop.execute-api.localhost',
    domainPrefix: 'shop',
    extendedRequestId: res.headers['x-amz-apigw-id'],
    httpMethod: 'GET',
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: '127.0.0.1',
      user: null,
      userAgent: null,
      userArn: null,
    },
    path: '/prod/pets/42',
    protocol: 'HTTP/1.1',
    requestId: res.headers['x-amzn-requestid'],
    requestTime: ctx.requestTime,
    requestTimeEpoch: ctx.requestTimeEpoch,
    resourceId: ctx.resourceId,
    resourcePath: '/pets/{id}',
    stage: 'prod',
    ...extra,
  }
}

t.test('GET with repeated query parameters and headers, a path parameter and stage variables', async (t) => {
  const sent: [string, string][] = [
    ['host', `shop.execute-api.localhost:${gw.port}`],
    ['accept', 'application/json'],
    ['user-agent', 'tester/1.0'],
    ['X-Tag', 'a'],
    ['X-Tag', 'b'],
  ]
  const { res, event, before, after } = await call('shop', '/prod/pets/42?name=me&multi=you&multi=me&empty=', {
    headers: { accept: 'application/json', 'user-agent': 'tester/1.0', 'X-Tag': ['a', 'b'] as unknown as string },
  })
  t.equal(res.status, 200)
  t.equal(res.text, 'ok')
  const ctx = event.requestContext as Record<string, unknown>
  t.match(ctx.resourceId, /^[0-9a-f]{6}$/, 'resourceId: a short stable id of the resource')
  t.strictSame(event, {
    resource: '/pets/{id}',
    path: '/pets/42',
    httpMethod: 'GET',
    ...headersOf(sent, res),
    queryStringParameters: { name: 'me', multi: 'me', empty: '' },
    multiValueQueryStringParameters: { name: ['me'], multi: ['you', 'me'], empty: [''] },
    pathParameters: { id: '42' },
    stageVariables: { color: 'blue', size: 'L' },
    requestContext: requestContext(res, event, t, [before, after], {
      identity: { ...(requestContext(res, event, t, [before, after], {}).identity as object), userAgent: 'tester/1.0' },
    }),
    body: null,
    isBase64Encoded: false,
  })
})

t.test('POST with a JSON body: the body as text; Content-Length is not in the event', async (t) => {
  const body = '{\r\n\t"a": 1\r\n}'
  const { res, event, before, after } = await call('shop', '/prod/pets/42', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  t.equal(res.status, 200)
  const sent: [string, string][] = [
    ['host', `shop.execute-api.localhost:${gw.port}`],
    ['content-type', 'application/json'],
  ]
  t.strictSame(event, {
    resource: '/pets/{id}',
    path: '/pets/42',
    httpMethod: 'POST',
    ...headersOf(sent, res),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { id: '42' },
    stageVariables: { color: 'blue', size: 'L' },
    requestContext: requestContext(res, event, t, [before, after], { httpMethod: 'POST' }),
    body,
    isBase64Encoded: false,
  })
})

t.test('a body of a binaryMediaTypes type arrives base64-encoded; a greedy path parameter keeps its slashes', async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe])
  const { res, event } = await call('shop', '/prod/files/a/b/c.png', { method: 'PUT', headers: { 'content-type': 'image/png' }, body: png })
  t.equal(res.status, 200)
  t.equal(event.body, png.toString('base64'))
  t.equal(event.isBase64Encoded, true)
  t.equal(event.resource, '/files/{proxy+}')
  t.strictSame(event.pathParameters, { proxy: 'a/b/c.png' })
  // A type that is not binary arrives as text, even when it is not JSON.
  const text = await call('shop', '/prod/files/readme', { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'héllo' })
  t.equal(text.event.body, 'héllo')
  t.equal(text.event.isBase64Encoded, false)
})

t.test('a Lambda authorizer: principalId, its context as text and integrationLatency in requestContext.authorizer', async (t) => {
  const denied = await gw.fetch('shop', '/prod/secure', { headers: { authorization: 'nope' } })
  t.equal(denied.status, 401, 'the function is not called for a refused caller')
  const { res, event } = await call('shop', '/prod/secure', { headers: { authorization: 'let-me-in' } })
  t.equal(res.status, 200)
  const ctx = event.requestContext as Record<string, unknown>
  const authorizer = ctx.authorizer as Record<string, unknown>
  t.type(authorizer.integrationLatency, 'number')
  t.strictSame(authorizer, { plan: 'gold', seats: '3', admin: 'true', principalId: 'user-7', integrationLatency: authorizer.integrationLatency })
  t.equal(ctx.resourcePath, '/secure')
  t.equal((event.headers as Record<string, string>).authorization, 'let-me-in', 'the token header reaches the function too')
})

t.test('a user pool authorizer: requestContext.authorizer.claims, every claim as text, exp and iat as dates', async (t) => {
  const token = await issuer.mint({ token_use: 'id', aud: 'app-client', email: 'a@example.com', email_verified: true, auth_time: 1516209548, iat: 1516209548, exp: 4102444800 })
  const { res, event } = await call('shop', '/prod/profile', { headers: { authorization: token } })
  t.equal(res.status, 200)
  t.strictSame((event.requestContext as Record<string, unknown>).authorizer, {
    claims: {
      iss: issuer.url,
      sub: 'user-1',
      iat: 'Wed Jan 17 17:19:08 UTC 2018',
      exp: 'Fri Jan 01 00:00:00 UTC 2100',
      token_use: 'id',
      aud: 'app-client',
      email: 'a@example.com',
      email_verified: 'true',
      auth_time: '1516209548',
    },
  })
})

t.test('an API key accepted by the usage plan: identity.apiKey and apiKeyId', async (t) => {
  t.equal((await gw.fetch('shop', '/prod/paid')).status, 403)
  const { res, event } = await call('shop', '/prod/paid', { headers: { 'x-api-key': KEY } })
  t.equal(res.status, 200)
  const identity = (event.requestContext as Record<string, Record<string, unknown>>).identity!
  t.equal(identity.apiKey, KEY)
  t.equal(identity.apiKeyId, 'default/gold')
})

t.test('a stage without variables and a request without headers of its own: nulls', async (t) => {
  const { event } = await call('bare', '/test/')
  t.equal(event.stageVariables, null)
  t.equal(event.pathParameters, null)
  t.equal(event.resource, '/')
  t.equal(event.path, '/')
  t.equal((event.requestContext as Record<string, unknown>).apiId, 'bare')
})
