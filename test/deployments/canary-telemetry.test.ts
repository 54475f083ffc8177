// Which side of a canary release served a request shows in metrics and access logs: the
// canary's requests count under stage "{stage}/Canary" (apart from the stage's, as API Gateway
// reports them), and $context.isCanaryRequest says true / false (no value on stages without a
// canary). The gateway's random source is injected, so the split is known exactly.
import t from 'tap'
import { parseExposition } from '../metrics/scrape.js'
import { ProxyMetrics } from '../../proxy/telemetry/metrics-endpoint.js'
import { api, gatewayConfig, integration, route, stage, startUpstream, type Upstream } from '../proxy/helpers.js'
import { startLoggedGateway, type LoggedGateway } from '../proxy/request-logs-helpers.js'

const FORMAT = '$context.requestId $context.stage $context.isCanaryRequest'

let up: Upstream
let gw: LoggedGateway
const metrics = new ProxyMetrics()
let draws: number[] = []

t.before(async () => {
  up = await startUpstream((_req, res) => res.end('ok'))
  const routes = [route('GET /pets', integration({ uri: `${up.origin}/pets` }))]
  const prod = {
    ...stage('prod'),
    logging: { accessLogFormat: FORMAT, routes: {} },
    canary: { revision: 'r1', percentTraffic: 50, variables: {}, useStageCache: false },
  }
  const beta = { ...stage('beta'), logging: { accessLogFormat: FORMAT, routes: {} } }
  gw = await startLoggedGateway(gatewayConfig([api('shop', routes, { stages: [prod, beta] })]), {
    observers: [metrics.requests],
    random: () => draws.shift() ?? 0.99,
  })
  metrics.attach({ gateway: gw.gateway })
})
t.teardown(async () => {
  await gw.close()
  await up.close()
})

t.test('canary requests count and log apart', async (t) => {
  // 0.1 * 100 < 50: canary; 0.9: the stage. Three canary, two stage.
  draws = [0.1, 0.9, 0.1, 0.9, 0.1]
  const from = gw.lines.length
  for (let i = 0; i < 5; i++) t.equal((await gw.fetch('shop', '/prod/pets')).status, 200)
  await gw.fetch('shop', '/beta/pets')
  const lines = await gw.linesAfter(from, 6)
  const sides = lines.map((l) => l.split(' ').slice(1).join(' '))
  t.same(sides, ['prod true', 'prod false', 'prod true', 'prod false', 'prod true', 'beta -'], '$context.stage stays the stage; isCanaryRequest tells')

  const samples = parseExposition(await metrics.text()).filter((s) => s.name === 'tollgate_requests_total')
  const count = (stageLabel: string) => samples.find((s) => s.labels.stage === stageLabel && s.labels.api === 'shop')?.value
  t.equal(count('prod/Canary'), 3, 'the canary side under prod/Canary')
  t.equal(count('prod'), 2, 'the stage side under prod')
  t.equal(count('beta'), 1)
})
