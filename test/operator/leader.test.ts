// Two operator replicas: one Lease holder writes statuses; when it goes away (released on a
// graceful stop, or silently as in a crash), the other takes the Lease and writes.
import t from 'tap'
import { startServer } from '../helpers/servers.js'
import { api, cluster, condition, create, eventually, NS, operator, patchSpec, proxy, stage, statusOf } from './helpers.js'

for (const how of ['graceful', 'crash'] as const) {
  t.test(`leader failover (${how})`, async (t) => {
    const backend = await startServer((_req, res) => res.end('ok'))
    t.teardown(backend.close)
    const c = await cluster(t)
    const a = await operator(t, c, { leaderElect: true, identity: 'operator-a' })
    await eventually('a leads', () => a.leading)
    const b = await operator(t, c, { leaderElect: true, identity: 'operator-b' })
    await proxy(t, a, 'proxy-of-a')
    await proxy(t, b, 'proxy-of-b')
    await create(c, api('ha', backend.port))
    await create(c, stage('ha-prod', 'ha'))
    await eventually('status by a', () => condition(c, 'Stage', 'ha-prod', 'Programmed')?.status === 'True')
    await eventually('a counts both replicas\' proxies', () => String(statusOf(c, 'Stage', 'ha-prod').programmed).startsWith('2/2 at '))
    const lease = () => (c.server.objects('Lease', NS)[0]?.spec ?? {}) as Record<string, any>
    t.equal(lease().holderIdentity, 'operator-a')
    t.notOk(b.leading, 'b stands by')
    t.ok(b.ready, 'b compiles and serves the stream all the same')
    t.equal(b.config?.hash, a.config?.hash, 'with the same config')
    t.equal(b.statusWriter.writes, 0, 'and writes no status')

    const stoppedAt = Date.now()
    await a.stop({ releaseLease: how === 'graceful' })
    if (how === 'graceful') t.notOk(lease().holderIdentity, 'a released the Lease')
    await eventually('b leads', () => b.leading, 3000)
    const took = Date.now() - stoppedAt
    t.comment(`b took the Lease ${took} ms after a stopped`)
    // Lease duration 1 s (test timing): a graceful release is taken at b's next retry (100 ms);
    // a crashed holder once its record has not changed for the lease duration.
    t.ok(took <= (how === 'graceful' ? 1000 : 2500), `within the lease duration (+ retry): ${took} ms`)
    t.equal(lease().holderIdentity, 'operator-b')
    t.equal(lease().leaseTransitions, 1)

    // a counted both replicas' proxies (2/2); with a gone, b counts what is left: its own proxy.
    const short = (b.config?.hash ?? '').slice(0, 12)
    await eventually('b writes the fleet it sees', () => statusOf(c, 'Stage', 'ha-prod').programmed === `1/1 at ${short}`, 5000)
    t.ok(b.statusWriter.writes > 0, 'the new leader writes')
    await patchSpec(c, 'apis', 'ha', { routes: [{ path: '/other', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backend.port}/item` } }] })
    await eventually('generation 2 observed by b', () => statusOf(c, 'Api', 'ha').observedGeneration === 2 && condition(c, 'Api', 'ha', 'Programmed')?.status === 'True')
    t.ok(b.statusWriter.writes > 1, 'written by b')
  })
}
