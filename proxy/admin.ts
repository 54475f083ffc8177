// The proxy's admin listener: liveness and readiness for the kubelet (metrics join later).
// /healthz answers 200 while the process runs; /readyz answers 200 only once a config is
// loaded and while the proxy is not draining, so a pod that starts with nothing to serve, or
// is shutting down, gets no traffic from its Service.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface AdminState {
  /** Hash of the config being served, '' when none. */
  configHash(): string
  draining(): boolean
}

export interface AdminServer {
  readonly server: Server
  listen(port: number, host: string): Promise<AddressInfo>
  close(): Promise<void>
}

export function createAdminServer(state: AdminState): AdminServer {
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
    reply(404, 'not found')
  })
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => resolve(server.address() as AddressInfo))
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
