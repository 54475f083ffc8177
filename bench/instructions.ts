// npm run bench:instructions: instructions per request of a target process, counted by valgrind
// (callgrind), not timed. On a machine other work keeps busy, wall-clock rates and CPU µs per
// request drift by ±20 % between runs; a count of executed instructions (user space: the
// kernel's share of each syscall is not in it) repeats within a few percent, so it shows what a
// change saves (repeat runs agree within ~5-10 %: GC timing). docs/benchmarks.md says how to read it.
//
// Each target runs under `valgrind --tool=callgrind` (about 30-50× slower) with node's
// --perf-basic-prof; the warm-up requests let V8 optimize, then the counters are zeroed, the
// measured requests are sent (`--connections` at a time, keep-alive) and the counters dumped.
// Reported per request: the main thread's instructions (the event loop: what the request
// costs), and the other threads' (GC helpers, the optimizing compiler: still compiling means a
// longer warm-up is needed). `--top N` lists the JavaScript functions with the most inclusive
// instructions (JIT code named from node's perf map).
//
//   npm run bench:instructions -- --targets floor,bare,tollgate,cache
//   npm run bench:instructions -- --targets cache --compare /path/to/other/dist --top 20
//   npm run bench:instructions -- --targets metered --warmup 20000 --requests 5000
//   npm run bench:instructions -- --targets metered-redis --top 40 --keep /tmp/cg   # keeps the callgrind files (and the perf map) for callgrind_annotate
//
// Targets: floor (node:http answering a fixed response: the least a request costs), bare (the
// bare undici proxy), tollgate (HTTP_PROXY pass-through), cache (a cache hit), metered (API key,
// plan throttle and quota in memory). Needs valgrind.
import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { startRedis } from './redis-server.js'

const here = dirname(fileURLToPath(import.meta.url))
const BENCH_API_KEY = 'BenchKey0123456789abcdefXYZ'

interface TargetSpec {
  readonly file: string
  readonly args: readonly string[]
  readonly path: string
  /** The API id in the Host header (null: no Host rewriting, the bare proxy and the floor). */
  readonly api: string | null
  readonly headers: Readonly<Record<string, string>>
}

function spec(name: string, dist: string): TargetSpec {
  const bench = join(dist, 'bench')
  switch (name) {
    case 'floor':
      return { file: join(bench, 'floor-target.js'), args: [], path: '/pets/1', api: null, headers: {} }
    case 'bare':
      return { file: join(bench, 'bare-proxy.js'), args: [], path: '/pets/1', api: null, headers: {} }
    case 'tollgate':
      return { file: join(bench, 'tollgate-target.js'), args: [], path: '/prod/pets/1', api: 'bench', headers: {} }
    case 'cache':
      return { file: join(bench, 'tollgate-cache-target.js'), args: [], path: '/prod/pets/1', api: 'bench', headers: {} }
    case 'metered':
      return { file: join(bench, 'tollgate-metered-target.js'), args: ['--memory'], path: '/prod/pets/1', api: 'benchkey', headers: { 'x-api-key': BENCH_API_KEY } }
    case 'metered-redis':
      // The port of the redis-server main() starts is filled in by count().
      return { file: join(bench, 'tollgate-metered-target.js'), args: ['--redis=REDIS_PORT', '--slow'], path: '/prod/pets/1', api: 'benchkey', headers: { 'x-api-key': BENCH_API_KEY } }
    default:
      throw new Error(`unknown target ${name} (floor, bare, tollgate, cache, metered, metered-redis)`)
  }
}

function started(child: ChildProcess): Promise<number> {
  return new Promise((resolvePort, reject) => {
    child.once('message', (m) => resolvePort((m as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)))
  })
}

/** Sends `count` GETs, `connections` at a time; returns the status codes seen. */
async function drive(pool: Pool, target: TargetSpec, host: Record<string, string>, count: number, connections: number): Promise<Map<number, number>> {
  const codes = new Map<number, number>()
  let next = 0
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < count) {
        next++
        const r = await pool.request({ method: 'GET', path: target.path, headers: { ...host, ...target.headers } })
        codes.set(r.statusCode, (codes.get(r.statusCode) ?? 0) + 1)
        await r.body.dump()
      }
    }),
  )
  return codes
}

interface Count {
  /** Instructions per request: the main thread, and all other threads together. */
  readonly main: number
  readonly others: number
  readonly top: [string, number][]
  readonly codes: Map<number, number>
}

/** Names JIT code in a callgrind file from node's perf map (`start size name` per line). */
function jitNames(mapFile: string): (address: number) => string | null {
  let text = ''
  try {
    text = readFileSync(mapFile, 'utf8')
  } catch {
    return () => null
  }
  const entries = text
    .split('\n')
    .filter(Boolean)
    .map((line): [number, number, string] => {
      const [start, size, ...name] = line.split(' ')
      return [parseInt(start!, 16), parseInt(size!, 16), name.join(' ')]
    })
    .sort((a, b) => a[0] - b[0])
  return (address) => {
    let lo = 0
    let hi = entries.length - 1
    let at = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (entries[mid]![0] <= address) {
        at = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    for (let i = at; i >= 0 && i > at - 50; i--) {
      const [start, size, name] = entries[i]!
      if (address < start + size) return name
    }
    return null
  }
}

/** The JavaScript functions with the most inclusive instructions (callgrind_annotate --inclusive). */
function topFunctions(file: string, pid: number, n: number, requests: number): [string, number][] {
  const name = jitNames(`/tmp/perf-${pid}.map`)
  const named = readFileSync(file, 'utf8').replace(/^(c?fn=\(\d+\)) (0x[0-9a-f]+)$/gm, (line, pre: string, hex: string) => {
    const found = name(parseInt(hex, 16))
    return found === null ? line : `${pre} ${found.replace(/\s+/g, '_')}`
  })
  const annotated = `${file}.named`
  writeFileSync(annotated, named)
  const out = spawnSync('callgrind_annotate', ['--inclusive=yes', annotated], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout ?? ''
  const rows: [string, number][] = []
  for (const line of out.split('\n')) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+\S*?JS:(\S+)/.exec(line)
    if (m) rows.push([m[2]!.replace(/^[*^~]/, ''), Number(m[1]!.replace(/,/g, '')) / requests])
    if (rows.length >= n) break
  }
  return rows
}

async function count(target: TargetSpec, upstreamPort: number, redisPort: number, opts: { warmup: number; requests: number; connections: number; top: number; keep: string | undefined }): Promise<Count> {
  const dir = mkdtempSync(join(opts.keep ?? tmpdir(), 'tollgate-instructions-'))
  const args = target.args.map((a) => a.replace('REDIS_PORT', String(redisPort)))
  const child = fork(target.file, [`--upstream=${upstreamPort}`, ...args], {
    execPath: 'valgrind',
    execArgv: ['-q', '--tool=callgrind', '--smc-check=all-non-file', '--separate-threads=yes', `--callgrind-out-file=${dir}/cg.%p`, process.execPath, '--perf-basic-prof'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  try {
    const port = await started(child)
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: opts.connections })
    const host: Record<string, string> = target.api === null ? {} : { host: `${target.api}.execute-api.localhost:${port}` }
    await drive(pool, target, host, opts.warmup, opts.connections)
    spawnSync('callgrind_control', ['--zero', String(child.pid)])
    const codes = await drive(pool, target, host, opts.requests, opts.connections)
    spawnSync('callgrind_control', ['--dump', String(child.pid)])
    await pool.close()
    let main = 0
    let others = 0
    let mainFile = ''
    for (const file of readdirSync(dir)) {
      const m = /^cg\.\d+\.\d+-(\d+)$/.exec(file)
      if (!m) continue
      const summary = /^summary: (\d+)$/m.exec(readFileSync(join(dir, file), 'utf8'))
      const n = Number(summary?.[1] ?? 0)
      if (m[1] === '01') {
        main += n
        mainFile = join(dir, file)
      } else others += n
    }
    const top = opts.top > 0 && mainFile !== '' ? topFunctions(mainFile, child.pid!, opts.top, opts.requests) : []
    return { main: main / opts.requests, others: others / opts.requests, top, codes }
  } finally {
    child.kill('SIGKILL')
    if (opts.keep === undefined) {
      rmSync(dir, { recursive: true, force: true })
      rmSync(`/tmp/perf-${child.pid}.map`, { force: true })
    } else console.log(`    callgrind files kept in ${dir} (perf map /tmp/perf-${child.pid}.map)`)
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string', default: 'floor,tollgate,cache' },
      compare: { type: 'string' },
      warmup: { type: 'string', default: '15000' },
      requests: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '8' },
      top: { type: 'string', default: '0' },
      keep: { type: 'string' },
    },
  })
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed')
  const opts = { warmup: Number(values.warmup), requests: Number(values.requests), connections: Number(values.connections), top: Number(values.top), keep: values.keep }
  const dists = [resolve(here, '..'), ...(values.compare?.split(',').map((d) => resolve(d)) ?? [])]
  const upstream = fork(join(here, 'upstream.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const redis = values.targets.split(',').includes('metered-redis') ? await startRedis() : null
  try {
    const upstreamPort = await started(upstream)
    console.log(`instructions per request (callgrind, user space), ${opts.warmup} warm-up + ${opts.requests} measured requests, ${opts.connections} connections`)
    for (const name of values.targets.split(',')) {
      for (const [i, dist] of dists.entries()) {
        // The floor is the same for every build: measure it once.
        if (name === 'floor' && i > 0) continue
        const c = await count(spec(name, name === 'floor' ? dists[0]! : dist), upstreamPort, redis?.port ?? 0, opts)
        const label = i === 0 ? name : `${name} (${dist})`
        const codes = [...c.codes].map(([code, n]) => `${code}×${n}`).join(' ')
        console.log(`${label.padEnd(24)} main thread ${(c.main / 1000).toFixed(1).padStart(6)}k  other threads ${(c.others / 1000).toFixed(1).padStart(5)}k  (${codes})`)
        for (const [fn, n] of c.top) console.log(`    ${(n / 1000).toFixed(1).padStart(6)}k  ${fn}`)
      }
    }
  } finally {
    upstream.kill()
    redis?.child.kill()
  }
}

await main()
