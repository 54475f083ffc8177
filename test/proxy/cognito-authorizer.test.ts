// COGNITO_USER_POOLS authorizers on REST APIs, from manifests to HTTP: the Authorizer names an
// issuer (served by a real test issuer on port 0; the compiler derives
// {issuer}/.well-known/jwks.json), the compiled config is served by a real gateway. AWS's rules:
// a method without scopes takes identity tokens, a method with scopes takes access tokens holding
// one of them; everything else is 401 {"message":"Unauthorized"} (UnauthorizedException).
import t, { type Test } from 'tap'
import { compile } from '../../operator/compile/index.js'
import { startIssuer, type Issuer } from '../helpers/issuer.js'
import { echoUpstream, startGateway, type Reply, type Running, type Upstream } from './helpers.js'

let issuer: Issuer
let backend: Upstream
let gw: Running
t.before(async () => {
  issuer = await startIssuer({ discovery: false })
  backend = await echoUpstream()
  const integration = { type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `${backend.origin}/backend` }
  const pool = { name: 'pool' }
  const { config, statuses } = compile(
    [
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Authorizer', metadata: { name: 'pool' }, spec: { type: 'COGNITO_USER_POOLS', issuer: issuer.url } },
      {
        apiVersion: 'tollgate.dev/v1alpha1',
        kind: 'Api',
        metadata: { name: 'shop' },
        spec: {
          apiId: 'shop',
          routes: [
            { path: '/profile', method: 'GET', authorizationType: 'COGNITO_USER_POOLS', authorizerRef: pool, integration },
            { path: '/orders', method: 'GET', authorizationType: 'COGNITO_USER_POOLS', authorizerRef: pool, authorizationScopes: ['shop/orders.read', 'shop/admin'], integration },
            {
              path: '/me',
              method: 'GET',
              authorizationType: 'COGNITO_USER_POOLS',
              authorizerRef: pool,
              integration: {
                type: 'HTTP',
                httpMethod: 'GET',
                uri: `${backend.origin}/me`,
                requestParameters: {
                  'integration.request.header.x-user-email': 'context.authorizer.claims.email',
                  'integration.request.header.x-principal': 'context.authorizer.principalId',
                },
                responses: [{ statusCode: '200' }],
              },
              methodResponses: [{ statusCode: '200' }],
            },
          ],
        },
      },
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'shop' } } },
    ],
    { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } },
  )
  const problems = JSON.stringify(statuses).match(/"status":"False"/g)
  if (problems !== null) throw new Error(`the manifests do not compile: ${JSON.stringify(statuses)}`)
  gw = await startGateway(config)
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
  await issuer.close()
})

const call = (path: string, token: string | null): Promise<Reply> => gw.fetch('shop', `/prod${path}`, token === null ? {} : { headers: { authorization: token } })

function assertUnauthorized(t: Test, res: Reply) {
  t.equal(res.status, 401)
  t.same(res.json(), { message: 'Unauthorized' })
  t.equal(res.headers['x-amzn-errortype'], 'UnauthorizedException')
  t.ok(res.headers['x-amzn-requestid'])
  t.equal(res.headers['www-authenticate'], undefined, 'REST APIs send no www-authenticate')
}

t.test('a method without scopes takes an identity token (with or without Bearer)', async (t) => {
  const idToken = await issuer.mint({ token_use: 'id', aud: 'app-client', email: 'a@example.com' })
  const res = await call('/profile', idToken)
  t.equal(res.status, 200)
  t.equal((res.json() as { url: string }).url, '/backend')
  t.equal((await call('/profile', `Bearer ${idToken}`)).status, 200)
})

t.test("the token's claims reach the backend through parameter mappings (context.authorizer.claims.*)", async (t) => {
  const idToken = await issuer.mint({ token_use: 'id', aud: 'app-client', email: 'carol@example.com', sub: 'carol-sub' })
  const res = await call('/me', idToken)
  t.equal(res.status, 200)
  const seen = res.json() as { headers: Record<string, string> }
  t.equal(seen.headers['x-user-email'], 'carol@example.com', 'a claim')
  t.equal(seen.headers['x-principal'], 'carol-sub', 'the principal is the sub claim')
})

t.test('a method without scopes refuses an access token', async (t) => {
  assertUnauthorized(t, await call('/profile', await issuer.mint({ token_use: 'access', client_id: 'app-client', scope: 'shop/admin' })))
})

t.test('a method with scopes takes an access token with one of them, else 401', async (t) => {
  t.equal((await call('/orders', await issuer.mint({ token_use: 'access', client_id: 'app-client', scope: 'shop/orders.read' }))).status, 200)
  t.equal((await call('/orders', await issuer.mint({ token_use: 'access', client_id: 'app-client', scope: 'openid shop/admin' }))).status, 200)
  const before = backend.seen.length
  assertUnauthorized(t, await call('/orders', await issuer.mint({ token_use: 'access', client_id: 'app-client', scope: 'shop/orders.write' })))
  assertUnauthorized(t, await call('/orders', await issuer.mint({ token_use: 'access', client_id: 'app-client' })))
  assertUnauthorized(t, await call('/orders', await issuer.mint({ token_use: 'id', aud: 'app-client', scope: 'shop/admin' })))
  t.equal(backend.seen.length, before, 'the backend was not called')
})

t.test('tokens of a generic OIDC issuer (no token_use) follow the scope rule alone', async (t) => {
  t.equal((await call('/profile', await issuer.mint({ aud: 'x' }))).status, 200)
  t.equal((await call('/orders', await issuer.mint({ scope: 'shop/admin' }))).status, 200)
  assertUnauthorized(t, await call('/orders', await issuer.mint({ scope: 'other' })))
})

t.test('missing, expired, foreign-issuer and unsigned tokens: 401', async (t) => {
  const before = backend.seen.length
  assertUnauthorized(t, await call('/profile', null))
  assertUnauthorized(t, await call('/profile', await issuer.mint({ token_use: 'id', exp: Math.floor(Date.now() / 1000) - 300 })))
  assertUnauthorized(t, await call('/profile', await issuer.mint({ token_use: 'id', iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' })))
  const [h, p] = (await issuer.mint({ token_use: 'id' })).split('.')
  assertUnauthorized(t, await call('/profile', `${h}.${p}.`))
  t.equal(backend.seen.length, before)
})
