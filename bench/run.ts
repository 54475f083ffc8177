// npm run bench: measures Tollgate against a bare undici proxy (and nginx when installed) in
// one run, on the same machine, with the same load, and prints the ratios. docs/benchmarks.md
// says what is measured and how to read it.
//
// Each target runs in its own process next to one shared upstream; the load generator is wrk
// when installed, otherwise autocannon (in this process). Targets are measured in interleaved
// rounds (bare, tollgate, nginx, bare, tollgate, nginx, ...) so a slow phase of the machine hits
// all of them, and medians are reported. With taskset and 2+ CPUs, the target under test gets
// the last CPU to itself and the upstream and load generator share the others, so the target's
// CPU time per request is not mixed with theirs. CPU time per request is read from /proc
// (utime + stime of every thread of the process).
//
//   npm run bench -- --rounds 5 --duration 10 --warmup 3 --connections 50
//   npm run bench -- --compare ../other-checkout/dist   # add other Tollgate builds (comma-separated) as targets
//   npm run bench -- --profile /tmp/prof                 # --cpu-prof the Tollgate process
//   npm run bench -- --targets bare,tollgate --no-pin
//   npm run bench -- --upstream nginx                    # a cheaper upstream (see docs/benchmarks.md)
//   npm run bench -- --targets bare,tollgate,jwt         # add the JWT-protected route (bench/tollgate-jwt-target.ts)
//   npm run bench -- --targets bare,tollgate,cache       # add the cached route, all hits (bench/tollgate-cache-target.ts)
//                                                        # (with --compare: the other build's cached route too)
//   npm run bench -- --targets tollgate,logs-off,access-log,exec-log  # request logs (bench/tollgate-access-log-target.ts)
//   npm run bench -- --targets bare,tollgate,metrics     # add the same route with the request metrics on
//   npm run bench -- --targets bare,tollgate,trace-off,trace,trace-sampled  # tracing configured with the stage
//                                                        # untraced / traced / traced at 10% (bench/tollgate-traced-target.ts,
//                                                        # spans to bench/otlp-sink.ts)
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { describePin, has, pinLayout, pinProcess, type PinLayout } from './pin.js'

const here = dirname(fileURLToPath(import.meta.url))

interface Options {
  durationS: number
  warmupS: number
  connections: number
  /** CPU lists for taskset, or null when not pinning. */
  pin: PinLayout | null
}

interface Sample {
  rps: number
  p50ms: number
  p99ms: number
  errors: number
  /** CPU time of the target per request, µs. */
  cpuUsPerReq: number
  /** Share of one CPU the target used while measured. */
  busy: number
  /** CPU time of the upstream and the load generator per request, µs (NaN with autocannon). */
  loadUsPerReq: number
  /** CPU used by other processes of the machine meanwhile, in CPUs (0.5: half a CPU). */
  foreign: number
}

interface Target {
  readonly name: string
  readonly url: string
  readonly host?: string
  /** Headers sent with every request (the JWT target's Authorization). */
  readonly headers?: Readonly<Record<string, string>>
  readonly pid: number
  readonly samples: Sample[]
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100

/** utime + stime of a process (all threads), in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime + stime (fields 14, 15)
}

/** cutime + cstime of this process: CPU of the children it has waited for (wrk runs). */
function childTicks(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8')
  const rest = fields.slice(fields.lastIndexOf(')') + 2).split(' ')
  return Number(rest[13]) + Number(rest[14]) // cutime + cstime (fields 16, 17)
}

/** user + nice + system time of the whole machine, in clock ticks (irq and softirq excluded). */
function machineTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.split(/\s+/)
  return Number(cpu[1]) + Number(cpu[2]) + Number(cpu[3])
}

function selfTicks(): number {
  return cpuTicks(process.pid)
}

/** Waits (up to `maxWaitS`) until the rest of the machine uses at most `maxForeign` CPUs for a second. */
async function waitQuiet(maxForeign: number, maxWaitS: number): Promise<void> {
  const deadline = Date.now() + maxWaitS * 1000
  let told = false
  for (;;) {
    const before = machineTicks()
    await new Promise((r) => setTimeout(r, 1000))
    const used = (machineTicks() - before) / CLK_TCK
    if (used <= maxForeign || Date.now() > deadline) return
    if (!told) console.log(`waiting for other processes to calm down (${used.toFixed(2)} CPU busy)...`)
    told = true
  }
}

function forkChild(file: string, args: string[], execArgv: string[] = []): Promise<{ child: ChildProcess; port: number; headers?: Record<string, string> }> {
  return new Promise((resolvePort, reject) => {
    const child = fork(file, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.once('message', (m) => {
      const { port, headers } = m as { port: number; headers?: Record<string, string> }
      resolvePort({ child, port, ...(headers !== undefined ? { headers } : {}) })
    })
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)))
  })
}

type LoadResult = Pick<Sample, 'rps' | 'p50ms' | 'p99ms' | 'errors'> & { requests: number }

async function wrk(target: Target, seconds: number, opts: Options): Promise<LoadResult> {
  const args = ['-t', '1', '-c', String(opts.connections), '-d', `${seconds}s`, '--latency']
  if (target.host) args.push('-H', `Host: ${target.host}`)
  for (const [name, value] of Object.entries(target.headers ?? {})) args.push('-H', `${name}: ${value}`)
  args.push(target.url)
  const out = await new Promise<string>((done) => {
    const p = opts.pin ? spawn('taskset', ['-c', opts.pin.load, 'wrk', ...args]) : spawn('wrk', args)
    let text = ''
    p.stdout.on('data', (d: Buffer) => (text += d.toString()))
    p.on('close', () => done(text))
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
  return {
    requests: num(/(\d+) requests in/),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50ms: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99ms: ms(/99%\s+([\d.]+)(us|ms|s)/),
    errors,
  }
}

async function cannon(target: Target, seconds: number, opts: Options): Promise<LoadResult> {
  const headers = { ...(target.host ? { host: target.host } : {}), ...target.headers }
  const r = await autocannon({ url: target.url, headers, connections: opts.connections, duration: seconds })
  return { requests: r.requests.total, rps: r.requests.average, p50ms: r.latency.p50, p99ms: r.latency.p99, errors: r.errors + r.non2xx }
}

async function measure(target: Target, upstreamPid: number, opts: Options): Promise<Sample> {
  const load = has('wrk') ? wrk : cannon
  await load(target, opts.warmupS, opts)
  const before = cpuTicks(target.pid)
  const upstreamBefore = cpuTicks(upstreamPid)
  const loadBefore = childTicks()
  const selfBefore = selfTicks()
  const machineBefore = machineTicks()
  const start = process.hrtime.bigint()
  const r = await load(target, opts.durationS, opts)
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9
  const machineS = (machineTicks() - machineBefore) / CLK_TCK
  const cpuS = (cpuTicks(target.pid) - before) / CLK_TCK
  const loadS = (cpuTicks(upstreamPid) - upstreamBefore + childTicks() - loadBefore) / CLK_TCK
  const selfS = (selfTicks() - selfBefore) / CLK_TCK
  const requests = r.requests > 0 ? r.requests : r.rps * opts.durationS
  return {
    rps: r.rps,
    p50ms: r.p50ms,
    p99ms: r.p99ms,
    errors: r.errors,
    cpuUsPerReq: (cpuS * 1e6) / requests,
    busy: cpuS / elapsedS,
    loadUsPerReq: load === wrk ? (loadS * 1e6) / requests : NaN,
    foreign: load === wrk ? Math.max(0, machineS - cpuS - loadS - selfS) / elapsedS : NaN,
  }
}

function nginxBinary(): string | undefined {
  return ['/usr/sbin/nginx', 'nginx'].find((b) => (b.startsWith('/') ? spawnSync('test', ['-x', b]).status === 0 : has(b)))
}

/** Starts nginx with one worker around `server` (a server block); returns the worker's pid. */
async function startNginxServer(bin: string, server: (port: number) => string): Promise<{ port: number; pid: number; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-nginx-'))
  const port = 20000 + Math.floor(Math.random() * 20000)
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
${server(port)}
}
`,
  )
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'inherit' })
  await new Promise((r) => setTimeout(r, 500))
  // worker_processes 1: the master forks one worker, which does the work.
  const workers = spawnSync('pgrep', ['-P', String(child.pid)]).stdout.toString().trim().split('\n').filter(Boolean)
  return { port, pid: Number(workers[0] ?? child.pid), stop: () => child.kill('SIGQUIT') }
}

async function startNginxProxy(bin: string, upstreamPort: number, opts: Options): Promise<Target & { stop(): void }> {
  const nginx = await startNginxServer(
    bin,
    (port) => `  upstream backend { server 127.0.0.1:${upstreamPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }`,
  )
  if (opts.pin) pinProcess(nginx.pid, opts.pin.target)
  return { name: 'nginx (1 worker)', url: `http://127.0.0.1:${nginx.port}/pets/1`, pid: nginx.pid, samples: [], stop: nginx.stop }
}

/** The benchmark upstream: the node:http one (bench/upstream.ts), or nginx answering the same body. */
async function startUpstream(kind: string, bin: string | undefined): Promise<{ port: number; pid: number; stop(): void }> {
  if (kind === 'nginx') {
    if (bin === undefined) throw new Error('--upstream nginx: nginx is not installed')
    const body = JSON.stringify({ id: 1, type: 'dog', price: 249.99 })
    return startNginxServer(
      bin,
      (port) => `  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${port};
    location / { default_type application/json; return 200 '${body}'; }
  }`,
    )
  }
  const { child, port } = await forkChild(join(here, 'upstream.js'), [])
  return { port, pid: child.pid!, stop: () => child.kill() }
}

function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
      targets: { type: 'string', default: 'bare,tollgate,nginx' },
      compare: { type: 'string' },
      profile: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      'max-foreign': { type: 'string', default: '0.15' },
      'max-minutes': { type: 'string', default: '30' },
      upstream: { type: 'string', default: 'node' },
    },
  })
  const opts: Options = {
    durationS: Number(values.duration),
    warmupS: Number(values.warmup),
    connections: Number(values.connections),
    pin: pinLayout(!values['no-pin']),
  }
  const rounds = Number(values.rounds)
  const maxForeign = Number(values['max-foreign'])
  const maxMinutes = Number(values['max-minutes'])
  const wanted = new Set(values.targets.split(','))
  const children: ChildProcess[] = []
  const stops: Array<() => void> = []
  try {
    const nginxBin = nginxBinary()
    const up = await startUpstream(values.upstream, nginxBin)
    stops.push(up.stop)
    if (opts.pin) pinProcess(up.pid, opts.pin.upstream)
    const targets: Target[] = []
    const startNode = async (name: string, file: string, path: string, host: boolean, execArgv: string[] = [], args: string[] = []) => {
      const { child, port, headers } = await forkChild(file, [`--upstream=${up.port}`, ...args], execArgv)
      children.push(child)
      if (opts.pin) pinProcess(child.pid!, opts.pin.target)
      targets.push({ name, url: `http://127.0.0.1:${port}${path}`, host: host ? `bench.execute-api.localhost:${port}` : undefined, headers, pid: child.pid!, samples: [] })
      stops.push(() => {
        if (child.connected) child.send('stop')
      })
    }
    if (wanted.has('bare')) await startNode('bare undici proxy', join(here, 'bare-proxy.js'), '/pets/1', false)
    if (wanted.has('tollgate')) {
      const profile = values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`]
      await startNode('tollgate HTTP_PROXY', join(here, 'tollgate-target.js'), '/prod/pets/1', true, profile)
    }
    if (wanted.has('jwt')) await startNode('tollgate JWT route', join(here, 'tollgate-jwt-target.js'), '/prod/pets/1', true)
    if (wanted.has('cache')) await startNode('tollgate cache hit', join(here, 'tollgate-cache-target.js'), '/prod/pets/1', true)
    for (const [target, logging] of [['logs-off', 'off'], ['access-log', 'access'], ['exec-log', 'info']] as const) {
      if (wanted.has(target)) await startNode(`tollgate ${target}`, join(here, 'tollgate-access-log-target.js'), '/prod/pets/1', true, [], [`--logging=${logging}`])
    }
    if (wanted.has('metrics')) await startNode('tollgate metrics on', join(here, 'tollgate-target.js'), '/prod/pets/1', true, [], ['--metrics'])
    if (wanted.has('trace') || wanted.has('trace-off') || wanted.has('trace-sampled')) {
      // The OTLP sink the traced targets export to: its own process, on the upstream's CPUs.
      const { child, port } = await forkChild(join(here, 'otlp-sink.js'), [])
      children.push(child)
      if (opts.pin) pinProcess(child.pid!, opts.pin.upstream)
      stops.push(() => {
        if (child.connected) child.send('stop')
      })
      const traced = join(here, 'tollgate-traced-target.js')
      if (wanted.has('trace-off')) await startNode('tollgate tracing off', traced, '/prod/pets/1', true, [], [`--sink=${port}`, '--trace=off'])
      if (wanted.has('trace')) await startNode('tollgate traced', traced, '/prod/pets/1', true, [], [`--sink=${port}`, '--trace=on'])
      if (wanted.has('trace-sampled')) await startNode('tollgate traced 10%', traced, '/prod/pets/1', true, [], [`--sink=${port}`, '--trace=sampled'])
    }
    for (const other of values.compare?.split(',') ?? []) {
      await startNode(`tollgate (${other})`, join(resolve(other), 'bench', 'tollgate-target.js'), '/prod/pets/1', true)
      if (wanted.has('cache')) await startNode(`cache hit (${other})`, join(resolve(other), 'bench', 'tollgate-cache-target.js'), '/prod/pets/1', true)
    }
    if (wanted.has('nginx') && nginxBin !== undefined) {
      const nginx = await startNginxProxy(nginxBin, up.port, opts)
      targets.push(nginx)
      stops.push(nginx.stop)
    }
    const model = cpus()[0]?.model.trim() ?? 'unknown CPU'
    console.log(`machine: ${availableParallelism()} CPUs (${model}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`)
    console.log(
      `upstream: ${values.upstream === 'nginx' ? 'nginx (1 worker, return 200)' : 'node:http (bench/upstream.ts)'}; ` +
        `load: ${has('wrk') ? 'wrk' : 'autocannon'}, ${opts.connections} connections, ${opts.warmupS}s warm-up + ${opts.durationS}s per target, ` +
        `${rounds} interleaved rounds, ${describePin(opts.pin)}`,
    )
    // A round in which other processes of the machine used more than --max-foreign CPUs (on a
    // shared machine their load skews whichever target it hits) is set aside and measured again,
    // until --rounds clean rounds are in or --max-minutes have passed; then the least disturbed
    // rounds fill up, with a warning.
    const clean: Sample[][] = []
    const disturbed: { worst: number; samples: Sample[] }[] = []
    const giveUpAt = Date.now() + maxMinutes * 60_000
    for (let attempt = 1; clean.length < rounds && (attempt <= rounds || Date.now() < giveUpAt); attempt++) {
      await waitQuiet(maxForeign, 60)
      const samples: Sample[] = []
      for (const target of targets) samples.push(await measure(target, up.pid, opts))
      const worst = Math.max(...samples.map((s) => s.foreign))
      targets.forEach((target, i) => {
        const s = samples[i]!
        console.log(
          `round ${attempt} ${target.name.padEnd(22)} ${s.rps.toFixed(0).padStart(6)} req/s  ${s.cpuUsPerReq.toFixed(1).padStart(5)} µs/req  ` +
            `busy ${(100 * s.busy).toFixed(0).padStart(3)}%  upstream+load ${s.loadUsPerReq.toFixed(1)} µs/req  other processes ${s.foreign.toFixed(2)} CPU  errors ${s.errors}`,
        )
      })
      if (worst > maxForeign) {
        disturbed.push({ worst, samples })
        console.log(`round ${attempt}: other processes used up to ${worst.toFixed(2)} CPU (> ${maxForeign}); set aside`)
      } else clean.push(samples)
    }
    const kept = [...clean, ...disturbed.sort((a, b) => a.worst - b.worst).map((d) => d.samples)].slice(0, rounds)
    for (const samples of kept) targets.forEach((target, i) => target.samples.push(samples[i]!))
    const dirtyKept = kept.length - Math.min(clean.length, rounds)

    const base = targets[0]!
    const rows = [['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'busy', 'errors', 'rps ratio', 'CPU ratio']]
    for (const t of targets) {
      // Ratios per round (this round's bare run against this round's target run), then the median.
      const rpsRatios = t.samples.map((s, i) => s.rps / base.samples[i]!.rps)
      const cpuRatios = t.samples.map((s, i) => s.cpuUsPerReq / base.samples[i]!.cpuUsPerReq)
      const range = (r: number[]) => (r.length > 1 ? ` (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)})` : '')
      rows.push([
        t.name,
        median(t.samples.map((s) => s.rps)).toFixed(0),
        median(t.samples.map((s) => s.p50ms)).toFixed(2),
        median(t.samples.map((s) => s.p99ms)).toFixed(2),
        median(t.samples.map((s) => s.cpuUsPerReq)).toFixed(1),
        `${(100 * median(t.samples.map((s) => s.busy))).toFixed(0)}%`,
        String(t.samples.reduce((a, s) => a + s.errors, 0)),
        median(rpsRatios).toFixed(3) + (t === base ? '' : range(rpsRatios)),
        median(cpuRatios).toFixed(3) + (t === base ? '' : range(cpuRatios)),
      ])
    }
    console.log(`\nmedians of ${kept.length} rounds (${clean.length} clean of ${clean.length + disturbed.length}); ratios are medians of per-round ratios against ${base.name} (min–max)`)
    if (dirtyKept > 0) console.log(`WARNING: ${dirtyKept} of these rounds ran while other processes loaded the machine; the figures are skewed`)
    console.log('')
    console.log(table(rows))
    const tg = targets.find((t) => t.name === 'tollgate HTTP_PROXY')
    if (tg !== undefined && tg !== base) {
      console.log(`\ntollgate / bare undici: ${median(tg.samples.map((s, i) => s.rps / base.samples[i]!.rps)).toFixed(3)}x throughput (target >= 0.95)`)
    }
    const jwt = targets.find((t) => t.name === 'tollgate JWT route')
    if (tg !== undefined && jwt !== undefined) {
      const rps = median(jwt.samples.map((s, i) => s.rps / tg.samples[i]!.rps))
      const cpu = median(jwt.samples.map((s, i) => s.cpuUsPerReq / tg.samples[i]!.cpuUsPerReq))
      console.log(`JWT route / pass-through: ${rps.toFixed(3)}x throughput, ${cpu.toFixed(3)}x CPU per request`)
    }
    for (const logged of targets.filter((t) => t.name === 'tollgate logs-off' || t.name === 'tollgate access-log' || t.name === 'tollgate exec-log')) {
      if (tg === undefined) break
      const cpu = median(logged.samples.map((s, i) => s.cpuUsPerReq - tg.samples[i]!.cpuUsPerReq))
      const rps = median(logged.samples.map((s, i) => s.rps / tg.samples[i]!.rps))
      console.log(`${logged.name} / pass-through: ${rps.toFixed(3)}x throughput, ${cpu >= 0 ? '+' : ''}${cpu.toFixed(1)} µs CPU per request`)
    }
    for (const name of ['tollgate tracing off', 'tollgate traced', 'tollgate traced 10%']) {
      const traced = targets.find((t) => t.name === name)
      if (tg === undefined || traced === undefined) continue
      const rps = median(traced.samples.map((s, i) => s.rps / tg.samples[i]!.rps))
      const cpu = median(traced.samples.map((s, i) => s.cpuUsPerReq / tg.samples[i]!.cpuUsPerReq))
      const extra = median(traced.samples.map((s, i) => s.cpuUsPerReq - tg.samples[i]!.cpuUsPerReq))
      console.log(`${name} / untraced: ${rps.toFixed(3)}x throughput, ${cpu.toFixed(3)}x CPU per request (${extra >= 0 ? '+' : ''}${extra.toFixed(1)} µs/req)`)
    }
    const hit = targets.find((t) => t.name === 'tollgate cache hit')
    if (tg !== undefined && hit !== undefined) {
      const rps = median(hit.samples.map((s, i) => s.rps / tg.samples[i]!.rps))
      const cpu = median(hit.samples.map((s, i) => s.cpuUsPerReq / tg.samples[i]!.cpuUsPerReq))
      console.log(`cache hit / pass-through: ${rps.toFixed(3)}x throughput (target >= 2), ${cpu.toFixed(3)}x CPU per request`)
    }
    const metered = targets.find((t) => t.name === 'tollgate metrics on')
    if (tg !== undefined && metered !== undefined) {
      const rps = median(metered.samples.map((s, i) => s.rps / tg.samples[i]!.rps))
      const cpu = median(metered.samples.map((s, i) => s.cpuUsPerReq / tg.samples[i]!.cpuUsPerReq))
      console.log(`metrics on / off: ${rps.toFixed(3)}x throughput, ${cpu.toFixed(3)}x CPU per request`)
    }
    // The builds given with --compare: each one's cache hit against its own pass-through.
    for (const other of values.compare?.split(',') ?? []) {
      const otherTg = targets.find((t) => t.name === `tollgate (${other})`)
      const otherHit = targets.find((t) => t.name === `cache hit (${other})`)
      if (otherTg === undefined || otherHit === undefined) continue
      const rps = median(otherHit.samples.map((s, i) => s.rps / otherTg.samples[i]!.rps))
      const cpu = median(otherHit.samples.map((s, i) => s.cpuUsPerReq / otherTg.samples[i]!.cpuUsPerReq))
      console.log(`cache hit / pass-through (${other}): ${rps.toFixed(3)}x throughput, ${cpu.toFixed(3)}x CPU per request`)
    }
  } finally {
    for (const stop of stops) stop()
    await new Promise((r) => setTimeout(r, 300))
    for (const c of children) c.kill()
  }
}

await main()
