// npm run bench:meter-redis: what one metering decision costs on Redis, without HTTP. Drives a
// RedisMeter directly with the benchmark route's request (plan throttle, account bucket, monthly
// quota; limits far above the load, so every decision is admitted) and reports, per decision:
//   - node CPU: this process (the RedisMeter, ioredis, the promises), µs;
//   - redis CPU: the redis-server process (utime + stime: the script and the I/O), µs;
//   - script: µs inside scripts per decision, from INFO commandstats (evalsha usec / decisions);
//   - calls: script calls per decision.
// Decisions are requested `--batch` at a time in one event-loop turn (as a proxy parses several
// requests per turn), then awaited; `--batch 1` is one request at a time.
//
//   npm run bench:meter-redis -- --batch 1,8,32 --seconds 3 --rounds 3
//   npm run bench:meter-redis -- --compare /path/to/other/dist   # the same for another build
//   npm run bench:meter-redis -- --memory                         # and MemoryMeter, the floor
//
// Each build runs on its own redis-server; builds and batch sizes are interleaved per round and
// the median round is printed. CPU time (not throughput) is the measure, so a machine shared
// with other jobs skews it less than rps; still, compare builds within one run.
import { spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startRedis } from './redis-server.js'

const here = dirname(fileURLToPath(import.meta.url))

/** The subset of RedisMeter's API this bench uses (so another build's class fits too). */
interface AnyMeter {
  decide(request: unknown): Promise<{ allowed: boolean }>
  close(): Promise<void>
}
interface Build {
  readonly name: string
  readonly meter: AnyMeter
  /** null: the in-process MemoryMeter. */
  readonly redis: ChildProcess | null
  readonly port: number
}
interface Sample {
  nodeUs: number
  redisUs: number
  scriptUs: number
  calls: number
  perSecond: number
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}



/** Script calls and µs spent in them so far (EVALSHA + EVAL), from INFO commandstats. */
function scriptStats(port: number): { calls: number; usec: number } {
  const info = spawnSync('redis-cli', ['-p', String(port), 'info', 'commandstats']).stdout.toString()
  let calls = 0
  let usec = 0
  for (const m of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+),usec=(\d+)/gm)) {
    calls += Number(m[2])
    usec += Number(m[3])
  }
  return { calls, usec }
}

async function load(dist: string, name: string): Promise<Build> {
  const { port, child } = await startRedis()
  const { createRedisClient, whenReady } = (await import(join(dist, 'proxy/stores/redis-connection.js'))) as typeof import('../proxy/stores/redis-connection.js')
  const { RedisMeter } = (await import(join(dist, 'proxy/stores/redis-meter.js'))) as { RedisMeter: new (client: unknown, opts: { callTimeoutMs: number }) => AnyMeter }
  // Generous bounds: a shared machine can stall a process for longer than the production 100 ms.
  const client = createRedisClient({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 5000 })
  await whenReady(client)
  return { name, meter: new RedisMeter(client, { callTimeoutMs: 5000 }), redis: child, port }
}

// The benchmark route's request (bench/tollgate-metered-target.ts): plan throttle, account
// bucket, monthly quota, all far above the load.
const REQUEST = {
  domain: 'benchkey/prod',
  buckets: [
    { level: 'CLIENT', key: 'client:default/bench:k1', rate: 1_000_000, burst: 1_000_000 },
    { level: 'ACCOUNT', key: 'account', rate: 10_000_000, burst: 10_000_000 },
  ],
  quota: { key: 'default/bench/k1', limit: 1_000_000_000, period: 'MONTH' },
  failureMode: 'OPEN',
}

async function measure(build: Build, batch: number, seconds: number): Promise<Sample> {
  const run = async (until: number): Promise<number> => {
    let n = 0
    const pending: Promise<{ allowed: boolean }>[] = new Array(batch)
    while (Date.now() < until) {
      for (let i = 0; i < batch; i++) pending[i] = build.meter.decide(REQUEST)
      for (const d of await Promise.all(pending)) if (!d.allowed) throw new Error('a decision was denied: the limits are too low')
      n += batch
    }
    return n
  }
  await run(Date.now() + 300) // warm-up
  const redisPid = build.redis?.pid
  const stats0 = redisPid ? scriptStats(build.port) : { calls: 0, usec: 0 }
  const redis0 = redisPid ? cpuTicks(redisPid) : 0
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const n = await run(Date.now() + seconds * 1000)
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  const redisUs = redisPid ? ((cpuTicks(redisPid) - redis0) / CLK_TCK) * 1e6 : 0
  const stats1 = redisPid ? scriptStats(build.port) : { calls: 0, usec: 0 }
  return {
    nodeUs: (cpu.user + cpu.system) / n,
    redisUs: redisUs / n,
    scriptUs: (stats1.usec - stats0.usec) / n,
    calls: (stats1.calls - stats0.calls - 0) / n,
    perSecond: n / elapsed,
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      batch: { type: 'string', default: '1,8,32' },
      seconds: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '3' },
      compare: { type: 'string' },
      memory: { type: 'boolean', default: false },
    },
  })
  const batches = values.batch.split(',').map(Number)
  const seconds = Number(values.seconds)
  const rounds = Number(values.rounds)
  const builds: Build[] = [await load(resolve(here, '..'), 'this build')]
  if (values.compare) for (const dist of values.compare.split(',')) builds.push(await load(resolve(dist), dist))
  if (values.memory) {
    const { MemoryMeter } = await import('../proxy/stores/memory-meter.js')
    builds.push({ name: 'MemoryMeter', meter: new MemoryMeter() as unknown as AnyMeter, redis: null, port: 0 })
  }
  try {
    const samples = new Map<string, Sample[]>()
    for (let r = 0; r < rounds; r++) {
      for (const batch of batches) {
        for (const build of builds) {
          const key = `${build.name}\t${batch}`
          samples.set(key, [...(samples.get(key) ?? []), await measure(build, batch, seconds)])
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const rows = [['build', 'batch', 'decisions/s', 'node µs', 'redis µs', 'script µs', 'calls', 'node+redis µs']]
    for (const [key, ss] of samples) {
      const [name, batch] = key.split('\t') as [string, string]
      const node = median(ss.map((s) => s.nodeUs))
      const redis = median(ss.map((s) => s.redisUs))
      rows.push([name, batch, median(ss.map((s) => s.perSecond)).toFixed(0), node.toFixed(1), redis.toFixed(1), median(ss.map((s) => s.scriptUs)).toFixed(1), median(ss.map((s) => s.calls)).toFixed(3), (node + redis).toFixed(1)])
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
    console.log(`${rounds} round(s) of ${seconds} s per build and batch size; medians; per decision`)
    console.log(rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n'))
  } finally {
    for (const b of builds) {
      await b.meter.close()
      b.redis?.kill()
    }
  }
}

await main()
