// `tollgate status` as text: a few summary lines, then kubectl-style tables (upper-case headers,
// columns padded to the widest cell and three spaces apart, `<none>` for an empty cell) of the
// APIs, the stages, the proxies and the problems. Pure: ages are relative to the report's
// generatedAt, so the same report always prints the same text.
import type { StatusReport } from '../operator/status-report.js'

const NONE = '<none>'

export function renderStatus(report: StatusReport): string {
  const now = Date.parse(report.generatedAt)
  const out: string[] = []
  const source = report.replica
    ? `operator ${report.replica.identity}${report.replica.leader ? ' (leader)' : ' (not leader: statuses are written by the leader)'}`
    : 'standalone (tollgate run)'
  out.push(`Source:     ${source}`)
  if (report.config === null) {
    out.push('Config:     none published yet')
  } else {
    const c = report.config
    out.push(`Config:     ${short(c.hash)} published ${c.publishedAt} (${age(now, c.publishedAt)} ago), domain ${c.domain}`)
  }
  const f = report.fleet
  const converged = f.convergedAt !== undefined ? `, converged ${f.convergedAt}` : ''
  const detail = [f.pending > 0 ? `${f.pending} pending` : '', f.rejected > 0 ? `${f.rejected} rejected` : ''].filter((s) => s !== '').join(', ')
  out.push(`Fleet:      ${f.convergence}${detail !== '' ? ` (${detail})` : ''}${converged}`)
  const errors = report.problems.filter((p) => p.severity === 'error').length
  const warnings = report.problems.length - errors
  out.push(`Problems:   ${report.problems.length === 0 ? 'none' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`}`)

  out.push('')
  if (report.apis.length === 0) out.push('No APIs.')
  else {
    out.push(
      ...table(
        ['API', 'NAME', 'PROTOCOL', 'ENDPOINT', 'REVISIONS', 'STAGES'],
        report.apis.map((a) => [a.id, a.name, a.protocol, a.endpointType, String(a.revisions.length), String(a.stages.length)]),
      ),
    )
  }

  const stages = report.apis.flatMap((a) => a.stages.map((s) => ({ api: a.id, ...s })))
  out.push('')
  if (stages.length === 0) out.push('No stages.')
  else {
    out.push(
      ...table(
        ['API', 'STAGE', 'REVISION', 'DEPLOYMENT', 'CANARY', 'URL'],
        stages.map((s) => [
          s.api,
          s.name,
          s.revision,
          s.deployment ?? NONE,
          s.canary ? `${s.canary.percentTraffic}% ${s.canary.deployment ?? s.canary.revision}` : NONE,
          s.url ?? NONE,
        ]),
      ),
    )
  }

  out.push('')
  if (f.proxies.length === 0) out.push('No proxies connected.')
  else {
    const withReplica = f.proxies.some((p) => p.replica !== undefined)
    out.push(
      ...table(
        ['PROXY', 'STATE', 'HASH', ...(withReplica ? ['REPLICA'] : []), 'ADDRESS', 'AGE', 'REASON'],
        f.proxies.map((p) => [
          p.id,
          p.state,
          p.ackedHash === '' ? NONE : short(p.ackedHash),
          ...(withReplica ? [p.replica ?? NONE] : []),
          p.address ?? NONE,
          p.connectedAt !== undefined ? age(now, p.connectedAt) : NONE,
          p.nack ? `refused ${short(p.nack.hash)}: ${p.nack.reason}` : NONE,
        ]),
      ),
    )
  }

  out.push('')
  if (report.problems.length === 0) out.push('No problems.')
  else {
    // Standalone names the manifest file (and line) of each problem.
    const withFile = report.problems.some((p) => p.file !== undefined)
    out.push(
      ...table(
        ['KIND', 'RESOURCE', ...(withFile ? ['FILE'] : []), 'SEVERITY', 'REASON', 'FIELD', 'MESSAGE'],
        report.problems.map((p) => [
          p.kind,
          p.kind === 'File' ? NONE : `${p.namespace}/${p.name}`,
          ...(withFile ? [p.file === undefined ? NONE : `${p.file}${p.line !== undefined ? `:${p.line}` : ''}`] : []),
          p.severity,
          p.reason,
          p.field === '' ? NONE : p.field,
          p.kept ? `${p.message} (the previous version keeps serving)` : p.message,
        ]),
      ),
    )
  }
  return `${out.join('\n')}\n`
}

/** Rows padded to the widest cell of each column, three spaces apart; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows].map((r) => r.map(oneLine))
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('   ').trimEnd())
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ')
}

function short(hash: string): string {
  return hash.slice(0, 12)
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** kubectl's short ages: 45s, 12m, 5h, 3d. */
export function age(now: number, iso: string): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000))
  if (s < 120) return `${s}s`
  if (s < 2 * 3600) return `${Math.floor(s / 60)}m`
  if (s < 2 * 86400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86400)}d`
}
