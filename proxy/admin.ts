// The proxy's admin listener: liveness and readiness for the kubelet (metrics join later), and
// optional extra routes (the usage API of proxy/metering/usage-api.ts).
// /healthz answers 200 while the process runs; /readyz answers 200 only once a config is
// loaded and while the proxy is not draining, so a pod that starts with nothing to serve, or
// is shutting down, gets no traffic from its Service.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { closeNow, listenOn } from './listen.js'

export interface AdminState {
  /** Hash of the config being served, '' when none. */
  configHash(): string
  draining(): boolean
}

/** An extra route set: answers and returns true, or returns false to leave the request alone. */
export type AdminRoutes = (req: IncomingMessage, res: ServerResponse) => boolean

export interface AdminServer {
  readonly server: Server
  listen(port: number, host: string): Promise<AddressInfo>
  close(): Promise<void>
}

export function createAdminServer(state: AdminState, routes?: AdminRoutes): AdminServer {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const reply = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
      res.end(`${body}\n`)
    }
    if (path === '/healthz') return reply(200, 'ok')
    if (path === '/readyz') {
      if (state.draining()) return reply(503, 'draining')
      const hash = state.configHash()
      return hash === '' ? reply(503, 'no config loaded') : reply(200, `ready ${hash.slice(0, 12)}`)
    }
    if (routes?.(req, res)) return
    reply(404, 'not found')
  })
  return {
    server,
    listen: (port, host) => listenOn(server, port, host),
    close: () => closeNow(server),
  }
}
