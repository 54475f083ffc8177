// The operator's /metrics after known activity: leadership, compiles, the proxies and their
// ACKs, and the time the fleet took to converge.
import t from 'tap'
import { request } from 'undici'
import { startServer } from '../helpers/servers.js'
import { api, cluster, condition, create, eventually, operator, patchSpec, proxy, stage } from './helpers.js'
import { refusingProxy } from './refusing.js'

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

/** Every sample of a metric: labels text → value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_]+)(\{[^}]*\})? (\S+)$/)
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]))
  }
  return out
}

async function scrape(op: { metricsPort: number }): Promise<string> {
  return (await request(`http://127.0.0.1:${op.metricsPort}/metrics`)).body.text()
}

t.test('ACK and NACK per hash, publish time, and the time from a change to every proxy ACKing it', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const op = await operator(t, c, { holdOffMs: 50 })
  await proxy(t, op, 'proxy-good')
  const old = refusingProxy(t, op, 'proxy-old', 'refused')
  await create(c, api('listed', backend.port))
  await create(c, stage('listed-prod', 'listed'))
  await eventually('both proxies serve listed', () => {
    const hash = op.config?.hash
    return op.config?.apis.length === 1 && op.stream.proxies().length === 2 && op.stream.proxies().every((p) => p.ackedHash === hash)
  })
  await op.settled()
  const before = await scrape(op)
  const h1 = op.config!.hash
  t.same(samples(before, 'tollgate_operator_acked_proxies'), new Map([[`{hash="${h1}"}`, 2]]), 'both proxies ACKed the current hash')
  t.same(samples(before, 'tollgate_operator_nacked_proxies'), new Map(), 'no NACK')

  // One edit: one new config, one convergence, one change-to-programmed observation.
  const t0 = Date.now() / 1000
  await patchSpec(c, 'apis', 'listed', { routes: [{ path: '/other', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backend.port}/item` } }] })
  await eventually('a new hash everywhere', () => op.config!.hash !== h1 && op.stream.proxies().every((p) => p.ackedHash === op.config!.hash))
  await op.settled()
  const t1 = Date.now() / 1000
  const h2 = op.config!.hash
  const after = await scrape(op)
  const delta = (name: string) => (sample(after, name) ?? 0) - (sample(before, name) ?? 0)
  t.equal(delta('tollgate_operator_change_to_programmed_seconds_count'), 1, 'one observation for one edit')
  t.equal(delta('tollgate_operator_convergence_seconds_count'), 1)
  const changeSeconds = delta('tollgate_operator_change_to_programmed_seconds_sum')
  t.ok(changeSeconds >= 0.05, `includes the 50 ms hold-off (${changeSeconds} s)`)
  t.ok(changeSeconds >= delta('tollgate_operator_convergence_seconds_sum'), 'change → ACKs is at least publish → ACKs')
  t.ok(changeSeconds < t1 - t0 + 0.01, 'no longer than the test waited')
  const published = sample(after, 'tollgate_operator_config_published_timestamp_seconds') ?? 0
  t.ok(published >= t0 - 0.01 && published <= t1 + 0.01, `published at ${published}, within the edit`)
  t.same(samples(after, 'tollgate_operator_acked_proxies'), new Map([[`{hash="${h2}"}`, 2]]), 'the old hash is gone from the gauge')

  // A config the old proxy refuses: per hash, who ACKed and who NACKed.
  await create(c, api('refused', backend.port))
  await create(c, stage('refused-prod', 'refused'))
  await eventually('the NACK', () => op.stream.proxies().some((p) => p.nack?.hash === op.config!.hash && op.config!.apis.length === 2))
  await eventually('the good proxy ACKed', () => op.stream.proxies().some((p) => p.id === 'proxy-good' && p.ackedHash === op.config!.hash))
  const h3 = op.config!.hash
  const refused = await scrape(op)
  t.equal(old.subscriber.hash, old.gateway.config?.hash, 'the old proxy serves what it ACKed')
  const stillOld = old.gateway.config!.hash
  t.not(stillOld, h3)
  t.same(samples(refused, 'tollgate_operator_acked_proxies'), new Map([[`{hash="${h3}"}`, 1], [`{hash="${stillOld}"}`, 1]]))
  t.same(samples(refused, 'tollgate_operator_nacked_proxies'), new Map([[`{hash="${h3}"}`, 1]]))
  t.equal(sample(refused, 'tollgate_operator_proxies{state="rejected"}'), 1)
  t.ok((sample(refused, 'tollgate_operator_proxy_acks_total{result="nack"}') ?? 0) >= 1, 'NACKs counted')
  t.equal(sample(refused, 'tollgate_operator_change_to_programmed_seconds_count'), sample(after, 'tollgate_operator_change_to_programmed_seconds_count'), 'not converged: nothing observed')
})
