// createMeter with a Redis URL: the client sets no timer per command (RedisMeter bounds every
// call with one timer for all), and a decision on a hung Redis still gives up at the 100 ms
// bound (then the stage's failure mode answers), as does a heartbeat ping.
import t from 'tap'
import { createMeter } from '../../proxy/metering/create-meter.js'
import { MeterUnavailableError, type MeterRequest } from '../../proxy/stores/meter.js'
import { startRedis } from '../helpers/redis.js'

t.test('no per-command timer; a hung Redis costs a decision at most the 100 ms bound', async (t) => {
  const server = await startRedis()
  t.teardown(() => server.stop())
  const lines: string[] = []
  const metering = createMeter({ redisUrl: server.url, log: (l) => lines.push(l) })
  t.teardown(() => metering.close())
  await metering.ready()
  const open: MeterRequest = { domain: 'd', buckets: [{ level: 'STAGE', key: 's', rate: 100, burst: 100 }], quota: null, failureMode: 'OPEN' }
  const closed: MeterRequest = { ...open, failureMode: 'CLOSED' }
  t.match(await metering.meter.decide(open), { allowed: true })
  const client = (metering.resilient as unknown as { primary: { client: { options: { commandTimeout?: number } } } }).primary.client
  t.equal(client.options.commandTimeout, undefined, 'ioredis arms no timer per command')

  server.pause()
  t.teardown(() => server.resume())
  const start = Date.now()
  const [a, b] = await Promise.allSettled([metering.meter.decide(open), metering.meter.decide(closed)])
  const ms = Date.now() - start
  t.ok(ms >= 90 && ms <= 180, `the call gave up at the bound (${ms} ms)`)
  t.match(a, { status: 'fulfilled', value: { allowed: true } }, 'fail open: the fallback decides')
  t.ok(b.status === 'rejected' && b.reason instanceof MeterUnavailableError, 'fail closed: MeterUnavailableError')
  t.match(metering.resilient!.state(), { redis: 'down', outages: 1 })
  t.match(lines, [/Redis down \(Redis did not answer within 100 ms\)/])
})
