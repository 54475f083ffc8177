// Stage variables everywhere API Gateway allows them, end to end from manifests: integration
// URI (host and port, path, query), integration request parameters, request and response
// mapping templates, integration response parameters, a Lambda authorizer's function URI; two
// stages of one Api with different values. An undefined variable in a URI answers 500
// {"message": "Internal server error"} and is a warning in the Stage's status.
import t from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { startGateway, startUpstream, type Running, type Upstream } from '../proxy/helpers.js'
import { policy, startFunction, type AuthorizerFunction } from '../auth/lambda/functions.js'

const OPTS = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' as const, port: 8080 } }

let backend: Upstream
let fn: AuthorizerFunction
let gw: Running
let warnings: Record<string, string[]>

function manifests(): ResourceObject[] {
  const port = new URL(backend.origin).port
  const fnPort = new URL(fn.origin).port
  const stage = (name: string, variables: Record<string, string>): ResourceObject => ({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: { apiRef: { name: 'vars' }, variables },
  })
  return [
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Authorizer',
      metadata: { name: 'auth' },
      spec: {
        type: 'TOKEN',
        functionUri: 'http://127.0.0.1:${stageVariables.authPort}/2015-03-31/functions/${stageVariables.authFn}/invocations',
        identitySource: 'method.request.header.Authorization',
        resultTtlInSeconds: 0,
      },
    },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'vars' },
      spec: {
        apiId: 'vars',
        routes: [
          {
            path: '/proxy',
            method: 'GET',
            integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'http://${stageVariables.host}:${stageVariables.port}/${stageVariables.prefix}/items?env=${stageVariables.env}' },
          },
          {
            path: '/mapped',
            method: 'POST',
            integration: {
              type: 'HTTP',
              httpMethod: 'POST',
              uri: 'http://${stageVariables.host}:${stageVariables.port}/mapped',
              requestParameters: { 'integration.request.header.x-env': 'stageVariables.env' },
              requestTemplates: { 'application/json': '{"env": "$stageVariables.env", "also": "${stageVariables.prefix}"}' },
              responses: [
                {
                  statusCode: '200',
                  responseParameters: { 'method.response.header.x-stage-env': 'stageVariables.env' },
                  responseTemplates: { 'application/json': '{"backend": $input.json(\'$\'), "env": "$stageVariables.env"}' },
                },
              ],
            },
            methodResponses: [{ statusCode: '200', responseParameters: { 'method.response.header.x-stage-env': false } }],
          },
          {
            path: '/secured',
            method: 'GET',
            authorizationType: 'CUSTOM',
            authorizerRef: { name: 'auth' },
            integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'http://${stageVariables.host}:${stageVariables.port}/secured' },
          },
          { path: '/broken', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'http://${stageVariables.nowhere}/x' } },
        ],
      },
    },
    stage('prod', { host: '127.0.0.1', port, prefix: 'v1', env: 'production', authPort: fnPort, authFn: 'prod-auth', nowhere: '127.0.0.1:1' }),
    stage('dev', { host: '127.0.0.1', port, prefix: 'v2', env: 'development' }),
  ]
}

t.before(async () => {
  backend = await startUpstream((req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ url: req.url, env: req.headers['x-env'] ?? null, body }))
  })
  fn = await startFunction(() => ({ result: policy('user', [{ effect: 'Allow', resource: '*' }]) }))
  const result = compile(manifests(), OPTS)
  warnings = Object.fromEntries(result.statuses.map((s) => [s.ref.name, s.problems.map((p) => `${p.reason}: ${p.message}`)]))
  gw = await startGateway(result.config)
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
  await fn.close()
})

t.test('integration URI: host, port, path and query take each stage its own values', async (t) => {
  const prod = await gw.fetch('vars', '/prod/proxy')
  t.equal((prod.json() as { url: string }).url, '/v1/items?env=production')
  const dev = await gw.fetch('vars', '/dev/proxy')
  t.equal((dev.json() as { url: string }).url, '/v2/items?env=development')
})

t.test('request parameters, request and response templates, response parameters', async (t) => {
  const res = await gw.fetch('vars', '/prod/mapped', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(res.status, 200)
  t.equal(res.headers['x-stage-env'], 'production', 'method.response.header from stageVariables')
  const body = res.json() as { backend: { env: string; body: string }; env: string }
  t.equal(body.backend.env, 'production', 'integration.request.header from stageVariables')
  t.same(JSON.parse(body.backend.body), { env: 'production', also: 'v1' }, '$stageVariables and ${stageVariables} in a request template')
  t.equal(body.env, 'production', '$stageVariables in a response template')
})

t.test("a Lambda authorizer's function URI takes the stage's variables", async (t) => {
  const res = await gw.fetch('vars', '/prod/secured', { headers: { authorization: 'Bearer x' } })
  t.equal(res.status, 200)
  t.same(fn.paths, ['/2015-03-31/functions/prod-auth/invocations'], 'the function named by stageVariables.authFn was called')
  // dev defines neither authPort nor authFn: the route is a configuration error there.
  const dev = await gw.fetch('vars', '/dev/secured', { headers: { authorization: 'Bearer x' } })
  t.equal(dev.status, 500)
  t.same(dev.json(), { message: 'Internal server error' })
  t.equal(fn.paths.length, 1, 'no call without a resolvable function URI')
  t.match(warnings.dev!.join('\n'), /UndefinedStageVariable: stage variable authFn is used by the function URI of Authorizer default\/auth/)
})

t.test('an undefined variable in an integration URI: 500 Internal server error, and a status warning', async (t) => {
  const res = await gw.fetch('vars', '/dev/broken')
  t.equal(res.status, 500)
  t.same(res.json(), { message: 'Internal server error' })
  t.match(warnings.dev!.join('\n'), /UndefinedStageVariable: stage variable nowhere is used by spec\.routes\[\d\]\.integration\.uri of Api vars but not defined in this stage/)
  t.same(warnings.prod, [], 'prod defines everything')
  t.not((await gw.fetch('vars', '/prod/broken')).status, 500, 'the stage that defines it calls the backend (nothing listens: 5xx from the integration, not a configuration error)')
})
