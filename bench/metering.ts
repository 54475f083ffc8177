// npm run bench:metering: the cost of metering, in one run on one machine. Four targets behind
// the same upstream and the same load:
//   1. the bare undici proxy (bench/bare-proxy.ts), the baseline;
//   2. Tollgate, an HTTP_PROXY route without metering (the meter stage is not even built);
//   3. Tollgate, the same route with an API key, a usage plan throttle and a quota, decided on a
//      real redis-server (the decisions of one event-loop turn in one script call);
//   4. the same in a process metering in memory (standalone mode without Redis).
// Prints req/s, latency, CPU per request (of the target, and of redis-server for 3.), requests
// per script call on redis-server (the mean batch) and the ratios to the baseline (target: 3.
// >= 0.8×). Options: --rounds N (interleaved; medians), --no-batch (also 3. with one script call
// per decision, RedisMeter maxBatch 1), --compare DIST (also 3. from another build, e.g. main's,
// on its own redis-server, and 4. from that build), --profile DIR (--cpu-prof the Tollgate process of 2. and 3.),
// --no-pin (by default the targets run on the last CPU, upstream, redis-server and wrk on the others: bench/pin.ts).
// Separate from bench/run.ts, which compares the pass-through route with nginx.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { describePin, pinLayout, pinProcess, type PinLayout } from './pin.js'
import { startRedis } from './redis-server.js'

const here = dirname(fileURLToPath(import.meta.url))
const BENCH_API_KEY = 'BenchKey0123456789abcdefXYZ'

interface Target {
  name: string
  url: string
  headers: Record<string, string>
  pid: number
  /** redis-server's pid and port, when the target meters on it (its CPU and script calls are reported too). */
  redisPid?: number
  redisPort?: number
}
interface Result {
  name: string
  rps: number
  p50ms: number
  p99ms: number
  cpuUsPerReq: number
  /** redis-server CPU per request (NaN for targets without Redis). */
  redisUsPerReq: number
  /** Requests per script call (EVALSHA/EVAL) on redis-server: the mean batch (NaN without Redis). */
  perCall: number
  errors: number
}

function forkChild(file: string, args: string[], execArgv: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(isAbsolute(file) ? file : join(here, file), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.once('message', (m) => resolve({ child, port: (m as { port: number }).port }))
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)))
  })
}



const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}
/** Script calls (EVALSHA + EVAL) redis-server has run so far, from INFO commandstats. */
function scriptCalls(port: number): number {
  const info = spawnSync('redis-cli', ['-p', String(port), 'info', 'commandstats']).stdout?.toString() ?? ''
  let calls = 0
  for (const m of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += Number(m[1])
  return calls
}
const hasWrk = spawnSync('sh', ['-c', 'command -v wrk']).status === 0

async function load(target: Target, seconds: number, connections: number, pin: PinLayout | null): Promise<Omit<Result, 'name' | 'cpuUsPerReq' | 'redisUsPerReq' | 'perCall'>> {
  if (hasWrk) {
    const args = ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency']
    for (const [k, v] of Object.entries(target.headers)) args.push('-H', `${k}: ${v}`)
    args.push(target.url)
    const out = await new Promise<string>((resolve) => {
      const p = pin ? spawn('taskset', ['-c', pin.load, 'wrk', ...args]) : spawn('wrk', args)
      let text = ''
      p.stdout.on('data', (d: Buffer) => (text += d.toString()))
      p.on('close', () => resolve(text))
    })
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN)
    const ms = (re: RegExp) => {
      const m = re.exec(out)
      if (!m) return NaN
      const v = Number(m[1])
      return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v
    }
    const non2xx = num(/Non-2xx or 3xx responses: (\d+)/) || 0
    const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
    const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, b) => a + Number(b), 0) : 0)
    return { rps: num(/Requests\/sec:\s+([\d.]+)/), p50ms: ms(/50%\s+([\d.]+)(us|ms|s)/), p99ms: ms(/99%\s+([\d.]+)(us|ms|s)/), errors }
  }
  const r = await autocannon({ url: target.url, headers: target.headers, connections, duration: seconds })
  return { rps: r.requests.average, p50ms: r.latency.p50, p99ms: r.latency.p99, errors: r.errors + r.non2xx }
}

async function measure(target: Target, durationS: number, warmupS: number, connections: number, pin: PinLayout | null): Promise<Result> {
  await load(target, warmupS, connections, pin)
  const before = cpuTicks(target.pid)
  const redisBefore = target.redisPid ? cpuTicks(target.redisPid) : 0
  const callsBefore = target.redisPort ? scriptCalls(target.redisPort) : 0
  const start = process.hrtime.bigint()
  const r = await load(target, durationS, connections, pin)
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9
  const cpuS = (cpuTicks(target.pid) - before) / CLK_TCK
  const redisS = target.redisPid ? (cpuTicks(target.redisPid) - redisBefore) / CLK_TCK : NaN
  const calls = target.redisPort ? scriptCalls(target.redisPort) - callsBefore : NaN
  const requests = r.rps * Math.min(elapsedS, durationS)
  return { name: target.name, ...r, cpuUsPerReq: requests > 0 ? (cpuS * 1e6) / requests : NaN, redisUsPerReq: requests > 0 ? (redisS * 1e6) / requests : NaN, perCall: requests / calls }
}

function table(results: Result[], base: Result): string {
  const rows = [['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'redis µs/req', 'req/call', 'errors', 'rps ratio', 'CPU ratio']]
  for (const r of results) {
    const redis = Number.isNaN(r.redisUsPerReq) ? '-' : r.redisUsPerReq.toFixed(1)
    const perCall = Number.isFinite(r.perCall) ? r.perCall.toFixed(1) : '-'
    rows.push([r.name, r.rps.toFixed(0), r.p50ms.toFixed(2), r.p99ms.toFixed(2), r.cpuUsPerReq.toFixed(1), redis, perCall, String(r.errors), (r.rps / base.rps).toFixed(3), (r.cpuUsPerReq / base.cpuUsPerReq).toFixed(3)])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n')
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '1' },
      // Also measure the Redis route with one script call per decision (RedisMeter maxBatch: 1).
      'no-batch': { type: 'boolean', default: false },
      // Also measure another build's metered routes (its dist folder), e.g. the main branch's: Redis (own redis-server) and memory.
      compare: { type: 'string' },
      // --cpu-prof the Tollgate process of targets 2 and 3 into this folder (written on exit).
      profile: { type: 'string' },
      // Leave every process where the scheduler puts it (by default the targets get the last CPU, the rest the others: bench/pin.ts).
      'no-pin': { type: 'boolean', default: false },
    },
  })
  const pin = pinLayout(!values['no-pin'])
  const [durationS, warmupS, connections, rounds] = [values.duration, values.warmup, values.connections, values.rounds].map(Number) as [number, number, number, number]
  const children: ChildProcess[] = []
  try {
    const redis = await startRedis()
    children.push(redis.child)
    const up = await forkChild('upstream.js', [])
    children.push(up.child)
    const bare = await forkChild('bare-proxy.js', [`--upstream=${up.port}`])
    children.push(bare.child)
    const profile = values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`]
    const tg = await forkChild('tollgate-metered-target.js', [`--upstream=${up.port}`, `--redis=${redis.port}`], profile)
    children.push(tg.child)
    const mem = await forkChild('tollgate-metered-target.js', [`--upstream=${up.port}`, '--memory'])
    children.push(mem.child)
    const unbatched = values['no-batch'] ? await forkChild('tollgate-metered-target.js', [`--upstream=${up.port}`, `--redis=${redis.port}`, '--no-batch']) : null
    if (unbatched) children.push(unbatched.child)
    // --compare DIST: another build's metered target, on its own redis-server (key layouts differ).
    const compared = values.compare ? await startRedis() : null
    if (compared) children.push(compared.child)
    const before = compared ? await forkChild(join(values.compare!, 'bench', 'tollgate-metered-target.js'), [`--upstream=${up.port}`, `--redis=${compared.port}`]) : null
    if (before) children.push(before.child)
    const beforeMemory = values.compare ? await forkChild(join(values.compare, 'bench', 'tollgate-metered-target.js'), [`--upstream=${up.port}`, '--memory']) : null
    if (beforeMemory) children.push(beforeMemory.child)
    const targets: Target[] = [
      { name: 'bare undici proxy', url: `http://127.0.0.1:${bare.port}/pets/1`, headers: {}, pid: bare.child.pid! },
      { name: 'tollgate pass-through', url: `http://127.0.0.1:${tg.port}/prod/pets/1`, headers: { Host: `bench.execute-api.localhost:${tg.port}` }, pid: tg.child.pid! },
      {
        name: 'tollgate key+throttle+quota (Redis)',
        url: `http://127.0.0.1:${tg.port}/prod/pets/1`,
        headers: { Host: `benchkey.execute-api.localhost:${tg.port}`, 'x-api-key': BENCH_API_KEY },
        pid: tg.child.pid!,
        redisPid: redis.child.pid!,
        redisPort: redis.port,
      },
      {
        name: 'tollgate key+throttle+quota (memory)',
        url: `http://127.0.0.1:${mem.port}/prod/pets/1`,
        headers: { Host: `benchkey.execute-api.localhost:${mem.port}`, 'x-api-key': BENCH_API_KEY },
        pid: mem.child.pid!,
      },
    ]
    if (unbatched) {
      targets.push({
        name: 'tollgate key+throttle+quota (Redis, one call per decision)',
        url: `http://127.0.0.1:${unbatched.port}/prod/pets/1`,
        headers: { Host: `benchkey.execute-api.localhost:${unbatched.port}`, 'x-api-key': BENCH_API_KEY },
        pid: unbatched.child.pid!,
        redisPid: redis.child.pid!,
        redisPort: redis.port,
      })
    }
    if (before && compared) {
      targets.push({
        name: `tollgate key+throttle+quota (Redis, ${values.compare})`,
        url: `http://127.0.0.1:${before.port}/prod/pets/1`,
        headers: { Host: `benchkey.execute-api.localhost:${before.port}`, 'x-api-key': BENCH_API_KEY },
        pid: before.child.pid!,
        redisPid: compared.child.pid!,
        redisPort: compared.port,
      })
    }
    if (beforeMemory) {
      targets.push({
        name: `tollgate key+throttle+quota (memory, ${values.compare})`,
        url: `http://127.0.0.1:${beforeMemory.port}/prod/pets/1`,
        headers: { Host: `benchkey.execute-api.localhost:${beforeMemory.port}`, 'x-api-key': BENCH_API_KEY },
        pid: beforeMemory.child.pid!,
      })
    }
    if (pin) {
      for (const helper of [redis.child, up.child, compared?.child]) if (helper?.pid !== undefined) pinProcess(helper.pid, pin.upstream)
      for (const target of targets) pinProcess(target.pid, pin.target)
    }
    console.log(`load: ${hasWrk ? 'wrk' : 'autocannon'}, ${connections} connections, ${warmupS}s warm-up + ${durationS}s per target, ${rounds} round(s), ${describePin(pin)}; redis-server on ${redis.port}`)
    const all: Result[][] = targets.map(() => [])
    for (let round = 0; round < rounds; round++) {
      for (const [i, target] of targets.entries()) {
        const r = await measure(target, durationS, warmupS, connections, pin)
        all[i]!.push(r)
        console.log(`round ${round + 1}: ${target.name}: ${r.rps.toFixed(0)} req/s, ${r.cpuUsPerReq.toFixed(1)} µs/req`)
      }
    }
    // The median round of each target (by req/s).
    const results = all.map((rs) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!)
    console.log('\n' + table(results, results[0]!))
    // Per-round ratios (each round's target against that round's bare proxy and pass-through):
    // steadier than the medians above when the machine's speed drifts between rounds.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const spread = (xs: number[]) => `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`
    console.log('\nper-round ratios, median (min–max): throughput / bare, throughput / pass-through, CPU µs/req over pass-through')
    for (const [i, target] of targets.entries()) {
      if (i < 2) continue
      const rs = all[i]!
      const toBare = rs.map((r, k) => r.rps / all[0]![k]!.rps)
      const toPass = rs.map((r, k) => r.rps / all[1]![k]!.rps)
      const extra = rs.map((r, k) => r.cpuUsPerReq - all[1]![k]!.cpuUsPerReq)
      console.log(`  ${target.name}: ${spread(toBare)}, ${spread(toPass)}, ${median(extra).toFixed(1)} µs (${Math.min(...extra).toFixed(1)}–${Math.max(...extra).toFixed(1)})`)
    }
    const [base, pass, metered, inMemory] = results as [Result, Result, Result, Result]
    console.log(`\npass-through / bare undici: ${(pass.rps / base.rps).toFixed(3)}x throughput`)
    console.log(`key+throttle+quota on Redis / bare undici: ${(metered.rps / base.rps).toFixed(3)}x throughput (target >= 0.8)`)
    console.log(`key+throttle+quota on Redis / pass-through: ${(metered.rps / pass.rps).toFixed(3)}x throughput, +${(metered.cpuUsPerReq - pass.cpuUsPerReq).toFixed(1)} µs CPU per request`)
    console.log(`key+throttle+quota in memory / bare undici: ${(inMemory.rps / base.rps).toFixed(3)}x; / pass-through: ${(inMemory.rps / pass.rps).toFixed(3)}x, +${(inMemory.cpuUsPerReq - pass.cpuUsPerReq).toFixed(1)} µs CPU per request`)
  } finally {
    // 'stop' lets a Tollgate target exit on its own (and write its --cpu-prof profile).
    for (const c of children) {
      if (c.connected) c.send('stop')
      setTimeout(() => c.kill(), 2000).unref()
    }
  }
}

await main()
