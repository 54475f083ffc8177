// Resource policies (Api spec.policy) through HTTP: a real gateway, real upstreams, real undici
// clients over IPv4, IPv6 and a dual-stack listener. AWS's decision table per authorization
// type, AWS's denial body, the execute-api:/ shorthand and wildcards per stage/method/path,
// X-Forwarded-For believed only from trusted proxies, and tollgate:SourceNamespace on a PRIVATE
// API through the pod address index.
import t from 'tap'
import { request } from 'undici'
import { ipRanges } from '../../proxy/auth/ip.js'
import { PodNamespaceIndex } from '../../proxy/auth/namespace-index.js'
import { configHash } from '../../proxy/config/hash.js'
import type { ApiConfig, GatewayConfig } from '../../proxy/config/schema.js'
import { api, echoUpstream, gatewayConfig, integration, route, stage, startGateway, startUpstream, type Upstream } from './helpers.js'

const INVOKE = 'execute-api:Invoke'

function allow(resource: string | string[], condition?: Record<string, unknown>) {
  return { Effect: 'Allow', Principal: '*', Action: INVOKE, Resource: resource, ...(condition ? { Condition: condition } : {}) }
}
function denyStmt(resource: string | string[], condition?: Record<string, unknown>) {
  return { Effect: 'Deny', Principal: '*', Action: INVOKE, Resource: resource, ...(condition ? { Condition: condition } : {}) }
}

let up: Upstream
t.before(async () => {
  up = await echoUpstream()
})
t.teardown(() => up.close())

const proxyTo = () => integration({ type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `${up.origin}/echo` })

/** A config with the ARN settings given (the helper's hash covers no `arn`). */
function withArn(config: GatewayConfig, arn: { region: string; accountId: string }): GatewayConfig {
  const { hash: _hash, ...body } = config
  const next = { ...body, arn }
  return { ...next, hash: configHash(next) } as GatewayConfig
}

function policyApi(id: string, statements: unknown[], partial: Partial<ApiConfig> = {}, routes = [route('GET /pets', proxyTo()), route('GET /pets/{id}', proxyTo()), route('POST /pets/{id}', proxyTo())]): ApiConfig {
  return api(id, routes, { policy: { Version: '2012-10-17', Statement: statements }, ...partial })
}

t.test('allow by CIDR; an address outside gets 403 with AWS body, header and masked ARN', async (t) => {
  const gw = await startGateway(
    gatewayConfig([
      policyApi('local', [allow('execute-api:/*', { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '127.0.0.0/8'] } })]),
      policyApi('elsewhere', [allow('execute-api:/*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })]),
    ]),
  )
  t.teardown(() => gw.close())
  const ok = await gw.fetch('local', '/prod/pets')
  t.equal(ok.status, 200, 'the caller (127.0.0.1) is in an allowed range')
  t.equal((ok.json() as { url: string }).url, '/echo')

  const refused = await gw.fetch('elsewhere', '/prod/pets/7?x=1')
  t.equal(refused.status, 403)
  t.equal(refused.headers['x-amzn-errortype'], 'AccessDeniedException')
  t.equal(refused.headers['content-type'], 'application/json')
  t.ok(refused.headers['x-amzn-requestid'], 'x-amzn-RequestId as on every REST gateway response')
  t.same(refused.json(), {
    Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:elsewhere/prod/GET/pets/7 because no resource-based policy allows the execute-api:Invoke action`,
  })
  t.equal(up.seen.filter((s) => s.url === '/echo').length, 1, 'the refused request never reached the backend')
})

t.test('deny by CIDR: an explicit Deny wins over an Allow', async (t) => {
  const gw = await startGateway(
    gatewayConfig([
      policyApi('blocked', [allow('execute-api:/*'), denyStmt('execute-api:/*', { IpAddress: { 'aws:SourceIp': ['127.0.0.1/32'] } })]),
      policyApi('notblocked', [allow('execute-api:/*'), denyStmt('execute-api:/*', { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24'] } })]),
      // "Only these addresses": Deny NotIpAddress, the AWS knowledge-center pattern.
      policyApi('onlyothers', [allow('execute-api:/*'), denyStmt('execute-api:/*', { NotIpAddress: { 'aws:SourceIp': ['198.51.100.0/24', '203.0.113.0/24'] } })]),
    ]),
  )
  t.teardown(() => gw.close())
  const blocked = await gw.fetch('blocked', '/prod/pets')
  t.equal(blocked.status, 403)
  t.match((blocked.json() as { Message: string }).Message, /^User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:\*{8}0000:blocked\/prod\/GET\/pets with an explicit deny in a resource-based policy$/)
  t.equal((await gw.fetch('notblocked', '/prod/pets')).status, 200, 'a Deny whose condition does not hold does not apply')
  const others = await gw.fetch('onlyothers', '/prod/pets')
  t.equal(others.status, 403, 'NotIpAddress: the caller is in none of the ranges, so the Deny applies')
  t.match((others.json() as { Message: string }).Message, /with an explicit deny/)
})

t.test('NONE routes need an explicit Allow; the shorthand and wildcards scope it per stage, method and path', async (t) => {
  const routes = [route('GET /pets', proxyTo()), route('GET /pets/{id}', proxyTo()), route('POST /pets/{id}', proxyTo()), route('GET /', proxyTo())]
  const config = withArn(
    gatewayConfig([
      policyApi(
        'scoped',
        [
          allow(['execute-api:/prod/GET/pets/*', 'execute-api:/prod/GET/']),
          // A full ARN with wildcards: any method on /pets/{id} in dev, in this account only.
          allow('arn:aws:execute-api:eu-west-1:123456789012:scoped/dev/*/pets/*'),
          // The same in another account never matches.
          allow('arn:aws:execute-api:eu-west-1:999999999999:scoped/*'),
        ],
        { stages: [stage('prod'), stage('dev')] },
        routes,
      ),
    ]),
    { region: 'eu-west-1', accountId: '123456789012' },
  )
  const gw = await startGateway(config)
  t.teardown(() => gw.close())
  const status = async (method: string, path: string) => (await gw.fetch('scoped', path, { method })).status
  t.equal(await status('GET', '/prod/pets/1'), 200, 'execute-api:/prod/GET/pets/* allows GET /pets/1 on prod')
  t.equal(await status('GET', '/prod/'), 200, 'execute-api:/prod/GET/ is the root resource')
  t.equal(await status('GET', '/prod/pets'), 403, '/pets is not /pets/*: no statement applies, and a NONE route needs an Allow')
  t.equal(await status('POST', '/prod/pets/1'), 403, 'POST is not allowed on prod')
  t.equal(await status('POST', '/dev/pets/1'), 200, 'dev/*/pets/* allows any method')
  t.equal(await status('GET', '/dev/pets'), 403, 'dev /pets is not covered')
  const refused = await gw.fetch('scoped', '/prod/pets', { method: 'GET' })
  t.match((refused.json() as { Message: string }).Message, 'on resource: arn:aws:execute-api:eu-west-1:********9012:scoped/prod/GET/pets because', 'the configured region and the masked account')
})

t.test('routes with an authorizer: an explicit Deny refuses before it is called, otherwise it decides; AWS_IAM is left to SigV4', async (t) => {
  let calls = 0
  const fn = await startUpstream((_req, res) => {
    calls++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ principalId: 'u', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: INVOKE, Resource: '*' }] } }))
  })
  t.teardown(() => fn.close())
  const authorizer = {
    type: 'REQUEST' as const,
    name: 'default/fn',
    source: { kind: 'Authorizer', namespace: 'default', name: 'fn' },
    invokeUri: `${fn.origin}/2015-03-31/functions/fn/invocations`,
    identitySources: [],
    resultTtlSeconds: 0,
    enableSimpleResponses: false,
  }
  const routes = [
    route('GET /custom', proxyTo(), { authorizationType: 'CUSTOM', authorizer: 'default/fn' }),
    route('GET /iam', proxyTo(), { authorizationType: 'AWS_IAM' }),
    route('GET /open', proxyTo()),
  ]
  const gw = await startGateway(
    gatewayConfig([
      // No statement applies to anyone: NONE for every caller.
      policyApi('silent', [allow('execute-api:/*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })], { authorizers: [authorizer] }, routes),
      policyApi('denyall', [denyStmt('execute-api:/*')], { authorizers: [authorizer] }, routes),
    ]),
  )
  t.teardown(() => gw.close())
  const isPolicyDenial = (r: { status: number; text: string }) => r.status === 403 && r.text.includes('resource-based policy')

  const denied = await gw.fetch('denyall', '/prod/custom')
  t.ok(isPolicyDenial(denied), 'CUSTOM + explicit Deny: 403 from the policy')
  t.equal(calls, 0, 'the authorizer function was not called')
  const silent = await gw.fetch('silent', '/prod/custom')
  t.notOk(isPolicyDenial(silent), `CUSTOM + no applicable statement: the authorizer decides (got ${silent.status})`)
  t.ok(isPolicyDenial(await gw.fetch('silent', '/prod/open')), 'NONE + no applicable statement: 403')

  const iam = await gw.fetch('denyall', '/prod/iam')
  t.notOk(isPolicyDenial(iam), `AWS_IAM: the policy stage leaves it to SigV4 (got ${iam.status})`)
})

t.test('X-Forwarded-For is believed only from trusted proxies', async (t) => {
  const config = gatewayConfig([
    policyApi('xff', [allow('execute-api:/*', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), denyStmt('execute-api:/*', { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } })]),
  ])
  const untrusting = await startGateway(config)
  t.teardown(() => untrusting.close())
  const trusting = await startGateway(config, { trustedProxies: ipRanges(['127.0.0.1/32', '10.0.0.0/8']) })
  t.teardown(() => trusting.close())

  const spoofed = await untrusting.fetch('xff', '/prod/pets', { headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.equal(spoofed.status, 403, 'without trusted proxies a client-written X-Forwarded-For changes nothing')
  t.match((spoofed.json() as { Message: string }).Message, /because no resource-based policy allows/)

  const viaProxy = await trusting.fetch('xff', '/prod/pets', { headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.equal(viaProxy.status, 200, 'the trusted peer (127.0.0.1) reports the client 203.0.113.7')
  const seen = viaProxy.json() as { headers: Record<string, string> }
  t.equal(seen.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1', 'the backend gets the header with the connecting peer appended')

  const chain = await trusting.fetch('xff', '/prod/pets', { headers: { 'x-forwarded-for': '198.51.100.9, 203.0.113.7, 10.2.3.4' } })
  t.equal(chain.status, 200, 'read from the right past trusted hops: a client-prepended 198.51.100.9 is not the source')

  const denied = await trusting.fetch('xff', '/prod/pets', { headers: { 'x-forwarded-for': '198.51.100.9' } })
  t.equal(denied.status, 403, 'a trusted proxy reporting a denied client')
  t.match((denied.json() as { Message: string }).Message, /explicit deny/)
})

t.test('$context.identity.sourceIp is the resolved source IP', async (t) => {
  const backend = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(String(req.headers['x-ip']))
  })
  t.teardown(() => backend.close())
  const mapped = integration({
    type: 'HTTP',
    httpMethod: 'GET',
    uri: `${backend.origin}/ip`,
    requestParameters: { 'integration.request.header.x-ip': 'context.identity.sourceIp' },
    responses: [{ statusCode: '200', selectionPattern: null, responseParameters: {}, responseTemplates: {}, contentHandling: null }],
  })
  const config = gatewayConfig([api('ctx', [route('GET /ip', mapped)])])
  const trusting = await startGateway(config, { trustedProxies: ipRanges(['127.0.0.0/8']) })
  t.teardown(() => trusting.close())
  t.equal((await trusting.fetch('ctx', '/prod/ip', { headers: { 'x-forwarded-for': '203.0.113.44' } })).text, '203.0.113.44')
  t.equal((await trusting.fetch('ctx', '/prod/ip')).text, '127.0.0.1', 'no header: the peer')
})

t.test('IPv6 CIDRs, and IPv4-mapped callers on a dual-stack listener', async (t) => {
  const config = gatewayConfig([
    policyApi('six', [allow('execute-api:/*', { IpAddress: { 'aws:SourceIp': ['::1/128', '2001:db8::/32'] } })]),
    policyApi('sixdeny', [allow('execute-api:/*'), denyStmt('execute-api:/*', { IpAddress: { 'aws:SourceIp': '::/0' } })]),
    policyApi('four', [allow('execute-api:/*', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } })]),
  ])
  const gw = await startGateway(config)
  t.teardown(() => gw.close())
  // The private listener serves REGIONAL APIs as well: bind it to IPv6 loopback.
  const { port: v6 } = await gw.gateway.listenPrivate(0, '::1')
  const over6 = async (apiId: string) => {
    const r = await request(`http://[::1]:${v6}/prod/pets`, { headers: { host: `${apiId}.execute-api.localhost` } })
    return { status: r.statusCode, text: await r.body.text() }
  }
  t.equal((await over6('six')).status, 200, '::1 is in ::1/128')
  const denied = await over6('sixdeny')
  t.equal(denied.status, 403, '::/0 denies every IPv6 caller')
  t.equal((await over6('four')).status, 403, 'an IPv6 caller is not in an IPv4 range')
  t.equal((await gw.fetch('sixdeny', '/prod/pets')).status, 200, 'an IPv4 caller is not in ::/0')

  // A dual-stack socket sees 127.0.0.1 as ::ffff:127.0.0.1; policies and $context see 127.0.0.1.
  const dual = await startGateway(config)
  t.teardown(() => dual.close())
  const { port: dualPort } = await dual.gateway.listenPrivate(0, '::')
  const mappedReply = await request(`http://127.0.0.1:${dualPort}/prod/pets`, { headers: { host: 'four.execute-api.localhost' } })
  await mappedReply.body.dump()
  t.equal(mappedReply.statusCode, 200, 'an IPv4-mapped peer matches 127.0.0.0/8')
})

t.test('PRIVATE API restricted by the caller\'s namespace (tollgate:SourceNamespace)', async (t) => {
  const index = new PodNamespaceIndex()
  index.replace({ version: 1, pods: [['127.0.0.1', 'shop']] })
  const config = gatewayConfig([
    policyApi('orders', [allow('execute-api:/*', { StringEquals: { 'tollgate:SourceNamespace': ['shop', 'billing'] } })], { endpointType: 'PRIVATE' }),
    policyApi('notshop', [allow('execute-api:/*'), denyStmt('execute-api:/*', { StringLike: { 'tollgate:SourceNamespace': 'sho?' } })], { endpointType: 'PRIVATE' }),
    policyApi('known', [allow('execute-api:/*', { Null: { 'tollgate:SourceNamespace': 'false' } })], { endpointType: 'PRIVATE' }),
  ])
  const gw = await startGateway(config, { namespaces: index })
  t.teardown(() => gw.close())
  const { port } = await gw.gateway.listenPrivate(0, '127.0.0.1')
  const call = async (apiId: string, headers: Record<string, string> = {}) => {
    const r = await request(`http://127.0.0.1:${port}/prod/pets`, { headers: { host: `${apiId}.execute-api.localhost`, ...headers } })
    return { status: r.statusCode, text: await r.body.text() }
  }
  t.equal((await call('orders')).status, 200, 'a pod of namespace shop')
  t.equal((await call('notshop')).status, 403, 'StringLike sho? denies shop')
  t.equal((await call('known')).status, 200, 'Null false: the namespace is known')

  index.replace({ version: 2, pods: [['127.0.0.1', 'web']] })
  const other = await call('orders')
  t.equal(other.status, 403, 'the same address now belongs to a pod of another namespace')
  t.match(other.text, /"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:\*{8}0000:orders\/prod\/GET\/pets because/)
  t.equal((await call('notshop')).status, 200)

  index.replace({ version: 3, pods: [['10.1.2.3', 'shop']] })
  t.equal((await call('orders', { 'x-forwarded-for': '10.1.2.3' })).status, 403, 'no trusted proxies: a spoofed X-Forwarded-For cannot borrow a namespace')
  t.equal((await call('known')).status, 403, 'an address no pod has: the key is absent')

  // Without an index (standalone), the key is absent: conditions on it do not match.
  const standalone = await startGateway(config)
  t.teardown(() => standalone.close())
  const { port: p2 } = await standalone.gateway.listenPrivate(0, '127.0.0.1')
  const r = await request(`http://127.0.0.1:${p2}/prod/pets`, { headers: { host: 'orders.execute-api.localhost' } })
  await r.body.dump()
  t.equal(r.statusCode, 403, 'no namespace index: no namespace, no Allow')
})

t.test('APIs without a policy are untouched; HTTP APIs answer a denial as HTTP APIs do', async (t) => {
  const gw = await startGateway(
    gatewayConfig([
      api('plain', [route('GET /pets', proxyTo())]),
      api('httpapi', [route('GET /pets', proxyTo())], { protocol: 'HTTP', policy: { Statement: [denyStmt('execute-api:/*')] }, stages: [stage('$default')] }),
    ]),
  )
  t.teardown(() => gw.close())
  t.equal((await gw.fetch('plain', '/prod/pets')).status, 200)
  const denied = await gw.fetch('httpapi', '/pets')
  t.equal(denied.status, 403)
  t.same(denied.json(), { message: 'Forbidden' })
  t.ok(denied.headers['apigw-requestid'])
})
