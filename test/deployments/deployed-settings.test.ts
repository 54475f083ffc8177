// A deployment freezes the Api-wide settings with the routes, as API Gateway deploys them with a
// REST API: a stage pinned to an older ApiDeployment keeps the resource policy, gateway
// responses, CORS and apiKeySource it was deployed with while the Api is edited, until it is
// deployed again. Real compiler, real gateway, real upstream, undici.
import t from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { startGateway, startUpstream, type Running, type Upstream } from '../proxy/helpers.js'

const OPTS = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' as const, port: 8080 } }
const INVOKE = 'execute-api:Invoke'

let up: Upstream
let gw: Running

function spec(version: 'v1' | 'v2'): Record<string, unknown> {
  const v1 = version === 'v1'
  return {
    apiId: 'shop',
    routes: [{ path: '/pets', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${up.origin}/pets` } }],
    cors: { allowOrigins: [v1 ? 'https://one.example' : 'https://two.example'], allowMethods: ['GET'] },
    gatewayResponses: { MISSING_AUTHENTICATION_TOKEN: { statusCode: '404', responseTemplates: { 'application/json': `{"gone": "${version}"}` } } },
    // v1 lets everyone in; v2 denies every caller.
    policy: { Version: '2012-10-17', Statement: [{ Effect: v1 ? 'Allow' : 'Deny', Principal: '*', Action: INVOKE, Resource: 'execute-api:/*' }] },
  }
}

function manifests(prodRevision: string | undefined): ResourceObject[] {
  return [
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'shop' }, spec: spec('v2') },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiDeployment', metadata: { name: 'shop-v1' }, spec: { apiRef: { name: 'shop' }, snapshot: spec('v1') } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'shop' }, ...(prodRevision ? { revision: prodRevision } : {}) } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'dev' }, spec: { apiRef: { name: 'shop' } } },
  ]
}

function apply(prodRevision: string | undefined) {
  const result = compile(manifests(prodRevision), OPTS)
  for (const s of result.statuses) if (s.problems.some((p) => p.severity === 'error')) throw new Error(`${s.ref.name}: ${JSON.stringify(s.problems)}`)
  gw.gateway.apply(result.config)
  return result.config
}

t.before(async () => {
  up = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"pets": []}')
  })
  gw = await startGateway(null)
})
t.teardown(async () => {
  await gw.close()
  await up.close()
})

t.test('a pinned stage serves the settings it was deployed with', async (t) => {
  const config = apply('shop-v1')
  const api = config.apis[0]!
  t.equal(api.revisions.length, 2, 'the deployed revision and the current one')
  const pinned = api.revisions.find((r) => r.id === api.stages.find((s) => s.name === 'prod')!.revision)!
  const current = api.revisions.find((r) => r.id === api.stages.find((s) => s.name === 'dev')!.revision)!
  t.not(pinned.id, current.id, 'same routes, other settings: another revision')
  t.same((pinned.settings?.policy as { Statement: { Effect: string }[] }).Statement[0]!.Effect, 'Allow', 'the deployed policy travels with its revision')
  t.equal(current.settings, undefined, "the current revision uses the Api's settings")

  // Resource policy: v1 allows, the Api's current (v2) denies.
  const prod = await gw.fetch('shop', '/prod/pets', { headers: { origin: 'https://one.example' } })
  t.equal(prod.status, 200)
  t.equal(prod.headers['access-control-allow-origin'], 'https://one.example', "v1's CORS")
  const dev = await gw.fetch('shop', '/dev/pets', { headers: { origin: 'https://two.example' } })
  t.equal(dev.status, 403)
  t.same(dev.json(), { Message: 'User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:shop/dev/GET/pets with an explicit deny in a resource-based policy' }, "v2's policy")

  // Gateway responses: each stage answers an unknown route with its revision's customization.
  const prodMissing = await gw.fetch('shop', '/prod/nothing')
  t.equal(prodMissing.status, 404)
  t.same(prodMissing.json(), { gone: 'v1' })
  const devMissing = await gw.fetch('shop', '/dev/nothing')
  t.same(devMissing.json(), { gone: 'v2' })

  // CORS preflight routes and headers follow the revision too.
  const preflight = await gw.fetch('shop', '/prod/pets', { method: 'OPTIONS', headers: { origin: 'https://one.example', 'access-control-request-method': 'GET' } })
  t.equal(preflight.headers['access-control-allow-origin'], 'https://one.example')
})

t.test('deploying again moves the stage to the current settings', async (t) => {
  apply(undefined)
  const prod = await gw.fetch('shop', '/prod/pets')
  t.equal(prod.status, 403, "the current policy applies once the stage follows the Api's spec")
  t.same((await gw.fetch('shop', '/prod/nothing')).json(), { gone: 'v2' })
})
