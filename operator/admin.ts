// The operator's metrics/admin listener: /healthz (the process runs) and /readyz (the informers
// have synced and the first config is published, and the operator is not shutting down).
// /metrics serves the operator's Prometheus metrics (operator/metrics.ts); /status the
// replica's state as JSON for `tollgate status` (operator/status-report.ts). Neither asks for a
// token: both are read-only and hold no secrets (docs/cli.md#status).
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { closeNow, listenOn } from '../proxy/listen.js'
import type { StatusReport } from './status-report.js'

export interface OperatorAdmin {
  readonly server: Server
  listen(port: number, host: string): Promise<AddressInfo>
  close(): Promise<void>
}

export function createOperatorAdmin(
  readiness: () => { ready: boolean; detail: string },
  metrics: () => Promise<string>,
  report?: () => StatusReport,
): OperatorAdmin {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const reply = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
      res.end(`${body}\n`)
    }
    if (path === '/healthz') return reply(200, 'ok')
    if (path === '/metrics') {
      metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          res.end(text)
        },
        () => reply(500, 'metrics failed'),
      )
      return
    }
    if (path === '/status' && report !== undefined) return replyJson(res, report())
    if (path === '/readyz') {
      const r = readiness()
      return reply(r.ready ? 200 : 503, r.detail)
    }
    reply(404, 'not found')
  })
  return {
    server,
    listen: (port, host) => listenOn(server, port, host),
    close: () => closeNow(server),
  }
}

/** A JSON answer, never cached. */
export function replyJson(res: ServerResponse, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
