// tollgate status: what an operator replica (--operator URL, its metrics port) or a standalone
// `tollgate run` (--admin URL, its admin listener) serves, from GET /status
// (operator/status-report.ts): the APIs and stages of the published config, the fleet's
// convergence and the problems of the last compile. -o table (default), json or yaml.
//
// No token: /status is read-only and holds no secrets, like /metrics on the same listener
// (docs/cli.md#status). Exit codes: 0 printed, 1 the endpoint cannot be reached or did not answer
// a status, 2 usage error.
import { request } from 'undici'
import { stringify } from 'yaml'
import type { StatusReport } from '../operator/status-report.js'
import type { StatusOptions } from './options.js'
import { renderStatus } from './status-table.js'

export async function statusCommand(opts: StatusOptions, out: (text: string) => void = (s) => process.stdout.write(s), err: (text: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const url = `${opts.url}/status`
  const hint = opts.target === 'operator' ? "is the operator running, and is this its --metrics-port?" : 'is tollgate run running with this --admin-port?'
  let status: number
  let text: string
  try {
    const r = await request(url, { headers: { accept: 'application/json' }, headersTimeout: 10_000, bodyTimeout: 10_000 })
    status = r.statusCode
    text = await r.body.text()
  } catch (e) {
    err(`tollgate: cannot reach the ${opts.target} at ${opts.url} (${describe(e)}); ${hint}\n`)
    return 1
  }
  if (status !== 200) {
    err(`tollgate: GET ${url} answered ${status}${text.trim() !== '' ? `: ${text.trim().slice(0, 200)}` : ''}; ${hint}\n`)
    return 1
  }
  let report: StatusReport
  try {
    report = JSON.parse(text) as StatusReport
  } catch {
    err(`tollgate: GET ${url} did not answer JSON; ${hint}\n`)
    return 1
  }
  if (!isReport(report)) {
    err(`tollgate: GET ${url} did not answer a Tollgate status (a newer or older version?)\n`)
    return 1
  }
  if (opts.output === 'json') out(`${JSON.stringify(report, null, 2)}\n`)
  else if (opts.output === 'yaml') out(stringify(report))
  else out(renderStatus(report))
  return 0
}

function isReport(r: unknown): r is StatusReport {
  if (r === null || typeof r !== 'object') return false
  const o = r as Record<string, unknown>
  const fleet = o.fleet as Record<string, unknown> | null | undefined
  return (o.source === 'operator' || o.source === 'standalone') && Array.isArray(o.apis) && Array.isArray(o.problems) && typeof fleet === 'object' && fleet !== null && Array.isArray(fleet.proxies)
}

/** undici wraps the socket error: name the code (ECONNREFUSED, ENOTFOUND) when there is one. */
function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause
  const code = (e as { code?: string }).code
  if (cause?.code) return `${cause.code}: ${cause.message ?? ''}`.trim()
  return code ? `${code}: ${(e as Error).message}` : (e as Error)?.message ?? String(e)
}
