// Redis killed under load, through HTTP on a standalone gateway metering on a real redis-server:
// the stage's failure mode takes over within 1 s (fail open: local buckets, every request still
// answered; fail closed: 503), no request waits on Redis longer than the call bound, and Redis
// decides again within 5 s of its restart.
import t from 'tap'
import { request } from 'undici'
import { Redis } from 'ioredis'
import { startStandalone } from '../../cli/run.js'
import { freePort, startRedis } from '../helpers/redis.js'
import { manifestDir } from '../helpers/servers.js'

const MANIFESTS = `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  routes:
    - {path: /item, method: GET, integration: {type: MOCK, responses: [{statusCode: '200'}]}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: open}
spec: {apiRef: {name: shop}, throttle: {rateLimit: 5000, burstLimit: 5000}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: closed}
spec: {apiRef: {name: shop}, throttle: {rateLimit: 5000, burstLimit: 5000}, meteringFailureMode: CLOSED}
`
// The metering call bound is 100 ms (proxy/metering/create-meter.ts); the test allows 250 ms of
// scheduling slack on top (a loaded CI machine).
const BOUND_MS = 100 + 250

interface Sample {
  at: number
  stage: string
  status: number
  ms: number
}

t.test('kill Redis under load, then restart it', async (t) => {
  const redis = await startRedis()
  t.teardown(() => redis.stop())
  const logs: string[] = []
  const dir = manifestDir({ 'shop.yaml': MANIFESTS })
  const s = await startStandalone(
    { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, redisUrl: redis.url, adminPort: 0 },
    (line) => logs.push(line),
  )
  t.teardown(() => s.close())

  const samples: Sample[] = []
  let stop = false
  const loop = async (stage: string) => {
    while (!stop) {
      const at = Date.now()
      const r = await request(`http://127.0.0.1:${s.port}/${stage}/item`, { headers: { host: `shop.execute-api.localhost:${s.port}` } })
      await r.body.dump()
      samples.push({ at, stage, status: r.statusCode, ms: Date.now() - at })
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const loops = Promise.all(['open', 'open', 'closed', 'closed'].map(loop))
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const until = async (what: string, ok: () => boolean, ms: number) => {
    const from = Date.now()
    while (!ok()) {
      if (Date.now() - from > ms) throw new Error(`not within ${ms} ms: ${what}`)
      await sleep(5)
    }
    return Date.now() - from
  }

  await until('20 requests', () => samples.length >= 20, 5000)
  const before = samples.filter((x) => x.status !== 200)
  t.same(before, [], `Redis up: every request passes (${samples.length} so far; ${logs.filter((l) => l.startsWith('meter:')).join(' | ') || 'no meter transitions'})`)

  await redis.kill()
  const killedAt = Date.now()
  const closedMs = await until('503 on the fail-closed stage', () => samples.some((x) => x.stage === 'closed' && x.at >= killedAt && x.status === 503), 1000)
  t.ok(closedMs <= 1000, `fail closed: 503 ${closedMs} ms after the kill`)
  await sleep(1000)
  const down = samples.filter((x) => x.at > killedAt + closedMs)
  t.ok(down.filter((x) => x.stage === 'open').length > 20, 'the fail-open stage keeps being served')
  t.ok(down.filter((x) => x.stage === 'open').every((x) => x.status === 200), 'fail open: local buckets, every request answered 200')
  t.ok(down.filter((x) => x.stage === 'closed').every((x) => x.status === 503), 'fail closed: 503 while Redis is down')

  await redis.start()
  const restartedAt = Date.now()
  const backMs = await until('the fail-closed stage served again', () => samples.some((x) => x.stage === 'closed' && x.at >= restartedAt && x.status === 200), 5000)
  t.ok(backMs <= 5000, `Redis decides again ${backMs} ms after the restart`)
  await sleep(300)
  stop = true
  await loops

  const probe = new Redis(redis.port, '127.0.0.1')
  t.teardown(() => probe.disconnect())
  t.ok(await probe.exists('tg:{shop/open}:b:s:shop/open'), 'the open stage bucket lives in Redis again')
  const slowest = Math.max(...samples.map((x) => x.ms))
  const afterKill = samples.filter((x) => x.at >= killedAt && x.at < restartedAt)
  t.comment(
    `${samples.length} requests; during the outage ${afterKill.length} (open ${afterKill.filter((x) => x.stage === 'open').length} all 200, ` +
      `closed ${afterKill.filter((x) => x.stage === 'closed' && x.status === 503).length}×503); fail closed after ${closedMs} ms, back ${backMs} ms after restart; slowest request ${slowest} ms`,
  )
  t.ok(slowest <= BOUND_MS, `no request waited longer than the bound (slowest ${slowest} ms, bound ${BOUND_MS} ms)`)
  t.ok(samples.every((x) => x.status === 200 || (x.status === 503 && x.stage === 'closed')), 'nothing but 200, and 503 on the fail-closed stage')
  const metrics = await (await request(`http://127.0.0.1:${s.adminPort}/metrics`)).body.text()
  t.match(metrics, /^tollgate_meter_redis_up 1$/m, 'metrics: Redis up again')
  t.match(metrics, /^tollgate_meter_redis_outages_total 1$/m, 'metrics: one outage')
  t.match(metrics, /^tollgate_meter_fallback_decisions_total [1-9]\d*$/m, 'metrics: fail-open decisions on local buckets')
  t.match(metrics, /^tollgate_meter_unavailable_total [1-9]\d*$/m, 'metrics: fail-closed 503s')
  t.match(metrics, /^tollgate_meter_decisions_total\{outcome="allowed"\} [1-9]\d*$/m)
  t.match(logs.join('\n'), /meter: Redis down/, 'the outage is logged')
  t.match(logs.join('\n'), /meter: Redis back after \d+ ms/, 'the recovery is logged')
})

t.test('a Redis that hangs (SIGSTOP): requests wait at most the bound, then fall back at once', async (t) => {
  const redis = await startRedis()
  t.teardown(() => redis.stop())
  const dir = manifestDir({ 'shop.yaml': MANIFESTS })
  const s = await startStandalone(
    { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, redisUrl: redis.url },
    () => {},
  )
  t.teardown(() => s.close())
  const call = async (stage: string) => {
    const at = Date.now()
    const r = await request(`http://127.0.0.1:${s.port}/${stage}/item`, { headers: { host: `shop.execute-api.localhost:${s.port}` } })
    await r.body.dump()
    return { status: r.statusCode, ms: Date.now() - at }
  }
  t.equal((await call('open')).status, 200)
  redis.pause()
  t.teardown(() => redis.resume())
  const first = await Promise.all([call('open'), call('closed'), call('open')])
  const later = await Promise.all([call('open'), call('closed')])
  t.comment(`hung Redis: first requests ${first.map((r) => `${r.status} in ${r.ms} ms`).join(', ')}; then ${later.map((r) => `${r.status} in ${r.ms} ms`).join(', ')}`)
  t.ok(first.every((r) => r.ms <= BOUND_MS), `the first requests gave up within the bound (${BOUND_MS} ms)`)
  t.same(first.map((r) => r.status), [200, 503, 200], 'then each stage follows its failure mode')
  t.ok(later.every((r) => r.ms < 50), 'later requests do not wait on Redis at all')
  t.same(later.map((r) => r.status), [200, 503])
})

t.test('Redis unreachable at start: metering and the cache wait for it together, then serve without it', async (t) => {
  const logs: string[] = []
  const dir = manifestDir({ 'shop.yaml': MANIFESTS })
  const nobody = await freePort()
  const from = Date.now()
  const s = await startStandalone(
    { files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, redisUrl: `redis://127.0.0.1:${nobody}`, adminPort: 0 },
    (line) => logs.push(line),
  )
  t.teardown(() => s.close())
  const took = Date.now() - from
  t.ok(took >= 1900 && took < 3500, `started after one 2 s wait, not two (${took} ms)`)
  t.ok(logs.some((l) => /^meter: Redis not reachable after 2000 ms/.test(l)), 'metering says so')
  t.ok(logs.some((l) => /^cache: Redis not reachable after 2000 ms/.test(l)), 'the cache says so')
  const r = await request(`http://127.0.0.1:${s.port}/open/item`, { headers: { host: `shop.execute-api.localhost:${s.port}` } })
  await r.body.dump()
  t.equal(r.statusCode, 200, 'the fail-open stage serves on local buckets')
})
