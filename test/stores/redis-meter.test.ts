// RedisMeter on a real single redis-server: the contract, then the Redis-only checks.
import t, { type Test } from 'tap'
import { createRedisClient, whenReady, type RedisClient } from '../../proxy/stores/redis-connection.js'
import { RedisMeter } from '../../proxy/stores/redis-meter.js'
import { startRedis } from '../helpers/redis.js'
import { meterContract } from './meter-contract.js'
import { redisChecks } from './redis-checks.js'

const server = await startRedis()
t.teardown(() => server.stop())
const client = createRedisClient({ url: server.url })
await whenReady(client)
const meter = new RedisMeter(client)
t.teardown(() => meter.close())

/** A meter on its own client (closed in teardown), for tests that need other bounds or a server of their own. */
async function ownMeter(t: Test, url: string, bounds: { commandTimeoutMs?: number; callTimeoutMs?: number } = {}): Promise<{ client: RedisClient; meter: RedisMeter }> {
  const own = createRedisClient({ url, ...(bounds.commandTimeoutMs !== undefined ? { commandTimeoutMs: bounds.commandTimeoutMs } : {}) })
  await whenReady(own)
  const m = new RedisMeter(own, bounds.callTimeoutMs !== undefined ? { callTimeoutMs: bounds.callTimeoutMs } : {})
  t.teardown(() => m.close())
  return { client: own, meter: m }
}

/** A request with only a daily quota of `limit`, in a domain of this process. */
function quotaOnly(name: string, limit: number) {
  return { domain: `${name}-${process.pid}`, buckets: [], quota: { key: 'q', limit, period: 'DAY' as const }, failureMode: 'OPEN' as const }
}

t.test('contract', async (t) => {
  meterContract(t, async () => ({
    meter,
    setTime: (ms) => (meter.clockOffsetMs = ms - Date.now()),
    close: async () => {},
  }))
})

t.test('redis', async (t) => redisChecks(t, () => meter))

t.test('the batches of one turn (several domains) go out in one write, and each decision gets its own answer', async (t) => {
  meter.clockOffsetMs = 0
  if ('nodes' in client) throw new Error('a single node client')
  const stream = client.stream
  const writes: number[] = []
  const writev = stream._writev!.bind(stream)
  const write = stream._write.bind(stream)
  stream._writev = (chunks: { chunk: unknown; encoding: BufferEncoding }[], cb: (err?: Error | null) => void) => {
    writes.push(chunks.length)
    writev(chunks, cb)
  }
  stream._write = (chunk: unknown, enc: BufferEncoding, cb: (err?: Error | null) => void) => {
    writes.push(1)
    write(chunk, enc, cb)
  }
  t.teardown(() => {
    stream._writev = writev
    stream._write = write
  })
  const reqs = [1, 2].map((d) => ({ domain: `batch-${d}-${process.pid}`, buckets: [], quota: { key: 'q', limit: 20, period: 'DAY' as const }, failureMode: 'OPEN' as const }))
  await Promise.all([meter.decide(reqs[0]!), meter.decide(reqs[0]!), meter.decide(reqs[1]!)]) // the scripts are cached
  writes.length = 0
  const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => meter.decide(reqs[i % 2]!)))
  t.same(writes, [2], 'one write of two calls (one per domain)')
  const ofDomain = (d: number) => decisions.filter((_, i) => i % 2 === d)
  t.same(ofDomain(0).map((d) => d.allowed && d.remaining), [17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3], 'the first domain (two used before): each answer its own, in order')
  t.same(ofDomain(1).map((d) => d.allowed && d.remaining), [18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4], 'the second domain (one used before)')
})

t.test("while a domain's call is in flight its next decisions wait, and go out together in one call", async (t) => {
  const { meter: held } = await ownMeter(t, server.url, { commandTimeoutMs: 5000, callTimeoutMs: 5000 })
  const req = quotaOnly('held', 50)
  const other = quotaOnly('held-other', 50)
  await Promise.all([held.decide(req), held.decide(other)]) // the scripts are cached
  const calls = async () => Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(await client.info('commandstats'))?.[1] ?? 0)
  const before = await calls()
  const turn = () => new Promise((r) => setImmediate(r))
  server.pause()
  let first: Promise<unknown>[] = []
  const later: Promise<unknown>[] = []
  try {
    first = [held.decide(req), held.decide(req)]
    await turn() // the first call goes out (Redis is stopped: it stays in flight)
    for (let i = 0; i < 3; i++) {
      later.push(held.decide(req), held.decide(req))
      await turn()
    }
    later.push(held.decide(other))
    await turn()
  } finally {
    server.resume()
  }
  const decisions = (await Promise.all([...first, ...later])) as { allowed: boolean; remaining: number }[]
  t.same(decisions.map((d) => d.remaining), [48, 47, 46, 45, 44, 43, 42, 41, 48], 'each decision its own, in arrival order')
  t.equal((await calls()) - before, 3, 'the first call, then the six decisions of three turns in one call; the other domain did not wait')
})

t.test("a call that cannot reach Redis refuses the decisions held behind it at once: no decision waits two bounds", async (t) => {
  const { meter: held } = await ownMeter(t, server.url, { commandTimeoutMs: 5000, callTimeoutMs: 200 })
  const req = quotaOnly('dead', 50)
  await held.decide(req) // the scripts are cached
  const turn = () => new Promise((r) => setImmediate(r))
  const settled = (p: Promise<unknown>) => p.then(() => 'allowed', (err: unknown) => `${(err as Error).name} after ${Date.now() - start} ms`)
  server.pause()
  const start = Date.now()
  try {
    const first = settled(held.decide(req))
    await turn()
    const later = settled(held.decide(req))
    await turn()
    const outcomes = await Promise.all([first, later])
    for (const o of outcomes) t.match(o, /^MeterUnavailableError after \d+ ms$/)
    const waited = outcomes.map((o) => Number(/after (\d+)/.exec(o)![1]))
    t.ok(waited[1]! < 350, `the held decision was refused with the call it waited for (${waited.join(', ')} ms), not after a second bound`)
  } finally {
    server.resume()
  }
})

t.test('addUsage: adds once per id, to the quota only in its own period', async (t) => {
  meter.clockOffsetMs = 0
  const domain = `add-${process.pid}`
  const quota = { key: 'plan/key', limit: 10, period: 'DAY' as const }
  const today = Math.floor(Date.now() / 86_400_000)
  const day = new Date(today * 86_400_000).toISOString().slice(0, 10)
  const req = { domain, buckets: [], quota, failureMode: 'OPEN' as const }
  t.match(await meter.decide(req), { allowed: true, remaining: 9 })
  t.equal(await meter.addUsage(domain, quota, { id: 'p1-1', periodStart: today, day: today, used: 4 }), true, 'added')
  t.equal(await meter.addUsage(domain, quota, { id: 'p1-1', periodStart: today, day: today, used: 4 }), false, 'the same id again (a retry): not added')
  t.same(await meter.usage(domain, quota.key, day, day), [{ day, used: 5, remaining: 5 }], 'GetUsage: 1 decided + 4 added')
  t.match(await meter.decide(req), { allowed: true, remaining: 4 }, 'the quota counts them')
  const yesterday = new Date((today - 1) * 86_400_000).toISOString().slice(0, 10)
  t.equal(await meter.addUsage(domain, quota, { id: 'p1-2', periodStart: today - 1, day: today - 1, used: 3 }), true)
  t.same(await meter.usage(domain, quota.key, yesterday, day), [{ day: yesterday, used: 3, remaining: null }, { day, used: 6, remaining: 4 }], 'yesterday (a past period) in the daily usage only')
  t.match(await meter.decide(req), { allowed: true, remaining: 3 }, 'not in today\'s quota')
})

t.test('names beyond ASCII: the call the meter encodes itself gives each key its length in bytes', async (t) => {
  meter.clockOffsetMs = 0
  const domain = `dömäin-π-${process.pid}`
  const bucket = { level: 'CLIENT' as const, key: 'plän/ünïcode/GET /café', rate: 0.001, burst: 3 }
  const req = { domain, buckets: [bucket], quota: { key: 'quöta-✓', limit: 100, period: 'DAY' as const }, failureMode: 'CLOSED' as const }
  const ascii = { ...req, buckets: [{ ...bucket, key: 'plain' }], quota: { key: 'q', limit: 100, period: 'DAY' as const } }
  await meter.decide(ascii) // the scripts are cached: the batch below is one EVALSHA
  const decisions = await Promise.all(Array.from({ length: 5 }, () => meter.decide(req)).concat(meter.decide(ascii)))
  t.same(
    decisions.map((d) => d.allowed),
    [true, true, true, false, false, true],
    'burst 3 of the non-ASCII bucket, then throttled; the ASCII shape in the same call decided on its own keys',
  )
  t.same(decisions.slice(0, 3).map((d) => d.remaining), [99, 98, 97])
  t.equal(await client.exists(meter.key(domain, 'b', bucket.key)), 1, 'the bucket key is stored under its exact name')
  t.equal(await client.exists(meter.key(domain, 'q', req.quota.key)), 1, 'the quota key too')
})

t.test('after Redis restarts, the scripts are loaded on the new connection ahead of any decision: no NOSCRIPT, no EVAL', async (t) => {
  const own = await startRedis()
  t.teardown(() => own.stop())
  const { client: c, meter: m } = await ownMeter(t, own.url)
  const req = quotaOnly('restart', 10)
  t.match(await m.decide(req), { allowed: true, remaining: 9 })
  await own.kill()
  await own.start()
  const deadline = Date.now() + 5000
  while (c.status !== 'ready' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  t.equal(c.status, 'ready', 'reconnected')
  const batch = await Promise.all([1, 2, 3].map(() => m.decide(req)))
  t.same(batch.map((d) => d.remaining), [9, 8, 7], 'a batch (DECIDE_MANY) on the emptied Redis')
  t.match(await m.decide(req), { allowed: true, remaining: 6 }, 'one decision (DECIDE)')
  const stats = await c.info('commandstats')
  t.notMatch(stats, /cmdstat_eval:/, 'no EVAL: neither call met NOSCRIPT')
  t.match(stats, /cmdstat_evalsha:calls=2,/, 'two EVALSHA on the new server')
})
