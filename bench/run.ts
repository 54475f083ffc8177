// npm run bench: measures Tollgate against a bare undici proxy (and nginx when installed) in
// one run, on the same machine, with the same load, and prints the ratios.
//
// Each target runs in its own process; the load generator is wrk when installed, otherwise
// autocannon. CPU time per request is read from /proc for the target process only.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const here = dirname(fileURLToPath(import.meta.url))

interface Options {
  durationS: number
  warmupS: number
  connections: number
}

interface Result {
  name: string
  rps: number
  p50ms: number
  p99ms: number
  cpuUsPerReq: number
  errors: number
}

interface Target {
  name: string
  url: string
  host?: string
  pid: number
  stop(): void
}

function forkChild(file: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.once('message', (m) => resolve({ child, port: (m as { port: number }).port }))
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)))
  })
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime + stime (fields 14, 15)
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
}

async function load(target: Target, seconds: number, opts: Options): Promise<Omit<Result, 'name' | 'cpuUsPerReq'>> {
  const headers = target.host ? { host: target.host } : {}
  if (has('wrk')) {
    const args = ['-t', '1', '-c', String(opts.connections), '-d', `${seconds}s`, '--latency']
    if (target.host) args.push('-H', `Host: ${target.host}`)
    args.push(target.url)
    const out = await new Promise<string>((resolve) => {
      const p = spawn('wrk', args)
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
  const r = await autocannon({ url: target.url, headers, connections: opts.connections, duration: seconds })
  return { rps: r.requests.average, p50ms: r.latency.p50, p99ms: r.latency.p99, errors: r.errors + r.non2xx }
}

async function measure(target: Target, opts: Options): Promise<Result> {
  await load(target, opts.warmupS, opts)
  const before = cpuTicks(target.pid)
  const start = process.hrtime.bigint()
  const r = await load(target, opts.durationS, opts)
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9
  const cpuS = (cpuTicks(target.pid) - before) / CLK_TCK
  const requests = r.rps * Math.min(elapsedS, opts.durationS)
  return { name: target.name, ...r, cpuUsPerReq: requests > 0 ? (cpuS * 1e6) / requests : NaN }
}

async function startNginx(upstreamPort: number): Promise<Target | undefined> {
  const bin = ['/usr/sbin/nginx', 'nginx'].find((b) => b.startsWith('/') ? spawnSync('test', ['-x', b]).status === 0 : has(b))
  if (!bin) return undefined
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
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  upstream backend { server 127.0.0.1:${upstreamPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
  )
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'inherit' })
  await new Promise((r) => setTimeout(r, 500))
  // worker_processes 1: the master forks one worker; measure the worker, which does the work.
  const workers = spawnSync('pgrep', ['-P', String(child.pid)]).stdout.toString().trim().split('\n').filter(Boolean)
  const pid = Number(workers[0] ?? child.pid)
  return { name: 'nginx (1 worker)', url: `http://127.0.0.1:${port}/pets/1`, pid, stop: () => child.kill('SIGQUIT') }
}

function table(results: Result[], base: Result): string {
  const rows = [['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'errors', 'rps ratio', 'CPU ratio']]
  for (const r of results) {
    rows.push([
      r.name,
      r.rps.toFixed(0),
      r.p50ms.toFixed(2),
      r.p99ms.toFixed(2),
      r.cpuUsPerReq.toFixed(1),
      String(r.errors),
      (r.rps / base.rps).toFixed(3),
      (r.cpuUsPerReq / base.cpuUsPerReq).toFixed(3),
    ])
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
    },
  })
  const opts: Options = { durationS: Number(values.duration), warmupS: Number(values.warmup), connections: Number(values.connections) }
  const children: ChildProcess[] = []
  const stops: Array<() => void> = []
  try {
    const up = await forkChild('upstream.js', [])
    children.push(up.child)
    const bare = await forkChild('bare-proxy.js', [`--upstream=${up.port}`])
    children.push(bare.child)
    const tg = await forkChild('tollgate-target.js', [`--upstream=${up.port}`])
    children.push(tg.child)
    const targets: Target[] = [
      { name: 'bare undici proxy', url: `http://127.0.0.1:${bare.port}/pets/1`, pid: bare.child.pid!, stop: () => {} },
      { name: 'tollgate HTTP_PROXY', url: `http://127.0.0.1:${tg.port}/prod/pets/1`, host: `bench.execute-api.localhost:${tg.port}`, pid: tg.child.pid!, stop: () => {} },
    ]
    const nginx = await startNginx(up.port)
    if (nginx) {
      targets.push(nginx)
      stops.push(nginx.stop)
    }
    console.log(`load: ${has('wrk') ? 'wrk' : 'autocannon'}, ${opts.connections} connections, ${opts.warmupS}s warm-up + ${opts.durationS}s per target`)
    const results: Result[] = []
    for (const target of targets) {
      results.push(await measure(target, opts))
      console.log(`measured ${target.name}`)
    }
    console.log('\n' + table(results, results[0]!))
    const tgResult = results[1]!
    console.log(`\ntollgate / bare undici: ${(tgResult.rps / results[0]!.rps).toFixed(3)}x throughput (target >= 0.95)`)
    if (nginx) console.log(`tollgate / nginx: ${(tgResult.rps / results[2]!.rps).toFixed(3)}x throughput`)
  } finally {
    for (const stop of stops) stop()
    for (const c of children) c.kill()
  }
}

await main()
