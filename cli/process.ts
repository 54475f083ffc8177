// What the long-running commands (operator, proxy) share: timestamped log lines on stdout, and
// one orderly shutdown on SIGTERM or SIGINT (a second signal does not start another).
export type Log = (line: string) => void

export const timestampedLog: Log = (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`)

/** Runs `shutdown` once on the first SIGTERM/SIGINT, then exits 0 (1 if it failed). */
export function exitOnSignal(log: Log, shutdown: () => Promise<void>): void {
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log(`${signal}: shutting down`)
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${(err as Error).message}`)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}
