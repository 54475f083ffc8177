// apiKeySource AUTHORIZER, from manifests the way `tollgate run` serves them: the key a Lambda
// authorizer returns (usageIdentifierKey) is the key the usage plan meters; the x-api-key
// header is not read. Also: the Authorizer resource compiled and served end to end.
import t, { type Test } from 'tap'
import { request } from 'undici'
import { startStandalone, type Standalone } from '../../../cli/run.js'
import { manifestDir } from '../../helpers/servers.js'
import { policy, startFunction, type AuthorizerFunction } from './functions.js'

const GOLD = 'GoldKey0123456789abcdefghijk'
const OTHER = 'OtherKey0123456789abcdefghij'

function manifests(fn: AuthorizerFunction): string {
  return `
apiVersion: tollgate.dev/v1alpha1
kind: Authorizer
metadata: {name: keys-from-fn}
spec:
  type: TOKEN
  functionUri: ${fn.invokeUri('keys')}
  identitySource: method.request.header.Authorization
  resultTtlInSeconds: 300
---
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  apiKeySource: AUTHORIZER
  routes:
    - path: /pets
      method: GET
      apiKeyRequired: true
      authorizationType: CUSTOM
      authorizerRef: {name: keys-from-fn}
      integration: {type: MOCK, responses: [{statusCode: '200'}]}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec:
  apiRef: {name: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: keys}
stringData: {gold: ${GOLD}}
---
apiVersion: tollgate.dev/v1alpha1
kind: ApiKey
metadata: {name: gold}
spec: {valueFrom: {secretKeyRef: {name: keys, key: gold}}}
---
apiVersion: tollgate.dev/v1alpha1
kind: UsagePlan
metadata: {name: gold}
spec:
  apiStages: [{apiRef: {name: shop}, stage: prod}]
  throttle: {rateLimit: 0.01, burstLimit: 2}
  apiKeys: [{name: gold}]
`
}

async function start(t: Test, fn: AuthorizerFunction): Promise<{ s: Standalone; logs: string[] }> {
  const logs: string[] = []
  const s = await startStandalone(
    { files: [manifestDir({ 'shop.yaml': manifests(fn) })], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 },
    (line) => logs.push(line),
  )
  t.teardown(() => s.close())
  return { s, logs }
}

async function call(s: Standalone, token: string, apiKey?: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { host: `shop.execute-api.localhost:${s.port}`, authorization: token }
  if (apiKey !== undefined) headers['x-api-key'] = apiKey
  const r = await request(`http://127.0.0.1:${s.port}/prod/pets`, { headers })
  return { status: r.statusCode, body: await r.body.text() }
}

t.test("the authorizer's usageIdentifierKey feeds the usage plan", async (t) => {
  const fn = await startFunction((event) => {
    const token = String(event.authorizationToken)
    const allow = [{ effect: 'Allow' as const, resource: String(event.methodArn) }]
    if (token === 'gold-user') return { result: policy('gold-user', allow, { usageIdentifierKey: GOLD }) }
    if (token === 'stranger') return { result: policy('stranger', allow, { usageIdentifierKey: OTHER }) }
    return { result: policy('keyless', allow) }
  })
  t.teardown(() => fn.close())
  const { s, logs } = await start(t, fn)
  t.notMatch(logs.join('\n'), /error|NotImplemented/, 'the manifests apply cleanly, no NotImplemented warning')

  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await call(s, 'gold-user')).status)
  t.same(statuses, [200, 200, 429], "the gold plan's burst of 2 applies to the key the authorizer returned")
  t.equal(fn.calls, 1, 'one call: the key comes from the cached result too')

  const keyless = await call(s, 'keyless', GOLD)
  t.equal(keyless.status, 403, 'no usageIdentifierKey: no key, and the x-api-key header is not read')
  t.equal(keyless.body, '{"message":"Forbidden"}')
  const stranger = await call(s, 'stranger')
  t.equal(stranger.status, 403, 'a key in no plan for the stage')
})
