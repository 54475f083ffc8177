// The operator's /metrics after known activity: leadership, compiles, the proxies and their
// ACKs, and the time the fleet took to converge.
import t from 'tap'
import { request } from 'undici'
import { startServer } from '../helpers/servers.js'
import { api, cluster, condition, create, eventually, operator, proxy, stage } from './helpers.js'

function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

t.test('metrics of a converged operator', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const op = await operator(t, c, { leaderElect: true, identity: 'operator-m' })
  await eventually('leading', () => op.leading)
  await proxy(t, op, 'proxy-m')
  await create(c, api('metered', backend.port))
  await create(c, stage('metered-prod', 'metered'))
  await eventually('Programmed', () => condition(c, 'Stage', 'metered-prod', 'Programmed')?.status === 'True')

  const r = await request(`http://127.0.0.1:${op.metricsPort}/metrics`)
  t.equal(r.statusCode, 200)
  t.match(String(r.headers['content-type']), /^text\/plain/)
  const text = await r.body.text()
  const hash = op.config?.hash ?? ''
  t.equal(sample(text, 'tollgate_operator_leader'), 1)
  t.ok((sample(text, 'tollgate_operator_reconciles_total') ?? 0) >= 1, 'compiles counted')
  t.ok((sample(text, 'tollgate_operator_config_bytes') ?? 0) > 100, 'config size')
  t.equal(sample(text, `tollgate_operator_config_info{hash="${hash}"}`), 1)
  t.equal(sample(text, 'tollgate_operator_proxies{state="programmed"}'), 1)
  t.equal(sample(text, 'tollgate_operator_proxies{state="pending"}'), 0)
  t.equal(sample(text, 'tollgate_operator_proxy_programmed{proxy="proxy-m"}'), 1)
  t.ok((sample(text, 'tollgate_operator_proxy_acks_total{result="ack"}') ?? 0) >= 1, 'ACKs counted')
  t.equal(sample(text, 'tollgate_operator_proxy_acks_total{result="nack"}'), 0, 'the NACK series exists before the first NACK (alerts use increase())')
  t.ok((sample(text, 'tollgate_operator_convergence_seconds_count') ?? 0) >= 1, 'convergence observed')
})
