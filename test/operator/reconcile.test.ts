// Resources created through client-node reach a real proxy; statuses and conditions of a good
// and a broken Api (the broken one blocks nothing); Programmed once the proxy ACKed; Events.
import t from 'tap'
import { request } from 'undici'
import { startServer } from '../helpers/servers.js'
import { api, call, cluster, condition, create, eventually, operator, proxy, stage, statusOf } from './helpers.js'

t.test('a good and a broken Api: served, statuses, Programmed, Events', async (t) => {
  const backend = await startServer((_req, res) => res.end('hello'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const op = await operator(t, c)
  const p = await proxy(t, op)

  const ready = async () => (await request(`http://127.0.0.1:${op.metricsPort}/readyz`)).statusCode
  await eventually('operator ready', async () => (await ready()) === 200)

  const started = Date.now()
  await create(c, api('good', backend.port))
  await create(c, stage('good-prod', 'good'))
  // A path with a greedy variable that is not last: the compiler refuses it.
  await create(c, api('broken', backend.port, '/{proxy+}/x'))
  await create(c, stage('broken-prod', 'broken'))

  await eventually('the good Api is served', async () => (await call(p, 'good')).status === 200)
  t.comment(`served ${Date.now() - started} ms after the creates`)
  t.same(await call(p, 'good'), { status: 200, body: 'hello' })
  t.equal((await call(p, 'broken')).status, 403, 'the broken Api is not served (unknown api → 403 as on AWS)')

  await eventually('Programmed on the good Api and Stage', () => condition(c, 'Stage', 'good-prod', 'Programmed')?.status === 'True' && condition(c, 'Api', 'good', 'Programmed')?.status === 'True')
  await op.settled()
  const hash = op.config!.hash
  const goodStage = statusOf(c, 'Stage', 'good-prod')
  t.equal(goodStage.programmed, `1/1 at ${hash.slice(0, 12)}`)
  t.equal(goodStage.url, 'http://good.execute-api.localhost:8080/prod')
  t.equal(goodStage.observedGeneration, 1)
  const goodApi = statusOf(c, 'Api', 'good')
  t.equal(goodApi.apiId, 'good')
  t.same(goodApi.endpoints, ['http://good.execute-api.localhost:8080/prod'])
  t.match(condition(c, 'Api', 'good', 'Accepted'), { status: 'True', reason: 'Accepted', observedGeneration: 1 })
  t.match(condition(c, 'Api', 'good', 'ResolvedRefs'), { status: 'True', reason: 'ResolvedRefs' })
  t.match(condition(c, 'Api', 'good', 'Programmed'), { status: 'True', reason: 'Programmed', message: /1\/1 proxies serve config/ })
  t.match(condition(c, 'Api', 'good', 'Accepted')?.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

  await eventually('the broken Api has a status', () => condition(c, 'Api', 'broken', 'Accepted') !== undefined)
  t.match(condition(c, 'Api', 'broken', 'Accepted'), { status: 'False', reason: 'InvalidPath' })
  t.match(condition(c, 'Api', 'broken', 'Programmed'), { status: 'False', reason: 'Invalid' })
  await eventually('the broken Stage has a status', () => condition(c, 'Stage', 'broken-prod', 'Accepted') !== undefined)
  t.match(condition(c, 'Stage', 'broken-prod', 'Accepted'), { status: 'False', reason: 'ApiNotAccepted' })
  t.match(condition(c, 'Stage', 'broken-prod', 'ResolvedRefs'), { status: 'False', reason: 'ApiNotAccepted' })
  t.notOk(statusOf(c, 'Stage', 'broken-prod').url, 'no url for a stage that is not served')

  // Events: Deployed on the good ones, a Warning on the broken ones, once each.
  await op.settled()
  const events = () => c.server.objects('Event', 'default') as Array<Record<string, any>>
  await eventually('Deployed event', () => events().some((e) => e.reason === 'Deployed' && e.involvedObject.name === 'good-prod'))
  t.ok(events().some((e) => e.type === 'Warning' && e.reason === 'InvalidPath' && e.involvedObject.name === 'broken'), 'Warning InvalidPath on the broken Api')

  // Nothing changes → nothing is written again: the status writes and events stay put.
  const writes = op.statusWriter.writes
  const eventCount = events().length
  const ltt = condition(c, 'Api', 'good', 'Accepted')?.lastTransitionTime
  await c.co.patchNamespacedCustomObject({ group: 'tollgate.dev', version: 'v1alpha1', namespace: 'default', plural: 'apis', name: 'good', body: { metadata: { labels: { touched: 'yes' } } } }, (await import('./helpers.js')).merge)
  await new Promise((r) => setTimeout(r, 300))
  await op.settled()
  t.equal(op.statusWriter.writes, writes, 'a metadata-only change writes no status')
  t.equal(events().length, eventCount, 'and emits no event')
  t.equal(condition(c, 'Api', 'good', 'Accepted')?.lastTransitionTime, ltt, 'lastTransitionTime kept')

  // Fix the broken Api: it is served, and the good one is untouched.
  await (await import('./helpers.js')).patchSpec(c, 'apis', 'broken', { routes: [{ path: '/item', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backend.port}/item` } }] })
  await eventually('the fixed Api is served', async () => (await call(p, 'broken')).status === 200)
  await eventually('the fixed Api is Accepted', () => condition(c, 'Api', 'broken', 'Accepted')?.status === 'True')
  t.equal(condition(c, 'Api', 'broken', 'Accepted')?.observedGeneration, 2)
})
