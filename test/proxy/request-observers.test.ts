// The request-end contract of telemetry/observer.ts: every request, routed or answered early,
// reaches each observer once when its response closed, with its API and stage when known and
// the integration's start and end times (IntegrationLatency) inside the request's.
import t from 'tap'
import { RequestContext } from '../../proxy/context.js'
import { EarlyAnswer, type RequestEnd } from '../../proxy/telemetry/observer.js'
import { api, gatewayConfig, integration, route, startGateway, startUpstream, type Running, type Upstream } from './helpers.js'

const ends: RequestEnd[] = []
let backend: Upstream
let gw: Running

t.before(async () => {
  backend = await startUpstream((_req, res) => setTimeout(() => res.end('{"ok":true}'), 20))
  const config = gatewayConfig([
    api('obs', [
      route('GET /slow', integration({ uri: `${backend.origin}/slow` })),
      route('GET /mock', integration({ type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } })),
    ]),
  ])
  gw = await startGateway(config, { observers: [{ requestEnded: (end) => ends.push(end) }, { requestEnded: () => undefined }] })
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

async function endOf(path: string, apiId = 'obs'): Promise<RequestEnd> {
  const before = ends.length
  await gw.fetch(apiId, path)
  for (let i = 0; i < 50 && ends.length === before; i++) await new Promise((r) => setTimeout(r, 5))
  t.equal(ends.length, before + 1, `${path}: one end per request`)
  return ends[ends.length - 1]!
}

t.test('a proxied request carries its context and integration times', async (t) => {
  const end = await endOf('/prod/slow')
  t.ok(end.ctx instanceof RequestContext)
  const ctx = end.ctx as RequestContext
  t.equal(ctx.route.config.key, 'GET /slow')
  t.equal(end.res.statusCode, 200)
  t.ok(end.finished)
  t.ok(ctx.integrationStartHr >= end.startedHr, 'integration starts after the request')
  t.ok(ctx.integrationEndHr - ctx.integrationStartHr >= 15, 'the backend took its 20 ms')
  t.ok(end.endedHr >= ctx.integrationEndHr, 'the request ends after the integration')
})

t.test('a mock has no integration time', async (t) => {
  const ctx = (await endOf('/prod/mock')).ctx as RequestContext
  t.equal(ctx.integrationStartHr, 0)
  t.equal(ctx.integrationEndHr, 0)
})

t.test('early answers say what was known', async (t) => {
  const noRoute = (await endOf('/prod/nothing')).ctx
  t.ok(noRoute instanceof EarlyAnswer)
  t.equal((noRoute as EarlyAnswer).api?.id, 'obs')
  t.equal((noRoute as EarlyAnswer).stage?.name, 'prod')
  t.equal((noRoute as EarlyAnswer).responseType, 'MISSING_AUTHENTICATION_TOKEN')
  const noStage = (await endOf('/dev/slow')).ctx as EarlyAnswer
  t.equal(noStage.stage, null)
  t.equal(noStage.responseType, 'API_NOT_FOUND')
  const noApi = (await endOf('/prod/slow', 'nope')).ctx as EarlyAnswer
  t.equal(noApi.api, null)
})
