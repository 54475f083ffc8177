// The Lambda proxy events of HTTP APIs, payload formats 2.0 (the default) and 1.0, field by
// field, exactly as the function receives them: AWS's "Payload format version"
// (http-api-develop-integrations-lambda). Also the authorizer's result in them (JWT, Lambda) and
// which bodies arrive base64-encoded (HTTP APIs pass only text/*, application/json, /xml and
// /javascript as text).
import t, { type Test } from 'tap'
import { startIssuer, type Issuer } from '../helpers/issuer.js'
import type { Reply, Running } from '../proxy/helpers.js'
import { apiManifest, CLF_TIME, serve, stageManifest, startFunction, TRACE_ID, type FunctionServer } from './helpers.js'

let fn: FunctionServer
let auth: FunctionServer
let issuer: Issuer
let gw: Running

t.before(async () => {
  fn = await startFunction(() => ({ result: { statusCode: 200, body: 'ok' } }))
  auth = await startFunction((event) => ({ result: { isAuthorized: (event.identitySource as string[])[0] === 'yes', context: { tier: 'gold', n: 2, vip: true } } }))
  issuer = await startIssuer()
  const aws = (name: string, payloadFormatVersion?: string) => ({
    type: 'AWS_PROXY',
    uri: fn.invokeUri(name),
    ...(payloadFormatVersion !== undefined ? { payloadFormatVersion } : {}),
  })
  gw = await serve([
    apiManifest('h2', {
      protocol: 'HTTP',
      routes: [
        { routeKey: 'GET /items/{id}', integration: aws('items') },
        { routeKey: 'POST /items', integration: aws('post') },
        { routeKey: 'GET /v1/{id}', integration: aws('v1', '1.0') },
        { routeKey: 'GET /jwt', authorizationType: 'JWT', authorizerRef: { name: 'jwt' }, integration: aws('jwt') },
        { routeKey: 'GET /jwt1', authorizationType: 'JWT', authorizerRef: { name: 'jwt' }, integration: aws('jwt1', '1.0') },
        { routeKey: 'GET /lambda', authorizationType: 'CUSTOM', authorizerRef: { name: 'simple' }, integration: aws('lambda') },
        { routeKey: 'GET /lambda1', authorizationType: 'CUSTOM', authorizerRef: { name: 'simple' }, integration: aws('lambda1', '1.0') },
        { routeKey: '$default', integration: aws('default') },
      ],
    }),
    stageManifest('h2', '$default'),
    stageManifest('h2', 'beta', { flag: 'on' }),
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Authorizer',
      metadata: { name: 'jwt' },
      spec: { type: 'JWT', jwtConfiguration: { issuer: issuer.url, audience: ['api'] } },
    },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Authorizer',
      metadata: { name: 'simple' },
      spec: {
        type: 'REQUEST',
        functionUri: auth.invokeUri(),
        identitySource: '$request.header.X-Token',
        authorizerPayloadFormatVersion: '2.0',
        enableSimpleResponses: true,
        resultTtlInSeconds: 0,
      },
    },
  ])
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
  await auth.close()
  await issuer.close()
})

async function call(path: string, opts: Parameters<Running['fetch']>[2] = {}): Promise<{ res: Reply; event: Record<string, unknown>; window: [number, number] }> {
  const seen = fn.events.length
  const before = Date.now()
  const res = await gw.fetch('h2', path, opts)
  const after = Date.now()
  if (fn.events.length !== seen + 1) throw new Error(`expected one invocation, got ${fn.events.length - seen}: ${res.status} ${res.text}`)
  return { res, event: fn.events[seen]!, window: [before, after] }
}

/** Checks the fields that vary per request (time, trace id) and returns them for the exact comparison. */
function varying(t: Test, event: Record<string, unknown>, window: [number, number], v2: boolean): { time: unknown; epoch: unknown; trace: string } {
  const ctx = event.requestContext as Record<string, unknown>
  const time = v2 ? ctx.time : ctx.requestTime
  const epoch = v2 ? ctx.timeEpoch : ctx.requestTimeEpoch
  t.match(time, CLF_TIME)
  t.ok((epoch as number) >= window[0] && (epoch as number) <= window[1], 'the time of the request')
  const headers = event.headers as Record<string, string>
  t.match(headers['x-amzn-trace-id'], TRACE_ID)
  return { time, epoch, trace: headers['x-amzn-trace-id']! }
}

t.test('2.0: cookies, joined headers and query parameters, path parameters, no body', async (t) => {
  const { res, event, window } = await call('/items/42?a=1&a=2&b=x%20y', {
    headers: { cookie: 'session=abc; theme=dark', 'X-Tag': ['one', 'two'] as unknown as string, 'user-agent': 'tester/2' },
  })
  t.equal(res.status, 200)
  const { time, epoch, trace } = varying(t, event, window, true)
  t.strictSame(event, {
    version: '2.0',
    routeKey: 'GET /items/{id}',
    rawPath: '/items/42',
    rawQueryString: 'a=1&a=2&b=x%20y',
    cookies: ['session=abc', 'theme=dark'],
    headers: {
      host: `h2.execute-api.localhost:${gw.port}`,
      'x-tag': 'one,two',
      'user-agent': 'tester/2',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-port': String(gw.port),
      'x-forwarded-proto': 'http',
      'x-amzn-trace-id': trace,
    },
    queryStringParameters: { a: '1,2', b: 'x y' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'h2',
      domainName: 'h2.execute-api.localhost',
      domainPrefix: 'h2',
      http: { method: 'GET', path: '/items/42', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'tester/2' },
      requestId: res.headers['apigw-requestid'],
      routeKey: 'GET /items/{id}',
      stage: '$default',
      time,
      timeEpoch: epoch,
    },
    pathParameters: { id: '42' },
    isBase64Encoded: false,
  })
})

t.test('2.0 on a named stage: rawPath keeps the stage, stage variables are there', async (t) => {
  const { event } = await call('/beta/items/7')
  t.equal(event.rawPath, '/beta/items/7')
  t.equal(event.rawQueryString, '')
  t.equal(event.queryStringParameters, undefined, 'left out when there is no query')
  t.equal(event.cookies, undefined)
  t.strictSame(event.stageVariables, { flag: 'on' })
  t.match(event.requestContext, { stage: 'beta', http: { path: '/beta/items/7' } })
})

t.test('2.0 bodies: text types as text, anything else base64 (no Content-Type, forms, octet streams too)', async (t) => {
  const cases: [string | undefined, boolean][] = [
    ['application/json', false],
    ['text/csv; charset=utf-8', false],
    ['application/xml', false],
    ['application/javascript', false],
    ['application/octet-stream', true],
    ['application/x-www-form-urlencoded', true],
    ['image/png', true],
    [undefined, true],
  ]
  const body = Buffer.from('a=1&b=\u00e9', 'utf8')
  for (const [type, encoded] of cases) {
    const { event } = await call('/items', { method: 'POST', headers: type === undefined ? {} : { 'content-type': type }, body })
    t.equal(event.isBase64Encoded, encoded, `${type ?? 'no Content-Type'}: ${encoded ? 'base64' : 'text'}`)
    t.equal(event.body, encoded ? body.toString('base64') : body.toString('utf8'))
    t.equal((event.headers as Record<string, string>)['content-length'], String(body.length), 'HTTP APIs pass Content-Length')
  }
})

t.test('1.0 of an HTTP API: lower-case header names, the full path, version 1.0', async (t) => {
  const { res, event, window } = await call('/v1/9?q=a&q=b', { headers: { 'X-Tag': 'one' } })
  const { time, epoch, trace } = varying(t, event, window, false)
  const headers = {
    host: `h2.execute-api.localhost:${gw.port}`,
    'x-tag': 'one',
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-port': String(gw.port),
    'x-forwarded-proto': 'http',
    'x-amzn-trace-id': trace,
  }
  t.strictSame(event, {
    version: '1.0',
    resource: '/v1/{id}',
    path: '/v1/9',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: { q: 'b' },
    multiValueQueryStringParameters: { q: ['a', 'b'] },
    pathParameters: { id: '9' },
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'h2',
      domainName: 'h2.execute-api.localhost',
      domainPrefix: 'h2',
      extendedRequestId: res.headers['apigw-requestid'],
      httpMethod: 'GET',
      identity: {
        accessKey: null,
        accountId: null,
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
      path: '/v1/9',
      protocol: 'HTTP/1.1',
      requestId: res.headers['apigw-requestid'],
      requestTime: time,
      requestTimeEpoch: epoch,
      resourceId: 'GET /v1/{id}',
      resourcePath: '/v1/{id}',
      stage: '$default',
    },
    body: null,
    isBase64Encoded: false,
  })
})

t.test('the $default route: routeKey $default, the request path as resource', async (t) => {
  const { event } = await call('/anything/else?x=1')
  t.equal(event.routeKey, '$default')
  t.equal(event.rawPath, '/anything/else')
  t.equal((event.requestContext as Record<string, unknown>).routeKey, '$default')
  t.equal(event.pathParameters, undefined)
})

t.test('a JWT authorizer: 2.0 authorizer.jwt {claims, scopes}, 1.0 authorizer {claims, scopes}; claims as text', async (t) => {
  const token = await issuer.mint({ aud: 'api', scope: 'read write', groups: ['a', 'b'], email_verified: true })
  const v2 = await call('/jwt', { headers: { authorization: `Bearer ${token}` } })
  t.equal(v2.res.status, 200)
  const jwt = ((v2.event.requestContext as Record<string, unknown>).authorizer as Record<string, Record<string, unknown>>).jwt!
  const claims = jwt.claims as Record<string, unknown>
  t.match(claims.exp, /^\d+$/, 'exp as text')
  t.strictSame(claims, {
    iss: issuer.url,
    sub: 'user-1',
    iat: claims.iat,
    exp: claims.exp,
    aud: 'api',
    scope: 'read write',
    groups: '[a b]',
    email_verified: 'true',
  })
  t.strictSame(jwt.scopes, ['read', 'write'])
  const v1 = await call('/jwt1', { headers: { authorization: `Bearer ${token}` } })
  t.strictSame((v1.event.requestContext as Record<string, unknown>).authorizer, { claims, scopes: ['read', 'write'] })
})

t.test("a Lambda authorizer's context: 2.0 authorizer.lambda, 1.0 authorizer; values keep their JSON types", async (t) => {
  t.equal((await gw.fetch('h2', '/lambda', { headers: { 'x-token': 'no' } })).status, 403)
  const v2 = await call('/lambda', { headers: { 'x-token': 'yes' } })
  t.strictSame((v2.event.requestContext as Record<string, unknown>).authorizer, { lambda: { tier: 'gold', n: 2, vip: true } })
  const v1 = await call('/lambda1', { headers: { 'x-token': 'yes' } })
  t.strictSame((v1.event.requestContext as Record<string, unknown>).authorizer, { tier: 'gold', n: 2, vip: true })
})
