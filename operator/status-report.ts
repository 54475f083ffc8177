// What `tollgate status` shows: the state of an operator replica (or of a standalone process) as
// one JSON document, served at /status on its admin listener (operator/admin.ts, cli/run.ts).
//
//   config     the published config: hash, when it was published, the execute-api domain
//   apis       the APIs of that config: id, name, protocol, endpoint type, revisions, and per
//              stage its revision (and ApiDeployment), canary, URL
//   fleet      the proxies and what they serve: each proxy's ACKed hash, its NACK (hash and
//              reason), its state against the published hash (Programmed | Pending | Rejected,
//              the reasons of the Programmed condition), and "N/M at <hash12>"
//   problems   every resource the last compile found something wrong with (errors and
//              warnings, from the compiler's statuses), and versions refused while the previous
//              one keeps serving (last-known-good)
//
// No secrets: the config carries API key digests, cache encryption keys, SigV4 secret access
// keys, stage variables; the report copies named fields only, never a config subtree.
// Pure: the clock and the process's state come in as arguments.
import type { GatewayConfig } from '../proxy/config/schema.js'
import type { ResourceStatus } from './compile/types.js'
import { refKey } from './compile/types.js'
import type { Rejected } from './last-known-good.js'
import { programmedSummary } from './kube/status.js'

export type ProxyStateName = 'Programmed' | 'Pending' | 'Rejected'

export interface StatusReport {
  /** What answered: an operator replica or a standalone `tollgate run`. */
  source: 'operator' | 'standalone'
  /** Operator: this replica's identity and whether it holds the leader Lease. */
  replica?: { identity: string; leader: boolean }
  /** When this report was made (ISO 8601). */
  generatedAt: string
  /** The published config; null before the first compile. */
  config: { hash: string; publishedAt: string; domain: string } | null
  apis: StatusApi[]
  fleet: StatusFleet
  problems: StatusProblem[]
}

export interface StatusApi {
  id: string
  /** "namespace/name" of the Api. */
  name: string
  protocol: string
  endpointType: string
  /** Revision ids the config carries for this API (the ones its stages serve, and its current one). */
  revisions: string[]
  stages: StatusStage[]
}

export interface StatusStage {
  /** Stage name as in URLs ("prod", "$default"). */
  name: string
  /** "namespace/name" of the Stage resource. */
  resource: string
  revision: string
  /** The ApiDeployment the revision comes from; absent when the stage serves the Api's current spec. */
  deployment?: string
  /** Invoke URL; absent when the execute-api endpoint is disabled. */
  url?: string
  canary?: { revision: string; deployment?: string; percentTraffic: number }
}

export interface StatusProxy {
  id: string
  state: ProxyStateName
  /** Hash the proxy ACKed last ('' before its first ACK). */
  ackedHash: string
  /** The proxy's last refusal, while it stands. */
  nack?: { hash: string; reason: string }
  /** Operator: the replica it is connected to. */
  replica?: string
  address?: string
  connectedAt?: string
}

export interface StatusFleet {
  /** The hash the proxies should serve (the published one; '' before the first). */
  hash: string
  total: number
  programmed: number
  pending: number
  rejected: number
  /** "N/M at <hash12>", as the Stage status's `programmed` ("no config published" before the first). */
  convergence: string
  /** When every proxy had ACKed the published hash (ISO 8601); absent while not converged. */
  convergedAt?: string
  proxies: StatusProxy[]
}

export interface StatusProblem {
  kind: string
  namespace: string
  name: string
  severity: 'error' | 'warning'
  reason: string
  field: string
  message: string
  /** A refused edit: the previous version of the resource keeps serving. */
  kept?: boolean
  /** Standalone: the manifest file (and line) the resource was read from. */
  file?: string
  line?: number
}

/** A proxy as the process knows it (ConfigStream.proxies(), the fleet reports, or standalone's one gateway). */
export interface ReportProxy {
  id: string
  ackedHash: string
  nack: { hash: string; reason: string } | null
  replica?: string
  remoteAddress?: string
  connectedAt?: Date
}

export interface StatusInput {
  source: 'operator' | 'standalone'
  replica?: { identity: string; leader: boolean }
  now: Date
  /** The last published config and when its hash was first published; null before the first compile. */
  published: { config: GatewayConfig; at: Date } | null
  /** The last compile's statuses and last-known-good substitutions (ReconcileResult). */
  statuses: readonly ResourceStatus[]
  rejected: readonly Rejected[]
  proxies: readonly ReportProxy[]
  convergedAt: Date | null
  /** Standalone: where each resource was read from, by refKey. */
  origins?: ReadonlyMap<string, { file: string; line: number }>
  /** Standalone: problems of the manifest files themselves (YAML syntax, ...): nothing was applied. */
  fileProblems?: ReadonlyArray<{ file: string; line: number; reason: string; message: string }>
}

export function buildStatusReport(input: StatusInput): StatusReport {
  const config = input.published?.config ?? null
  const hash = config?.hash ?? ''
  const statusByRef = new Map(input.statuses.map((s) => [refKey(s.ref), s.status]))
  const proxies = input.proxies.map((p) => proxyOf(p, hash)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const count = (state: ProxyStateName) => proxies.filter((p) => p.state === state).length
  const converged = proxies.length > 0 && count('Programmed') === proxies.length
  return {
    source: input.source,
    ...(input.replica ? { replica: { ...input.replica } } : {}),
    generatedAt: input.now.toISOString(),
    config: config === null ? null : { hash, publishedAt: input.published!.at.toISOString(), domain: config.domain },
    apis: (config?.apis ?? []).map((api) => ({
      id: api.id,
      name: api.name,
      protocol: api.protocol,
      endpointType: api.endpointType,
      revisions: api.revisions.map((r) => r.id),
      stages: api.stages.map((stage) => {
        const status = statusByRef.get(refKey(stage.source)) ?? {}
        const out: StatusStage = { name: stage.name, resource: `${stage.source.namespace}/${stage.source.name}`, revision: stage.revision }
        const deployment = stringField(status, 'deployment')
        if (deployment !== undefined) out.deployment = deployment
        const url = stringField(status, 'url')
        if (url !== undefined) out.url = url
        if (stage.canary) {
          const canaryDeployment = stringField(status, 'canaryDeployment')
          out.canary = {
            revision: stage.canary.revision,
            ...(canaryDeployment !== undefined ? { deployment: canaryDeployment } : {}),
            percentTraffic: stage.canary.percentTraffic,
          }
        }
        return out
      }),
    })),
    fleet: {
      hash,
      total: proxies.length,
      programmed: count('Programmed'),
      pending: count('Pending'),
      rejected: count('Rejected'),
      convergence: hash === '' ? 'no config published' : programmedSummary({ hash, proxies: input.proxies }),
      ...(converged && input.convergedAt !== null ? { convergedAt: input.convergedAt.toISOString() } : {}),
      proxies,
    },
    problems: problemsOf(input),
  }
}

function proxyOf(p: ReportProxy, hash: string): StatusProxy {
  const state: ProxyStateName = p.ackedHash === hash && hash !== '' ? 'Programmed' : p.nack !== null && p.nack.hash === hash ? 'Rejected' : 'Pending'
  return {
    id: p.id,
    state,
    ackedHash: p.ackedHash,
    ...(p.nack !== null ? { nack: { hash: p.nack.hash, reason: p.nack.reason } } : {}),
    ...(p.replica !== undefined ? { replica: p.replica } : {}),
    ...(p.remoteAddress !== undefined && p.remoteAddress !== '' ? { address: p.remoteAddress } : {}),
    ...(p.connectedAt !== undefined ? { connectedAt: p.connectedAt.toISOString() } : {}),
  }
}

function problemsOf(input: StatusInput): StatusProblem[] {
  const out: StatusProblem[] = []
  for (const f of input.fileProblems ?? []) {
    out.push({ kind: 'File', namespace: '', name: f.file, severity: 'error', reason: f.reason, field: '', message: f.message, file: f.file, ...(f.line > 0 ? { line: f.line } : {}) })
  }
  const located = (ref: { kind: string; namespace: string; name: string }) => {
    const origin = input.origins?.get(refKey(ref))
    return origin === undefined ? {} : { file: origin.file, ...(origin.line > 0 ? { line: origin.line } : {}) }
  }
  // Refused edits first: their problems are not in the statuses (the previous version was compiled).
  for (const r of input.rejected) {
    if (!r.kept) continue
    for (const p of r.problems) out.push({ ...r.ref, severity: p.severity, reason: p.reason, field: p.field, message: p.message, kept: true, ...located(r.ref) })
  }
  for (const s of input.statuses) {
    for (const p of s.problems) out.push({ ...s.ref, severity: p.severity, reason: p.reason, field: p.field, message: p.message, ...located(s.ref) })
  }
  return out
}

function stringField(status: Record<string, unknown>, key: string): string | undefined {
  const v = status[key]
  return typeof v === 'string' ? v : undefined
}
