// The contract every Meter keeps, run against MemoryMeter, RedisMeter on one node and RedisMeter
// on a Redis Cluster. A fixture controls time: the memory store's injected clock, or the Redis
// store's test-only offset to the server clock (real time keeps running there, so the cases
// leave a margin of a few hundred milliseconds around each expectation).
//
// Decisions requested together (in one event-loop turn: RedisMeter sends them as one batch, one
// DECIDE_MANY call per domain) must give exactly what the same decisions give one at a time
// (one DECIDE each): the "batch" cases run a workload both ways, in two fresh domains at the same
// clock, and compare every decision, the usage reports and the state left behind. Their rates
// are so low that the real time running between the two runs refills nothing that matters.
import type { Test } from 'tap'
import { THROTTLE_ORDER, type Bucket, type Decision, type Meter, type MeterRequest, type Quota } from '../../proxy/stores/meter.js'
import { dayString, epochDay } from '../../proxy/stores/quota-period.js'

export interface MeterFixture {
  readonly meter: Meter
  /** Makes the store's clock read `ms` (epoch milliseconds) now. */
  setTime(ms: number): void
  close(): Promise<void>
}

let unique = 0
/** A name no other case uses, so cases share one store without sharing state. */
export function fresh(what: string): string {
  return `${what}-${process.pid}-${++unique}`
}

export function request(domain: string, buckets: Bucket[], quota: Quota | null = null): MeterRequest {
  return { domain, buckets, quota, failureMode: 'OPEN' }
}

export async function decideMany(meter: Meter, req: MeterRequest, n: number): Promise<Decision[]> {
  const out: Decision[] = []
  for (let i = 0; i < n; i++) out.push(await meter.decide(req))
  return out
}

const allowedCount = (ds: Decision[]) => ds.filter((d) => d.allowed).length

/** A deterministic pseudo-random sequence (mulberry32), so a failing mix can be replayed. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Request shapes of one domain that share buckets and quotas in every way the meter stage
 * builds them: two keys of one plan (own client buckets, own quotas), a per-method limit, the
 * stage and account buckets shared by all, a route without a key (no quota), and a request of
 * the first key in its quota's initial period (same quota key, lower limit).
 */
function mixedShapes(domain: string, scale = 1): MeterRequest[] {
  const slow = 0.001 // tokens per second: nothing refills while the test runs
  const stage: Bucket = { level: 'STAGE', key: 'stage', rate: slow, burst: 14 * scale }
  const account: Bucket = { level: 'ACCOUNT', key: 'account', rate: slow, burst: 40 * scale }
  const clientA: Bucket = { level: 'CLIENT', key: 'client:a', rate: slow, burst: 5 * scale }
  const clientB: Bucket = { level: 'CLIENT', key: 'client:b', rate: slow, burst: 30 * scale }
  const methodA: Bucket = { level: 'CLIENT_METHOD', key: 'client-method:a:POST', rate: slow, burst: 2 * scale }
  const quotaA: Quota = { key: 'plan/a', limit: 6 * scale, period: 'MONTH' }
  const quotaB: Quota = { key: 'plan/b', limit: 3 * scale, period: 'DAY' }
  return [
    request(domain, [clientA, stage, account], quotaA),
    request(domain, [methodA, clientA, stage, account], quotaA),
    request(domain, [clientB, stage, account], quotaB),
    request(domain, [stage, account]),
    request(domain, [clientA, stage, account], { ...quotaA, limit: 4 * scale }),
  ]
}

/** Decides `order` (indices into `shapes`) one at a time, each awaited before the next. */
async function oneByOne(meter: Meter, shapes: MeterRequest[], order: number[]): Promise<Decision[]> {
  const out: Decision[] = []
  for (const i of order) out.push(await meter.decide(shapes[i]!))
  return out
}

/** Requests `order` all in one event-loop turn, then awaits them. */
function together(meter: Meter, shapes: MeterRequest[], order: number[]): Promise<Decision[]> {
  return Promise.all(order.map((i) => meter.decide(shapes[i]!)))
}
const T0 = Date.UTC(2031, 4, 14, 12, 0, 0) // a Wednesday noon, UTC

export function meterContract(t: Test, make: () => Promise<MeterFixture>): void {
  let fx: MeterFixture
  t.before(async () => {
    fx = await make()
  })
  t.teardown(async () => fx.close())

  t.test('a full bucket admits burst requests, then the steady rate', async (t) => {
    fx.setTime(T0)
    const domain = fresh('d')
    const req = request(domain, [{ level: 'STAGE', key: 'stage', rate: 2, burst: 3 }])
    t.equal(allowedCount(await decideMany(fx.meter, req, 5)), 3, 'burst of 3')
    fx.setTime(T0 + 1200)
    t.equal(allowedCount(await decideMany(fx.meter, req, 4)), 2, '2 tokens (2.4) after 1.2 s at 2/s')
    fx.setTime(T0 + 60_000)
    t.equal(allowedCount(await decideMany(fx.meter, req, 5)), 3, 'refill is capped at burst')
  })

  t.test('a rate below one per second refills fractional tokens', async (t) => {
    fx.setTime(T0)
    const req = request(fresh('d'), [{ level: 'CLIENT', key: 'c', rate: 0.5, burst: 1 }])
    t.equal(allowedCount(await decideMany(fx.meter, req, 2)), 1)
    fx.setTime(T0 + 1000)
    t.equal(allowedCount(await decideMany(fx.meter, req, 1)), 0, 'half a token after 1 s')
    fx.setTime(T0 + 2200)
    t.equal(allowedCount(await decideMany(fx.meter, req, 2)), 1, 'a whole token after 2 s')
  })

  t.test('rate 0 or burst 0 admits nothing', async (t) => {
    fx.setTime(T0)
    const d1 = await fx.meter.decide(request(fresh('d'), [{ level: 'METHOD', key: 'm', rate: 0, burst: 10 }]))
    const d2 = await fx.meter.decide(request(fresh('d'), [{ level: 'STAGE', key: 's', rate: 10, burst: 0 }]))
    t.match(d1, { allowed: false, reason: 'THROTTLED', level: 'METHOD' })
    t.match(d2, { allowed: false, reason: 'THROTTLED', level: 'STAGE' })
  })

  t.test('each level denies on its own and is named in the decision', async (t) => {
    fx.setTime(T0)
    for (const level of THROTTLE_ORDER) {
      const domain = fresh('d')
      const buckets = THROTTLE_ORDER.map((l) => ({ level: l, key: l, rate: 1, burst: l === level ? 1 : 100 }))
      const [first, second] = await decideMany(fx.meter, request(domain, buckets), 2)
      t.match(first, { allowed: true }, `${level}: first allowed`)
      t.match(second, { allowed: false, reason: 'THROTTLED', level }, `${level}: second denied by ${level}`)
    }
  })

  t.test('the first empty bucket in AWS order is the one reported', async (t) => {
    fx.setTime(T0)
    const buckets: Bucket[] = [
      { level: 'CLIENT', key: 'c', rate: 1, burst: 1 },
      { level: 'STAGE', key: 's', rate: 1, burst: 1 },
    ]
    const [, second] = await decideMany(fx.meter, request(fresh('d'), buckets), 2)
    t.match(second, { allowed: false, level: 'CLIENT' })
  })

  t.test('a denied request consumes nothing: no token, no quota', async (t) => {
    fx.setTime(T0)
    const domain = fresh('d')
    const quota: Quota = { key: 'plan/key', limit: 100, period: 'DAY' }
    const wide: Bucket = { level: 'CLIENT', key: 'wide', rate: 1, burst: 5 }
    const narrow: Bucket = { level: 'METHOD', key: 'narrow', rate: 1, burst: 1 }
    t.match(await fx.meter.decide(request(domain, [wide, narrow], quota)), { allowed: true, remaining: 99 })
    for (let i = 0; i < 3; i++) {
      t.match(await fx.meter.decide(request(domain, [wide, narrow], quota)), { allowed: false, reason: 'THROTTLED', level: 'METHOD', remaining: 99 })
    }
    const rest = await decideMany(fx.meter, request(domain, [wide], quota), 5)
    t.equal(allowedCount(rest), 4, 'the wide bucket lost one token only')
    t.match(rest[3], { allowed: true, remaining: 95 }, 'and the quota lost one per admitted request')
  })

  t.test('the quota is exact under concurrency', async (t) => {
    fx.setTime(T0)
    const req = request(fresh('d'), [{ level: 'CLIENT', key: 'c', rate: 1000, burst: 1000 }], { key: 'q', limit: 50, period: 'MONTH' })
    const decisions = await Promise.all(Array.from({ length: 200 }, () => fx.meter.decide(req)))
    t.equal(allowedCount(decisions), 50, 'exactly the limit admitted')
    t.ok(decisions.filter((d) => !d.allowed).every((d) => !d.allowed && d.reason === 'QUOTA_EXCEEDED' && d.remaining === 0), 'the rest: QUOTA_EXCEEDED')
    t.same(decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((a, b) => (a ?? 0) - (b ?? 0)), Array.from({ length: 50 }, (_, i) => i), 'each remaining once')
  })

  t.test('a quota starts again when its period rolls over (UTC)', async (t) => {
    const cases: { period: Quota['period']; before: number; after: number }[] = [
      { period: 'DAY', before: Date.UTC(2031, 4, 14, 23, 59, 59, 0), after: Date.UTC(2031, 4, 15, 0, 0, 0, 500) },
      // 2031-05-17 is a Saturday: the week starts on Sunday.
      { period: 'WEEK', before: Date.UTC(2031, 4, 17, 23, 59, 59, 0), after: Date.UTC(2031, 4, 18, 0, 0, 0, 500) },
      { period: 'MONTH', before: Date.UTC(2032, 1, 29, 23, 59, 59, 0), after: Date.UTC(2032, 2, 1, 0, 0, 0, 500) },
      { period: 'MONTH', before: Date.UTC(2031, 11, 31, 23, 59, 59, 0), after: Date.UTC(2032, 0, 1, 0, 0, 0, 500) },
    ]
    for (const c of cases) {
      const req = request(fresh('d'), [], { key: 'q', limit: 2, period: c.period })
      fx.setTime(c.before - 3_600_000)
      t.equal(allowedCount(await decideMany(fx.meter, req, 1)), 1, `${c.period}: earlier in the period`)
      fx.setTime(c.before)
      const last = await decideMany(fx.meter, req, 2)
      t.equal(allowedCount(last), 1, `${c.period}: the limit holds to the end of the period`)
      t.match(last[1], { allowed: false, reason: 'QUOTA_EXCEEDED' })
      fx.setTime(c.after)
      const next = await decideMany(fx.meter, req, 3)
      t.equal(allowedCount(next), 2, `${c.period}: a new period at ${new Date(c.after).toISOString()}`)
    }
  })

  t.test('a week does not roll over before Sunday', async (t) => {
    const req = request(fresh('d'), [], { key: 'q', limit: 1, period: 'WEEK' })
    fx.setTime(Date.UTC(2031, 4, 12, 0, 0, 1)) // Monday
    t.equal(allowedCount(await decideMany(fx.meter, req, 2)), 1)
    fx.setTime(Date.UTC(2031, 4, 17, 23, 0, 0)) // Saturday
    t.equal(allowedCount(await decideMany(fx.meter, req, 1)), 0)
  })

  t.test('batch: decisions requested together give exactly the one-at-a-time results', async (t) => {
    fx.setTime(T0)
    // A fixed mix: key a runs into its per-method bucket (burst 2), its initial-period quota (4)
    // and its client bucket (5); key b into its daily quota (3); then the stage bucket (14) runs
    // out for everyone (the account bucket, 40, outlasts it).
    const order = [0, 1, 1, 1, 2, 3, 0, 2, 4, 0, 2, 2, 3, 0, 0, 0, 4, 3, 3, 3, 3, 3, 3, 2, 0, 1]
    const seqDomain = fresh('seq')
    const batchDomain = fresh('batch')
    const sequential = await oneByOne(fx.meter, mixedShapes(seqDomain), order)
    const batched = await together(fx.meter, mixedShapes(batchDomain), order)
    t.same(batched, sequential, 'every decision as one at a time')
    t.same(
      sequential.map((d) => (d.allowed ? `ok:${d.remaining}` : d.reason === 'THROTTLED' ? `${d.level}:${d.remaining}` : 'quota')),
      [
        'ok:5', 'ok:4', 'ok:3', 'CLIENT_METHOD:3', 'ok:2', 'ok:null', 'ok:2', 'ok:1', 'quota', 'ok:1', 'ok:0', 'quota', 'ok:null',
        'CLIENT:1', 'CLIENT:1', 'CLIENT:1', 'CLIENT:0', 'ok:null', 'ok:null', 'ok:null', 'ok:null', 'STAGE:null', 'STAGE:null',
        'STAGE:0', 'CLIENT:1', 'CLIENT_METHOD:1',
      ],
      'and one at a time is the sequential semantics: first empty bucket in order, then the quota',
    )
    // What was written is the same: usage reports, and what the next decisions see.
    const day = dayString(epochDay(T0))
    for (const key of ['plan/a', 'plan/b']) {
      t.same(await fx.meter.usage(batchDomain, key, day, day), await fx.meter.usage(seqDomain, key, day, day), `usage of ${key}`)
    }
    const after = [0, 2, 3, 4, 1]
    t.same(await oneByOne(fx.meter, mixedShapes(batchDomain), after), await oneByOne(fx.meter, mixedShapes(seqDomain), after), 'the state left behind')
  })

  t.test('batch: runs of one shape that run out part-way, ties, a key with two bursts, a key twice in one request', async (t) => {
    const slow = 0.001
    type Case = { name: string; shapes: (domain: string) => MeterRequest[]; order: number[]; expect: string[]; prepare?: (domain: string) => Promise<void> }
    const summary = (ds: Decision[]) => ds.map((d) => (d.allowed ? `ok:${d.remaining}` : d.reason === 'THROTTLED' ? `${d.level}:${d.remaining}` : 'quota'))
    const repeat = (what: string, n: number) => Array<string>(n).fill(what)
    const cases: Case[] = [
      {
        name: 'a bucket runs out part-way through a run',
        shapes: (d) => [request(d, [{ level: 'CLIENT', key: 'c', rate: slow, burst: 4 }, { level: 'STAGE', key: 's', rate: slow, burst: 100 }], { key: 'q', limit: 100, period: 'DAY' })],
        order: Array(7).fill(0),
        expect: ['ok:99', 'ok:98', 'ok:97', 'ok:96', ...repeat('CLIENT:96', 3)],
      },
      {
        name: 'the quota runs out part-way through a run',
        shapes: (d) => [request(d, [{ level: 'CLIENT', key: 'c', rate: slow, burst: 10 }], { key: 'q', limit: 3, period: 'WEEK' })],
        order: Array(6).fill(0),
        expect: ['ok:2', 'ok:1', 'ok:0', ...repeat('quota', 3)],
      },
      {
        name: 'a bucket and the quota run out together: the bucket is checked first',
        shapes: (d) => [request(d, [{ level: 'METHOD', key: 'm', rate: slow, burst: 2 }, { level: 'STAGE', key: 's', rate: slow, burst: 2 }], { key: 'q', limit: 2, period: 'DAY' })],
        order: Array(4).fill(0),
        expect: ['ok:1', 'ok:0', 'METHOD:0', 'METHOD:0'],
      },
      {
        name: 'a key over its quota (remaining set below zero) and an empty bucket: THROTTLED, remaining 0',
        shapes: (d) => [request(d, [{ level: 'CLIENT', key: 'c', rate: slow, burst: 1 }], { key: 'q', limit: 5, period: 'DAY' }), request(d, [{ level: 'CLIENT', key: 'c', rate: slow, burst: 1 }])],
        prepare: (d) => fx.meter.setRemaining(d, { key: 'q', limit: 5, period: 'DAY' }, -2),
        order: [1, 0, 0],
        expect: ['ok:null', 'CLIENT:0', 'CLIENT:0'],
      },
      {
        name: 'one bucket key with two bursts (a config change between requests): each request caps with its own',
        shapes: (d) => [request(d, [{ level: 'CLIENT', key: 'c', rate: slow, burst: 10 }]), request(d, [{ level: 'CLIENT', key: 'c', rate: slow, burst: 3 }])],
        order: [0, 0, 1, 1, 1, 1, 0, 0],
        expect: ['ok:null', 'ok:null', 'ok:null', 'ok:null', 'ok:null', 'CLIENT:null', 'CLIENT:null', 'CLIENT:null'],
      },
      {
        name: 'one key at two levels of a request: one token per request',
        shapes: (d) => [request(d, [{ level: 'CLIENT', key: 'x', rate: slow, burst: 3 }, { level: 'STAGE', key: 'x', rate: slow, burst: 3 }])],
        order: Array(5).fill(0),
        expect: ['ok:null', 'ok:null', 'ok:null', 'CLIENT:null', 'CLIENT:null'],
      },
      {
        name: 'a bucket that admits nothing, between others',
        shapes: (d) => [
          request(d, [{ level: 'CLIENT', key: 'c', rate: slow, burst: 5 }, { level: 'METHOD', key: 'off', rate: 0, burst: 5 }], { key: 'q', limit: 9, period: 'DAY' }),
          request(d, [{ level: 'CLIENT', key: 'c', rate: slow, burst: 5 }], { key: 'q', limit: 9, period: 'DAY' }),
        ],
        order: [0, 0, 1, 0, 1],
        expect: ['METHOD:9', 'METHOD:9', 'ok:8', 'METHOD:8', 'ok:7'],
      },
    ]
    for (const c of cases) {
      fx.setTime(T0)
      const seqDomain = fresh('seq')
      const batchDomain = fresh('batch')
      await c.prepare?.(seqDomain)
      await c.prepare?.(batchDomain)
      const sequential = await oneByOne(fx.meter, c.shapes(seqDomain), c.order)
      const batched = await together(fx.meter, c.shapes(batchDomain), c.order)
      t.same(summary(sequential), c.expect, `${c.name}: one at a time`)
      t.same(batched, sequential, `${c.name}: together, the same`)
      const again = c.order.slice(0, 2)
      t.same(await oneByOne(fx.meter, c.shapes(batchDomain), again), await oneByOne(fx.meter, c.shapes(seqDomain), again), `${c.name}: the same state left behind`)
    }
  })

  t.test('batch: random mixes of shapes and sizes (over 256: more than one call)', async (t) => {
    for (const [seed, length, scale] of [[1, 40, 1], [2, 120, 4], [3, 300, 10]] as const) {
      fx.setTime(T0 + seed * 86_400_000)
      const next = random(seed)
      const order = Array.from({ length }, () => Math.floor(next() * 5))
      const sequential = await oneByOne(fx.meter, mixedShapes(fresh('seq'), scale), order)
      const batched = await together(fx.meter, mixedShapes(fresh('batch'), scale), order)
      t.same(batched, sequential, `seed ${seed}, ${length} requests: every decision as one at a time`)
      t.ok(sequential.some((d) => d.allowed) && sequential.some((d) => !d.allowed && d.reason === 'QUOTA_EXCEEDED'), 'some admitted, some over quota')
    }
  })

  t.test('batch: several domains in one turn are each decided on their own', async (t) => {
    fx.setTime(T0)
    const order = [0, 2, 0, 1, 1, 3, 0, 4, 2, 2, 0, 0]
    const seq = [mixedShapes(fresh('seq')), mixedShapes(fresh('seq'))]
    const expected = [await oneByOne(fx.meter, seq[0]!, order), await oneByOne(fx.meter, seq[1]!, order)]
    const both = [mixedShapes(fresh('batch')), mixedShapes(fresh('batch'))]
    // Interleaved: domain 0, domain 1, domain 0, ...
    const pending = order.flatMap((i) => [fx.meter.decide(both[0]![i]!), fx.meter.decide(both[1]![i]!)])
    const got = await Promise.all(pending)
    t.same(got.filter((_, i) => i % 2 === 0), expected[0], 'first domain')
    t.same(got.filter((_, i) => i % 2 === 1), expected[1], 'second domain')
  })

  t.test('batch: a quota period rollover and the first request of a day, decided together', async (t) => {
    const domain = fresh('d')
    const quota: Quota = { key: 'q', limit: 3, period: 'DAY' }
    const req = request(domain, [{ level: 'CLIENT', key: 'c', rate: 1000, burst: 1000 }], quota)
    fx.setTime(Date.UTC(2031, 4, 14, 23, 0, 0))
    t.equal(allowedCount(await together(fx.meter, [req], [0, 0, 0, 0, 0])), 3, 'the limit within the day')
    fx.setTime(Date.UTC(2031, 4, 15, 0, 30, 0))
    const next = await together(fx.meter, [req], [0, 0, 0, 0])
    t.same(next.map((d) => (d.allowed ? d.remaining : 'denied')), [2, 1, 0, 'denied'], 'a new day: the quota starts again, each remaining once')
    t.same(await fx.meter.usage(domain, quota.key, '2031-05-14', '2031-05-15'), [
      { day: '2031-05-14', used: 3, remaining: 0 },
      { day: '2031-05-15', used: 3, remaining: 0 },
    ])
  })

  t.test('daily usage and UpdateUsage (replace /remaining)', async (t) => {
    const domain = fresh('d')
    const quota: Quota = { key: 'plan/key', limit: 10, period: 'MONTH' }
    const req = request(domain, [], quota)
    fx.setTime(Date.UTC(2031, 4, 14, 10))
    await decideMany(fx.meter, req, 3)
    fx.setTime(Date.UTC(2031, 4, 15, 10))
    await decideMany(fx.meter, req, 2)
    t.same(await fx.meter.usage(domain, quota.key, '2031-05-13', '2031-05-16'), [
      { day: '2031-05-13', used: 0, remaining: null },
      { day: '2031-05-14', used: 3, remaining: 7 },
      { day: '2031-05-15', used: 2, remaining: 5 },
      { day: '2031-05-16', used: 0, remaining: null },
    ])
    await fx.meter.setRemaining(domain, quota, 100)
    t.match(await fx.meter.decide(req), { allowed: true, remaining: 99 }, 'an extension above the limit')
    t.same(await fx.meter.usage(domain, quota.key, '2031-05-15', '2031-05-15'), [{ day: '2031-05-15', used: 3, remaining: 99 }])
    await fx.meter.setRemaining(domain, quota, 0)
    t.match(await fx.meter.decide(req), { allowed: false, reason: 'QUOTA_EXCEEDED' }, 'remaining 0 stops the key')
    fx.setTime(Date.UTC(2031, 5, 1, 0, 0, 1))
    t.match(await fx.meter.decide(req), { allowed: true, remaining: 9 }, 'the next period starts from the limit')
  })

  t.test('usage is kept for 90 days', async (t) => {
    const domain = fresh('d')
    const quota: Quota = { key: 'k', limit: 1000, period: 'DAY' }
    fx.setTime(Date.UTC(2031, 0, 1, 12))
    await fx.meter.decide(request(domain, [], quota))
    fx.setTime(Date.UTC(2031, 3, 5, 12)) // 94 days later
    await fx.meter.decide(request(domain, [], quota))
    const [jan1] = await fx.meter.usage(domain, quota.key, '2031-01-01', '2031-01-01')
    t.same(jan1, { day: '2031-01-01', used: 0, remaining: null }, 'older days dropped')
  })
}
