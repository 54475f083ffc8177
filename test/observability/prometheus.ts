// A real Prometheus (Debian's prometheus package) for the tests: its own loopback port, its own
// temporary TSDB folder, a 1 s scrape and rule evaluation interval, and a small client for its
// HTTP API (queries, label values, targets, rules).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { stringify } from 'yaml'
import { freePort } from '../helpers/redis.js'

export interface ScrapeTarget {
  job: string
  address: string
  /** Labels the target's series get, as a ServiceMonitor would give them (namespace, pod). */
  labels: Record<string, string>
}

export interface Sample {
  metric: Record<string, string>
  value: [number, string]
}

export interface TargetState {
  labels: Record<string, string>
  scrapeUrl: string
  health: 'up' | 'down' | 'unknown'
  lastScrape: string
  lastError: string
}

export interface RuleState {
  name: string
  query: string
  health: string
  lastError?: string
  state?: 'inactive' | 'pending' | 'firing'
  type: 'alerting' | 'recording'
}

export interface Prometheus {
  readonly url: string
  /** An instant query; throws with Prometheus' error on a bad expression. */
  query(expr: string): Promise<Sample[]>
  /** Values of a label over the series that match `match` (what Grafana's label_values() asks). */
  labelValues(label: string, match: string): Promise<string[]>
  targets(): Promise<TargetState[]>
  rules(): Promise<RuleState[]>
  /** Resolves once every target was scraped `n` more times after this call. */
  scrapes(n?: number, timeoutMs?: number): Promise<void>
  log(): string
  stop(): Promise<void>
}

export interface PrometheusOptions {
  targets: ScrapeTarget[]
  /** Rule file contents (rule_files), evaluated every second. */
  rules?: string
}

async function api<T>(base: string, path: string, form?: Record<string, string>): Promise<T> {
  const r = await request(`${base}${path}`, form
    ? { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
    : {})
  const body = (await r.body.json()) as { status: string; data: T; error?: string; errorType?: string }
  if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.errorType}: ${body.error}`)
  return body.data
}

function config(targets: ScrapeTarget[], withRules: boolean): string {
  const jobs = new Map<string, ScrapeTarget[]>()
  for (const t of targets) jobs.set(t.job, [...(jobs.get(t.job) ?? []), t])
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
    ...(withRules ? { rule_files: ['rules.yaml'] } : {}),
    scrape_configs: [...jobs].map(([job, ts]) => ({
      job_name: job,
      metrics_path: '/metrics',
      static_configs: ts.map((t) => ({ targets: [t.address], labels: t.labels })),
    })),
  })
}

export async function startPrometheus(opts: PrometheusOptions): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-prometheus-'))
  writeFileSync(join(dir, 'prometheus.yml'), config(opts.targets, opts.rules !== undefined))
  if (opts.rules !== undefined) writeFileSync(join(dir, 'rules.yaml'), opts.rules)
  let output = ''
  let child: ChildProcess | undefined
  let url = ''
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()))
    const started = child
    const exited = new Promise<Error>((resolve) => {
      started.once('error', (err) => resolve(new Error(`prometheus could not start (${err.message}): apt-get install prometheus (CI: .ci/run installs it)`)))
      started.once('exit', (code) => resolve(new Error(`prometheus exited (${code}):\n${output}`)))
    })
    const ready = (async () => {
      const deadline = Date.now() + 30_000
      while (Date.now() < deadline) {
        try {
          const r = await request(`${url}/-/ready`)
          await r.body.dump()
          if (r.statusCode === 200) return null
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 50))
      }
      return new Error(`prometheus not ready after 30 s:\n${output}`)
    })()
    const err = await Promise.race([ready, exited])
    if (err === null) break
    child.kill('SIGKILL')
    // Another process may have taken the port between freePort() and the bind: try another.
    if (attempt >= 3 || !/address already in use/.test(err.message)) {
      rmSync(dir, { recursive: true, force: true })
      throw err
    }
  }
  const proc = child

  const self: Prometheus = {
    url,
    async query(expr) {
      const data = await api<{ resultType: string; result: Sample[] | [number, string] }>(url, '/api/v1/query', { query: expr })
      // A scalar answer (e.g. `time()`) is one sample without labels.
      if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }]
      return data.result as Sample[]
    },
    async labelValues(label, match) {
      return api<string[]>(url, `/api/v1/label/${encodeURIComponent(label)}/values?${new URLSearchParams({ 'match[]': match })}`)
    },
    async targets() {
      return (await api<{ activeTargets: TargetState[] }>(url, '/api/v1/targets?state=active')).activeTargets
    },
    async rules() {
      const data = await api<{ groups: Array<{ rules: RuleState[] }> }>(url, '/api/v1/rules')
      return data.groups.flatMap((g) => g.rules)
    },
    async scrapes(n = 2, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      // Service discovery hands new targets to the scrape manager at most every 5 s.
      while ((await self.targets()).length < opts.targets.length) {
        if (Date.now() > deadline) throw new Error(`Prometheus has not picked up its ${opts.targets.length} targets in ${timeoutMs} ms:\n${output}`)
        await new Promise((r) => setTimeout(r, 50))
      }
      for (let i = 0; i < n; i++) {
        const before = new Map((await self.targets()).map((t) => [t.scrapeUrl, Date.parse(t.lastScrape)]))
        const since = Date.now()
        for (;;) {
          const now = await self.targets()
          // A scrape that started after `since` saw everything done before it.
          if (now.every((t) => Date.parse(t.lastScrape) > Math.max(before.get(t.scrapeUrl) ?? 0, since))) break
          if (Date.now() > deadline) throw new Error(`targets not scraped in ${timeoutMs} ms: ${JSON.stringify(now)}`)
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    },
    log: () => output,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
          proc.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          proc.kill('SIGTERM')
        })
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return self
}
