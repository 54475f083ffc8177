// Proxies subscribe to any operator replica; the leader's statuses count all of them. Each
// replica reports its proxies in a ConfigMap; the leader adds the others' reports to its own.
import t from 'tap'
import { startServer } from '../helpers/servers.js'
import { api, call, cluster, condition, create, eventually, NS, operator, proxy, stage, statusOf } from './helpers.js'

t.test('the leader counts the proxies of every replica', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const a = await operator(t, c, { leaderElect: true, identity: 'operator-a' })
  await eventually('a leads', () => a.leading)
  const b = await operator(t, c, { leaderElect: true, identity: 'operator-b' })
  await proxy(t, a, 'proxy-1')
  const p2 = await proxy(t, b, 'proxy-2')
  const p3 = await proxy(t, b, 'proxy-3')
  await create(c, api('fleet', backend.port))
  await create(c, stage('fleet-prod', 'fleet'))

  const hash = () => (a.config?.hash ?? '').slice(0, 12)
  await eventually('3/3 on the Stage', () => statusOf(c, 'Stage', 'fleet-prod').programmed === `3/3 at ${hash()}`, 8000)
  t.equal(condition(c, 'Stage', 'fleet-prod', 'Programmed')?.status, 'True')
  t.same(
    a.status().fleet.proxies.map((p) => [p.id, p.replica, p.state]),
    [
      ['proxy-1', 'operator-a', 'Programmed'],
      ['proxy-2', 'operator-b', 'Programmed'],
      ['proxy-3', 'operator-b', 'Programmed'],
    ],
    "/status lists the other replica's proxies with their replica",
  )
  t.equal((await call(p2, 'fleet')).status, 200, 'a proxy of the standby serves')

  const reports = c.server.objects('ConfigMap', NS).filter((cm) => (cm.metadata as { labels?: Record<string, string> }).labels?.['tollgate.dev/fleet'] === 'tollgate-operator')
  t.same(reports.map((cm) => (cm.metadata as { name: string }).name).sort(), ['tollgate-operator-fleet-operator-a', 'tollgate-operator-fleet-operator-b'], 'one report per replica')

  await p3.shutdown()
  await eventually('2/2 once a proxy of b left', () => statusOf(c, 'Stage', 'fleet-prod').programmed === `2/2 at ${hash()}`, 8000)

  // A replica that vanishes without cleaning up: its report goes stale and stops counting.
  await b.stop({ releaseLease: false })
  await eventually('1/1 once b is gone', () => statusOf(c, 'Stage', 'fleet-prod').programmed === `1/1 at ${hash()}`, 8000)
  t.notOk(
    c.server.objects('ConfigMap', NS).some((cm) => (cm.metadata as { name: string }).name === 'tollgate-operator-fleet-operator-b'),
    'a replica that stops deletes its report',
  )
})
