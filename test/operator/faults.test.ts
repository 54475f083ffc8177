// The operator against a misbehaving API server: cut watches, a 410 after compaction, a status
// write conflict; and a proxy that refuses a snapshot.
import t from 'tap'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, type Gateway } from '../../proxy/gateway.js'
import { subscribe } from '../../proxy/subscriber.js'
import type { GatewayConfig } from '../../proxy/config/schema.js'
import { startServer } from '../helpers/servers.js'
import { api, call, cluster, condition, create, eventually, NS, operator, operatorOptions, proxy, stage, statusOf, streamUrl, TOKEN } from './helpers.js'

t.test('cut watches and a 410: the operator converges to what changed meanwhile', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const logs: string[] = []
  // Restarts wait 1 s: room to change things and compact the history while the watches are down
  // (even on a loaded machine).
  const op = await operator(t, c, { timing: { ...operatorOptions().timing, watchBackoff: { initialMs: 1000, maxMs: 2000 } } }, logs)
  const p = await proxy(t, op)
  await create(c, api('a', backend.port))
  await create(c, stage('a-prod', 'a'))
  await eventually('a served', async () => (await call(p, 'a')).status === 200)

  // Cut every watch, then change things while the informers are down.
  t.ok(c.server.breakWatches() >= 6, 'every informer had a watch open')
  await create(c, api('b', backend.port))
  await create(c, stage('b-prod', 'b'))
  await eventually('b served after the watches were cut', async () => (await call(p, 'b')).status === 200)
  t.match(logs.join('\n'), /watch of \w+ failed .*restarting in/, 'the restart is logged')

  // Cut again, change things, and compact the history before the informers come back: their
  // resourceVersions are now too old (410), they relist, and see the deletion of b and the
  // creation of c made meanwhile.
  await eventually('watches reopened', () => c.server.openWatches() >= 6)
  const before = c.server.requests.length
  c.server.breakWatches()
  await c.co.deleteNamespacedCustomObject({ group: 'tollgate.dev', version: 'v1alpha1', namespace: NS, plural: 'apis', name: 'b' })
  await create(c, api('c', backend.port))
  await create(c, stage('c-prod', 'c'))
  c.server.compactHistory()
  await eventually('c served and b gone', async () => (await call(p, 'c')).status === 200 && (await call(p, 'b')).status === 403)
  const after = c.server.requests.slice(before).filter((r) => r.resource === 'apis' && r.subresource === undefined && (r.verb === 'list' || r.verb === 'watch'))
  t.ok(after.some((r) => r.verb === 'list'), `the apis informer relisted after the 410: ${after.map((r) => `${r.verb}${r.query}`).join(', ')}`)
  await eventually('b-prod says its Api is gone', () => condition(c, 'Stage', 'b-prod', 'ResolvedRefs')?.reason === 'ApiNotFound')
})

t.test('a 409 on a status write is retried and the status lands', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const logs: string[] = []
  const op = await operator(t, c, {}, logs)
  await op.settled()
  const fault = c.server.failNext('patch', 'apis/status', 409)
  const fault2 = c.server.failNext('patch', 'apis/status', 500)
  await create(c, api('conflicted', backend.port))
  await eventually('status written', () => condition(c, 'Api', 'conflicted', 'Accepted')?.status === 'True')
  t.ok(fault.fired && fault2.fired, 'the 409 and the 500 were served')
  const writes = c.server.requests.filter((r) => r.resource === 'apis' && r.subresource === 'status')
  t.same(writes.slice(0, 3).map((r) => r.status), [409, 500, 200], 'failed twice, then landed')
  t.match(logs.join('\n'), /status write of Api\/default\/conflicted failed \(HTTP 409\); retrying/)
  t.equal(statusOf(c, 'Api', 'conflicted').apiId, 'conflicted')
})

/** A real gateway that refuses configs serving an Api with this id (a proxy too old for a feature, say). */
function refusing(gateway: Gateway, apiId: string): Gateway {
  return {
    get server() {
      return gateway.server
    },
    get config() {
      return gateway.config
    },
    apply(config: unknown) {
      if ((config as GatewayConfig).apis.some((a) => a.id === apiId)) throw new Error(`this proxy cannot serve api ${apiId}`)
      gateway.apply(config)
    },
    listen: (port, host) => gateway.listen(port, host),
    get privateServer() {
      return gateway.privateServer
    },
    listenPrivate: (port, host) => gateway.listenPrivate(port, host),
    authorizerMetrics: () => gateway.authorizerMetrics(),
    cache: gateway.cache,
    counters: gateway.counters,
    configHistory: gateway.configHistory,
    close: () => gateway.close(),
  }
}

t.test('a snapshot the proxy refuses: Programmed=False Rejected with the reason, the old config keeps serving', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const op = await operator(t, c)
  const gateway = refusing(createGateway({ log: () => {} }), 'newer')
  const { port } = await gateway.listen(0, '127.0.0.1')
  const sub = subscribe(gateway, { url: streamUrl(op), token: TOKEN, proxyId: 'old-proxy', cacheFile: join(mkdtempSync(join(tmpdir(), 'tg-')), 'lkg.json'), log: () => {} })
  t.teardown(async () => {
    sub.close()
    await gateway.close()
  })
  const p = { port } as Parameters<typeof call>[0]

  await create(c, api('older', backend.port))
  await create(c, stage('older-prod', 'older'))
  await eventually('older served and Programmed', async () => (await call(p, 'older')).status === 200 && condition(c, 'Stage', 'older-prod', 'Programmed')?.status === 'True')
  const served = op.config!.hash

  await create(c, api('newer', backend.port))
  await create(c, stage('newer-prod', 'newer'))
  await eventually('Programmed=False Rejected', () => condition(c, 'Api', 'newer', 'Programmed')?.reason === 'Rejected')
  t.match(condition(c, 'Api', 'newer', 'Programmed'), { status: 'False', message: /old-proxy: this proxy cannot serve api newer/ })
  await eventually('stage status', () => statusOf(c, 'Stage', 'newer-prod').programmed === `0/1 at ${op.config!.hash.slice(0, 12)}`)
  t.equal(sub.hash, served, 'the proxy still serves the previous config')
  t.same(await call(p, 'older'), { status: 200, body: 'ok' }, 'the old config keeps serving')
  t.equal((await call(p, 'newer')).status, 403, 'the refused Api is not served')

  await op.settled()
  const warnings = (c.server.objects('Event', NS) as Array<Record<string, any>>).filter((e) => e.reason === 'Rejected')
  // One per refused config hash: creating the Api and then its Stage may be two configs.
  t.same([...new Set(warnings.map((e) => e.involvedObject.name))].sort(), ['newer', 'newer-prod'], 'a Warning Rejected on what changed, not on older')

  // Delete what the proxy refuses: everything is Programmed again.
  await c.co.deleteNamespacedCustomObject({ group: 'tollgate.dev', version: 'v1alpha1', namespace: NS, plural: 'apis', name: 'newer' })
  await eventually('Programmed again', () => condition(c, 'Stage', 'older-prod', 'Programmed')?.status === 'True' && statusOf(c, 'Stage', 'older-prod').programmed === `1/1 at ${op.config!.hash.slice(0, 12)}`)
})
