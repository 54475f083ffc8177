// The real programs: `tollgate operator` and two `tollgate proxy` processes (built dist/),
// against the test API server. 100 edits of an Api through client-node while both proxies are
// under load: no request fails. Then SIGTERM to a proxy under load: no in-flight request fails.
import t, { type Test } from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { startServer } from '../helpers/servers.js'
import { api, cluster, create, eventually, patchSpec, stage, TOKEN } from './helpers.js'

const MAIN = join(process.cwd(), 'dist/cli/main.js')

interface Proc {
  child: ChildProcess
  output: string[]
  /** Resolves with the first stdout match of `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  exited: Promise<number | null>
}

function run(t: Test, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const output: string[] = []
  const waiters: Array<() => void> = []
  const onData = (d: Buffer) => {
    output.push(d.toString())
    for (const w of waiters.splice(0)) w()
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return {
    child,
    output,
    exited,
    waitFor(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${output.join('')}`)), timeoutMs)
        const check = () => {
          const m = output.join('').match(re)
          if (m) {
            clearTimeout(timer)
            resolve(m)
          } else waiters.push(check)
        }
        check()
      })
    },
  }
}

async function startFleet(t: Test, kubeconfig: string, proxies: string[], proxyArgs: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-proc-'))
  const tokenFile = join(dir, 'token')
  writeFileSync(tokenFile, `${TOKEN}\n`)
  const op = run(t, ['operator', '--stream-port=0', '--metrics-port=0', '--host=127.0.0.1', '--leader-elect=true', '--hold-off-ms=20', `--stream-token-file=${tokenFile}`], {
    KUBECONFIG: kubeconfig,
    POD_NAME: 'operator-0',
    POD_NAMESPACE: 'default',
  })
  const [, streamPort] = await op.waitFor(/stream on [\d.]+:(\d+)/)
  await op.waitFor(/leading: operator-0/)
  const ports: number[] = []
  const procs: Proc[] = []
  for (const id of proxies) {
    const p = run(t, ['proxy', `--operator-url=ws://127.0.0.1:${streamPort}/v1/config`, `--stream-token-file=${tokenFile}`, `--proxy-id=${id}`, '--host=127.0.0.1', '--port=0', '--admin-port=0', '--private-port=0', `--config-cache=${join(dir, `${id}.json`)}`, ...proxyArgs], {})
    const [, port] = await p.waitFor(/listening on [\d.]+:(\d+)/)
    ports.push(Number(port))
    procs.push(p)
  }
  return { op, procs, ports }
}

t.test('100 edits while two proxies are under load: 0 failed requests', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const { op, ports } = await startFleet(t, c.server.kubeconfigFile(), ['proxy-1', 'proxy-2'])
  const route = (path: string) => ({ path, method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backend.port}/item` } })
  await create(c, { ...api('busy', backend.port), spec: { apiId: 'busy', routes: [route('/item'), route('/v0')] } })
  await create(c, stage('busy-prod', 'busy'))
  const agent = new Agent({ connections: 16 })
  t.teardown(() => agent.close())
  const get = async (port: number, path: string) => {
    const r = await request(`http://127.0.0.1:${port}/prod${path}`, { headers: { host: `busy.execute-api.localhost:${port}` }, dispatcher: agent })
    await r.body.dump()
    return r.statusCode
  }
  for (const port of ports) await eventually(`proxy on ${port} serves`, async () => (await get(port, '/item')) === 200, 10_000)

  let done = false
  let ok = 0
  const failures: string[] = []
  const worker = async (port: number) => {
    while (!done) {
      try {
        const status = await get(port, '/item')
        if (status === 200) ok++
        else failures.push(`HTTP ${status}`)
      } catch (err) {
        failures.push((err as Error).message)
      }
    }
  }
  const workers = ports.flatMap((port) => [worker(port), worker(port), worker(port), worker(port)])
  const started = Date.now()
  for (let i = 1; i <= 100; i++) await patchSpec(c, 'apis', 'busy', { routes: [route('/item'), route(`/v${i}`)] })
  const edited = Date.now() - started
  for (const port of ports) await eventually(`proxy on ${port} serves the last edit`, async () => (await get(port, '/v100')) === 200, 10_000)
  done = true
  await Promise.all(workers)
  const applied = op.output.join('').match(/published config/g)?.length ?? 0
  t.comment(`100 edits in ${edited} ms; ${applied} configs published (hold-off coalesces); ${ok} requests OK, ${failures.length} failed over ${Date.now() - started} ms`)
  t.equal(failures.length, 0, `no failed request: ${failures.slice(0, 5).join('; ')}`)
  t.ok(ok > 100, 'the proxies were under load')
  await eventually('Programmed 2/2', () => {
    const s = c.server.objects('Stage', 'default')[0]?.status as Record<string, any> | undefined
    return typeof s?.programmed === 'string' && s.programmed.startsWith('2/2 at ')
  }, 10_000)

  // SIGTERM to the operator: it releases the Lease and exits 0.
  op.child.kill('SIGTERM')
  t.equal(await op.exited, 0, 'the operator exits 0 on SIGTERM')
  t.notOk((c.server.objects('Lease', 'default')[0]?.spec as Record<string, any>).holderIdentity, 'and released the Lease')
})

t.test('SIGTERM to a proxy under load: 0 failed in-flight requests', async (t) => {
  // A slow backend (400 ms): requests sent during the 300 ms grace are still in flight when the
  // proxy stops accepting, so the drain is what lets them finish.
  const backend = await startServer((_req, res) => setTimeout(() => res.end('slow ok'), 400))
  t.teardown(backend.close)
  const c = await cluster(t)
  const { procs, ports } = await startFleet(t, c.server.kubeconfigFile(), ['proxy-1'], ['--shutdown-grace-seconds=0.3', '--drain-timeout-seconds=5'])
  const port = ports[0]!
  await create(c, api('slow', backend.port))
  await create(c, stage('slow-prod', 'slow'))
  const agent = new Agent({ connections: 32 })
  t.teardown(() => agent.close())
  const get = async () => {
    const r = await request(`http://127.0.0.1:${port}/prod/item`, { headers: { host: `slow.execute-api.localhost:${port}` }, dispatcher: agent })
    const body = await r.body.text()
    return { status: r.statusCode, body }
  }
  await eventually('served', async () => (await get().catch(() => ({ status: 0 }))).status === 200, 10_000)

  let signalled = 0
  let ok = 0
  const failures: string[] = []
  // Each worker sends requests until 150 ms after SIGTERM (inside the 300 ms grace), then stops;
  // every request it sent was sent while the proxy still accepted.
  const worker = async () => {
    while (signalled === 0 || Date.now() - signalled < 150) {
      try {
        const r = await get()
        if (r.status === 200 && r.body === 'slow ok') ok++
        else failures.push(`HTTP ${r.status}`)
      } catch (err) {
        failures.push((err as Error).message)
      }
    }
  }
  const workers = Array.from({ length: 20 }, worker)
  await new Promise((r) => setTimeout(r, 400))
  signalled = Date.now()
  procs[0]!.child.kill('SIGTERM')
  await Promise.all(workers)
  const code = await procs[0]!.exited
  t.comment(`${ok} requests OK, ${failures.length} failed; the proxy exited ${code} ${Date.now() - signalled} ms after SIGTERM`)
  t.equal(failures.length, 0, `no failed request: ${failures.slice(0, 5).join('; ')}`)
  t.equal(code, 0, 'the proxy exits 0')
})
