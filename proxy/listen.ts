// Listening and closing of node:http servers, shared by the gateway's listeners and the admin
// listeners of the proxy and the operator.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Listens on port/host; rejects on a listen error (e.g. EADDRINUSE) and leaves no listener behind. */
export function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    })
  })
}

/** Closes at once, cutting open connections (admin listeners: nothing there needs draining). */
export function closeNow(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
}
