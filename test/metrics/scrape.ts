// Test helper: reads /metrics of an admin listener, finds samples by name and labels, and
// checks the exposition with promtool (the Prometheus text format parser and linter).
import { spawnSync } from 'node:child_process'
import { request } from 'undici'

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Scrape {
  readonly text: string
  readonly contentType: string
  readonly samples: readonly Sample[]
  /** The value of the one sample with this name and exactly these labels; undefined when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined
  /** Samples of a name whose labels include `labels`. */
  all(name: string, labels?: Record<string, string>): Sample[]
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = SAMPLE.exec(line)
    if (m === null) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return samples
}

function includes(have: Readonly<Record<string, string>>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => have[k] === v)
}

export async function scrape(adminPort: number): Promise<Scrape> {
  const r = await request(`http://127.0.0.1:${adminPort}/metrics`)
  const text = await r.body.text()
  if (r.statusCode !== 200) throw new Error(`/metrics answered ${r.statusCode}: ${text}`)
  const samples = parseExposition(text)
  const all = (name: string, labels: Record<string, string> = {}) => samples.filter((s) => s.name === name && includes(s.labels, labels))
  return {
    text,
    contentType: String(r.headers['content-type']),
    samples,
    all,
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && includes(s.labels, labels))
      if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`)
      return found[0]?.value
    },
  }
}

/**
 * What `promtool check metrics` finds wrong with an exposition: parse errors and lint problems,
 * except the lint of prom-client's own default metrics (nodejs_active_*_total gauges), which
 * are not ours to rename.
 */
export function promtoolProblems(text: string): string[] {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
  if (run.error) throw run.error
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.trim() !== '')
  return lines.filter((l) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l))
}
