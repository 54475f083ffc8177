// Helpers for benchmark child processes: each target runs in its own process so the load
// generator, the upstream and the proxy under test do not share an event loop.
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'

/** Tells the parent which port the child listens on; exits (flushing a --cpu-prof profile) on 'stop'. */
export function reportPort(server: Server): void {
  const { port } = server.address() as AddressInfo
  process.send?.({ port })
  process.on('message', (m) => {
    if (m === 'stop') process.exit(0)
  })
}

/** Reads a required numeric argument passed as --name=value. */
export function numberArg(name: string): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`))
  const value = Number(arg?.slice(name.length + 3))
  if (!Number.isInteger(value) || value <= 0) throw new Error(`missing --${name}=N`)
  return value
}
