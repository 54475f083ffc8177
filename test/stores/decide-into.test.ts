// Meter.decideInto, the meter stage's path on Redis (no promise per request and layer): the
// production chain CountingMeter → ResilientMeter → RedisMeter answered through sinks, on a real
// redis-server. The contract through sinks, every sink answered once and after the call, the
// failure modes (a failed batch, then Redis down: answered before decideInto returns), errors
// that are not about reaching Redis, and an answered batch that lets go of its sinks.
import t, { type Test } from 'tap'
import { CountingMeter } from '../../proxy/metering/metrics.js'
import { MemoryMeter } from '../../proxy/stores/memory-meter.js'
import { MeterUnavailableError, type Decision, type DecisionSink, type Meter, type MeterRequest } from '../../proxy/stores/meter.js'
import { createRedisClient, whenReady } from '../../proxy/stores/redis-connection.js'
import { RedisMeter } from '../../proxy/stores/redis-meter.js'
import { ResilientMeter } from '../../proxy/stores/resilient-meter.js'
import { startRedis } from '../helpers/redis.js'
import { meterContract } from './meter-contract.js'

/** What a sink heard, and whether it heard it before decideInto returned. */
class Recorder implements DecisionSink {
  readonly heard: (Decision | { error: unknown })[] = []
  calling = false
  early = false

  decided(decision: Decision): void {
    if (this.calling) this.early = true
    this.heard.push(decision)
  }

  failed(err: unknown): void {
    if (this.calling) this.early = true
    this.heard.push({ error: err })
  }
}

function ask(meter: Meter, request: MeterRequest): Recorder {
  const sink = new Recorder()
  sink.calling = true
  meter.decideInto!(request, sink)
  sink.calling = false
  return sink
}

const turn = () => new Promise((r) => setTimeout(r, 20))

/** A Meter whose `decide` goes through `decideInto` (the contract's requests, through sinks). */
function throughSinks(meter: Meter): Meter {
  return {
    decide: (request) => new Promise((resolve, reject) => meter.decideInto!(request, { decided: resolve, failed: reject })),
    usage: (domain, quotaKey, from, to) => meter.usage(domain, quotaKey, from, to),
    setRemaining: (domain, quota, remaining) => meter.setRemaining(domain, quota, remaining),
    close: () => meter.close(),
  }
}

async function chain(t: Test, opts: { callTimeoutMs?: number } = {}) {
  const server = await startRedis()
  t.teardown(() => server.stop())
  const client = createRedisClient({ url: server.url, commandTimeoutMs: 100 })
  await whenReady(client)
  const redis = new RedisMeter(client, opts)
  const resilient = new ResilientMeter({ primary: redis, fallback: new MemoryMeter(), heartbeatMs: 0, log: () => {} })
  const meter = new CountingMeter(resilient)
  t.teardown(() => meter.close())
  return { server, client, redis, resilient, meter }
}

t.test('the contract, through the sinks of the production chain', async (t) => {
  const { redis, meter } = await chain(t)
  t.type(meter.decideInto, 'function', 'CountingMeter over ResilientMeter over RedisMeter has decideInto')
  meterContract(t, async () => ({ meter: throughSinks(meter), setTime: (ms) => (redis.clockOffsetMs = ms - Date.now()), close: async () => {} }))
})

t.test('each sink is answered once, after decideInto returned, and counted', async (t) => {
  const { client, redis, meter } = await chain(t)
  const request: MeterRequest = { domain: 'd', buckets: [{ level: 'CLIENT', key: 'k', rate: 0.001, burst: 3 }], quota: { key: 'q', limit: 100, period: 'DAY' }, failureMode: 'OPEN' }
  const sinks = Array.from({ length: 5 }, () => ask(meter, request))
  t.ok(sinks.every((s) => s.heard.length === 0), 'nothing answered before the turn ends')
  await turn()
  t.same(
    sinks.map((s) => s.heard),
    [[{ allowed: true, remaining: 99 }], [{ allowed: true, remaining: 98 }], [{ allowed: true, remaining: 97 }], [{ allowed: false, reason: 'THROTTLED', level: 'CLIENT', remaining: 97 }], [{ allowed: false, reason: 'THROTTLED', level: 'CLIENT', remaining: 97 }]],
    'one answer each, in arrival order',
  )
  t.notOk(sinks.some((s) => s.early), 'none answered while decideInto ran')
  t.match(meter, { allowed: 3, quotaExceeded: 0, unavailable: 0, throttled: { CLIENT: 2 } }, 'CountingMeter counted each outcome')
  t.equal(await client.exists(redis.key('d', 'b', 'k')), 1, 'decided on Redis')
})

t.test('an answered batch lets go of its sinks (they lead to the requests)', async (t) => {
  const { redis, meter } = await chain(t)
  const request: MeterRequest = { domain: 'release', buckets: [{ level: 'STAGE', key: 's', rate: 100, burst: 100 }], quota: null, failureMode: 'OPEN' }
  for (const n of [1, 3]) {
    const sinks = Array.from({ length: n }, () => ask(meter, request))
    // White box: the batch of this turn, before it is sent.
    const batch = (redis as unknown as { open: Map<string, { sinks: DecisionSink[] }> }).open.get('release')!
    t.equal(batch.sinks.length, n, `a batch of ${n} holds its sinks while Redis decides`)
    await turn()
    t.ok(sinks.every((s) => s.heard.length === 1), 'all answered')
    t.equal(batch.sinks.length, 0, `a batch of ${n} (${n === 1 ? 'DECIDE' : 'DECIDE_MANY'}) holds none once answered`)
  }
})

t.test('Redis lost: the failed batch goes to each failure mode, then answers come at once', async (t) => {
  const { server, resilient, meter } = await chain(t, { callTimeoutMs: 150 })
  const open: MeterRequest = { domain: 'd', buckets: [{ level: 'STAGE', key: 's', rate: 100, burst: 100 }], quota: null, failureMode: 'OPEN' }
  const closed: MeterRequest = { ...open, failureMode: 'CLOSED' }
  ask(meter, open)
  await turn()
  server.pause()
  const failed = [ask(meter, open), ask(meter, closed), ask(meter, open)]
  await new Promise((r) => setTimeout(r, 250))
  server.resume()
  const outcome = (s: Recorder) => s.heard.map((h) => ('error' in h ? (h.error instanceof MeterUnavailableError ? 'unavailable' : h.error) : h.allowed))
  t.same(failed.map(outcome), [[true], ['unavailable'], [true]], 'the hung batch: fail open admits through the fallback, fail closed is unavailable')
  t.match(resilient.state(), { redis: 'down', outages: 1, fallbacks: 2, unavailable: 1 })
  const down = [ask(meter, open), ask(meter, closed)]
  t.same(down.map(outcome), [[true], ['unavailable']], 'while down: the failure modes answer')
  t.ok(down.every((s) => s.early), 'before decideInto returned (no round trip, no promise)')
  t.match(meter, { allowed: 4, unavailable: 2 }, 'CountingMeter counted the fallback and the refusals')
})

t.test('an error that is not about reaching Redis reaches the sink as it is', async (t) => {
  const { client, redis, resilient, meter } = await chain(t)
  await client.set(redis.key('d', 'b', 'wrongtype'), 'x')
  const sink = ask(meter, { domain: 'd', buckets: [{ level: 'STAGE', key: 'wrongtype', rate: 1, burst: 1 }], quota: null, failureMode: 'OPEN' })
  await turn()
  t.equal(sink.heard.length, 1)
  t.match(String((sink.heard[0] as { error: unknown }).error), /WRONGTYPE/, 'the reply error, not a fallback decision')
  t.equal(resilient.state().redis, 'up', 'not an outage')
  t.equal(meter.unavailable, 0)
})
