// The result cache across config changes: a new config with the same authorizer keeps its
// cached results (no call); a changed authorizer (here: another function) starts afresh.
import t from 'tap'
import { api, echoUpstream, gatewayConfig, integration, route, startGateway } from '../../proxy/helpers.js'
import { lambdaAuthorizer, policy, startFunction } from './functions.js'

t.test('cached results survive an unrelated config change, not a change of the authorizer', async (t) => {
  const fn = await startFunction((event) => ({ result: policy('p', [{ effect: 'Allow', resource: String(event.methodArn) }]) }))
  const backend = await echoUpstream()
  t.teardown(async () => {
    await fn.close()
    await backend.close()
  })
  const config = (functionName: string, extraRoute: boolean) => {
    const auth = lambdaAuthorizer({ invokeUri: fn.invokeUri(functionName), resultTtlSeconds: 300 })
    const custom = { authorizationType: 'CUSTOM' as const, authorizer: auth.name }
    const routes = [route('GET /a', integration({ uri: backend.origin }), custom)]
    if (extraRoute) routes.push(route('GET /b', integration({ uri: backend.origin })))
    return gatewayConfig([api('rl', routes, { authorizers: [auth] })])
  }
  const gw = await startGateway(config('one', false))
  t.teardown(() => gw.close())
  const get = () => gw.fetch('rl', '/prod/a', { headers: { authorization: 'tok' } })

  t.equal((await get()).status, 200)
  t.equal(fn.calls, 1)
  gw.gateway.apply(config('one', true))
  t.equal((await get()).status, 200)
  t.equal(fn.calls, 1, 'same authorizer in the new config: served from the cache')
  gw.gateway.apply(config('two', true))
  t.equal((await get()).status, 200)
  t.equal(fn.calls, 2, 'the authorizer changed: called again')
  t.equal(fn.paths.at(-1), '/2015-03-31/functions/two/invocations')
})
