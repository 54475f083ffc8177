// Checks that only a Redis store has: expiries, one slot per request, one round trip per
// decision, the NOSCRIPT fallback, and the Lua quota periods matching quota-period.ts. Run on a
// single node and on a cluster.
import type { Test } from 'tap'
import type { Redis } from 'ioredis'
import type { RedisClient } from '../../proxy/stores/redis-connection.js'
import { RedisMeter } from '../../proxy/stores/redis-meter.js'
import { THROTTLE_ORDER, type Quota } from '../../proxy/stores/meter.js'
import { DAY_MS, quotaPeriod, type QuotaPeriodType } from '../../proxy/stores/quota-period.js'
import { decideMany, fresh, request } from './meter-contract.js'

function masters(client: RedisClient): Redis[] {
  return 'nodes' in client ? client.nodes('master') : [client]
}

async function commandCalls(client: RedisClient): Promise<Map<string, number>> {
  const total = new Map<string, number>()
  for (const node of masters(client)) {
    const info = await node.info('commandstats')
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) total.set(m[1]!, (total.get(m[1]!) ?? 0) + Number(m[2]))
  }
  return total
}

async function keysOf(client: RedisClient, pattern: string): Promise<string[]> {
  const out: string[] = []
  for (const node of masters(client)) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      out.push(...keys)
    } while (cursor !== '0')
  }
  return out
}

export function redisChecks(t: Test, getMeter: () => RedisMeter): void {
  const fullRequest = (domain: string) => {
    const quota: Quota = { key: 'plan/key', limit: 100, period: 'DAY' }
    return request(
      domain,
      THROTTLE_ORDER.map((level) => ({ level, key: `${level}:x`, rate: 10, burst: 20 })),
      quota,
    )
  }

  for (const how of ['one at a time', 'together (one DECIDE_MANY)'] as const) {
    t.test(`every key has an expiry, and all keys of a request share one slot: decided ${how}`, async (t) => {
      const meter = getMeter()
      meter.clockOffsetMs = 0
      const domain = fresh('ttl')
      if (how === 'one at a time') await decideMany(meter, fullRequest(domain), 3)
      else await Promise.all([1, 2, 3].map(() => meter.decide(fullRequest(domain))))
      await meter.setRemaining(domain, { key: 'other', limit: 5, period: 'WEEK' }, 3)
      const keys = await keysOf(meter.client, `tg:{${domain}}:*`)
      t.equal(keys.length, 5 + 2, 'five buckets and two quota keys (each with its daily usage)')
      for (const key of keys) {
        const pttl = await meter.client.pttl(key)
        t.ok(pttl > 0, `${key} expires (PTTL ${pttl})`)
      }
      const bucketTtl = await meter.client.pttl(meter.key(domain, 'b', 'STAGE:x'))
      // rate 10, burst 20: a refill from empty takes 2 s. The expiry is set to twice that + 2 s and
      // moved again once less than a refill + 1 s is left, so a bucket outlives its state.
      t.ok(bucketTtl <= 6000 && bucketTtl > 3000, `a bucket lives longer than a refill from empty, plus 1 s (${bucketTtl})`)
      const quotaTtl = await meter.client.pttl(meter.key(domain, 'q', 'plan/key'))
      t.ok(quotaTtl > 90 * 86_400_000, `a quota key keeps its daily usage for the retention (90 days; PTTL ${quotaTtl})`)
      if ('nodes' in meter.client) {
        const slots = new Set(await Promise.all(keys.map((k) => meter.client.cluster('KEYSLOT', k))))
        t.equal(slots.size, 1, 'one slot')
      }
    })
  }

  t.test('one round trip per decision: a single EVALSHA (MONITOR)', async (t) => {
    const meter = getMeter()
    meter.clockOffsetMs = 0
    const req = fullRequest(fresh('rt'))
    await meter.decide(req) // warm: the script is loaded
    const seen: string[] = []
    const monitors = await Promise.all(masters(meter.client).map((n) => n.monitor()))
    for (const m of monitors) m.on('monitor', (_time: string, args: string[], source: string) => source !== 'lua' && seen.push(String(args[0]).toLowerCase()))
    await new Promise((r) => setTimeout(r, 50))
    await decideMany(meter, req, 25)
    await new Promise((r) => setTimeout(r, 100))
    for (const m of monitors) m.disconnect()
    t.same(seen, Array(25).fill('evalsha'), 'one EVALSHA per decision and nothing else; the calls inside the script come from lua')
  })

  t.test('decisions requested in one turn: one script call per domain, at most 256 decisions each (MONITOR)', async (t) => {
    const meter = getMeter()
    meter.clockOffsetMs = 0
    const [a, b] = [fullRequest(fresh('turn')), fullRequest(fresh('turn'))]
    const big = request(fresh('turn'), [{ level: 'STAGE', key: 's', rate: 1000, burst: 1000 }], { key: 'q', limit: 1000, period: 'DAY' })
    await Promise.all([meter.decide(a), meter.decide(a)]) // warm: DECIDE_MANY is loaded
    const seen: string[] = []
    const monitors = await Promise.all(masters(meter.client).map((n) => n.monitor()))
    for (const m of monitors) m.on('monitor', (_time: string, args: string[], source: string) => source !== 'lua' && seen.push(String(args[0]).toLowerCase()))
    await new Promise((r) => setTimeout(r, 50))
    await Promise.all(Array.from({ length: 30 }, () => meter.decide(a)))
    await Promise.all(Array.from({ length: 20 }, (_, i) => meter.decide(i % 2 ? a : b)))
    const many = await Promise.all(Array.from({ length: 300 }, () => meter.decide(big)))
    await new Promise((r) => setTimeout(r, 100))
    for (const m of monitors) m.disconnect()
    t.same(seen, Array(1 + 2 + 2).fill('evalsha'), '30 decisions of one domain: one call; 20 of two domains: two; 300 of one domain: two (256 + 44)')
    t.same(many.map((d) => d.allowed && d.remaining), Array.from({ length: 300 }, (_, i) => 999 - i), 'the 300 in arrival order across the two calls')
  })

  t.test('after SCRIPT FLUSH (a restarted Redis), EVAL loads the script once', async (t) => {
    const meter = getMeter()
    meter.clockOffsetMs = 0
    await Promise.all(masters(meter.client).map((n) => n.script('FLUSH')))
    const req = request(fresh('flush'), [{ level: 'STAGE', key: 's', rate: 1, burst: 8 }])
    t.match(await meter.decide(req), { allowed: true }, 'one decision (DECIDE)')
    t.same(await Promise.all([1, 2, 3].map(() => meter.decide(req))), Array(3).fill({ allowed: true, remaining: null }), 'a batch (DECIDE_MANY)')
    const before = await commandCalls(meter.client)
    t.match(await meter.decide(req), { allowed: true })
    t.same(await Promise.all([1, 2].map(() => meter.decide(req))), Array(2).fill({ allowed: true, remaining: null }))
    t.equal((await commandCalls(meter.client)).get('eval'), before.get('eval'), 'cached again: no second EVAL of either')
  })

  t.test('the script computes the same quota periods as quotaPeriod()', async (t) => {
    const meter = getMeter()
    const domain = fresh('period')
    const instants: number[] = []
    for (let year = 1999; year <= 2101; year += 3) {
      for (const month of [0, 1, 2, 11]) {
        instants.push(Date.UTC(year, month, 1, 0, 0, 1), Date.UTC(year, month + 1, 1) - 2000, Date.UTC(year, month, 15, 12))
      }
    }
    let mismatches = 0
    for (const at of instants) {
      meter.clockOffsetMs = at - Date.now()
      for (const period of ['DAY', 'WEEK', 'MONTH'] as QuotaPeriodType[]) {
        const [start, end] = await meter.periodAt(domain, period)
        const want = quotaPeriod(at, period)
        if (start * DAY_MS !== want.start || end * DAY_MS !== want.end) {
          mismatches++
          t.fail(`${period} at ${new Date(at).toISOString()}: got ${start}..${end}`)
        }
      }
    }
    meter.clockOffsetMs = 0
    t.equal(mismatches, 0, `${instants.length * 3} instants agree`)
  })
}
