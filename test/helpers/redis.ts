// Test helpers: a real redis-server on a free port, and a real 3-master Redis Cluster, both in
// temporary folders with persistence off. Stop them in teardown (t.teardown(server.stop)).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Throws with what to do when redis-server is not installed. */
export function requireRedisServer(): void {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'pipe' })
    execFileSync('redis-cli', ['--version'], { stdio: 'pipe' })
  } catch {
    throw new Error('redis-server and redis-cli are needed by these tests: apt-get install redis-server (CI: .ci/run installs it)')
  }
}

/** A port that was free a moment ago (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/** Sends one inline command over a raw socket; resolves with the first reply line. */
export function rawCommand(port: number, command: string, timeoutMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1')
    const timer = setTimeout(() => {
      sock.destroy()
      reject(new Error('timeout'))
    }, timeoutMs)
    let data = ''
    sock.on('connect', () => sock.write(`${command}\r\n`))
    sock.on('data', (chunk) => {
      data += chunk.toString()
      if (data.includes('\r\n')) {
        clearTimeout(timer)
        sock.destroy()
        resolve(data)
      }
    })
    sock.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the process (SIGKILL: no goodbye to clients) and waits for it to exit. */
  kill(): Promise<void>
  /** Starts it again on the same port (empty: persistence is off). */
  start(): Promise<void>
  /** SIGSTOP / SIGCONT: a Redis that keeps its connections open and answers nothing. */
  pause(): void
  resume(): void
  /** Kills it and removes its folder. Safe to call twice. */
  stop(): Promise<void>
}

function spawnRedis(dir: string, args: string[]): ChildProcess {
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.resume()
  child.stderr?.resume()
  return child
}

async function killChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

async function startOne(dir: string, port: number, extra: string[] = []): Promise<ChildProcess> {
  const child = spawnRedis(dir, ['--port', String(port), ...extra])
  let exited = false
  child.once('exit', () => (exited = true))
  await waitUntil(`redis-server on port ${port}`, async () => {
    if (exited) throw new Error(`redis-server exited (port ${port} taken?)`)
    return (await rawCommand(port, 'PING')).startsWith('+PONG')
  })
  return child
}

/** A single redis-server on a free port (retried if another process takes the port first). */
export async function startRedis(): Promise<RedisServer> {
  requireRedisServer()
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-'))
  let child: ChildProcess | undefined
  let port = 0
  for (let attempt = 0; ; attempt++) {
    port = await freePort()
    try {
      child = await startOne(dir, port)
      break
    } catch (err) {
      if (attempt >= 4) throw err
    }
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: async () => killChild(child),
    start: async () => {
      child = await startOne(dir, port)
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    stop: async () => {
      child?.kill('SIGCONT')
      await killChild(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface RedisCluster {
  readonly ports: readonly number[]
  /** Seed URL with every master, for createRedisClient({ cluster: true }). */
  readonly url: string
  stop(): Promise<void>
}

/** A 3-master Redis Cluster (no replicas), ready (cluster_state:ok on every node). */
export async function startRedisCluster(): Promise<RedisCluster> {
  requireRedisServer()
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-cluster-'))
  const children: ChildProcess[] = []
  const ports: number[] = []
  const stop = async () => {
    await Promise.all(children.map(killChild))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort()
      const bus = await freePort()
      const nodeDir = mkdtempSync(join(dir, `node-${i}-`))
      children.push(
        await startOne(nodeDir, port, ['--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--cluster-node-timeout', '2000']),
      )
      ports.push(port)
    }
    execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'pipe', timeout: 20_000 })
    for (const port of ports) {
      await waitUntil(`cluster_state:ok on ${port}`, async () => (await rawCommand(port, 'CLUSTER INFO')).includes('cluster_state:ok'))
    }
  } catch (err) {
    await stop()
    throw err
  }
  return { ports, url: `redis://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, stop }
}
