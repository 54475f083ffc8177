// tollgate function serve: one Lambda handler (FILE#EXPORT) behind the Lambda invoke API
// (functions/host.ts), so it runs as a pod behind AWS and AWS_PROXY integrations, or locally
// beside `tollgate run`. docs/functions.md.
import { HandlerLoadError, loadHandler } from '../functions/handler.js'
import { startFunctionHost } from '../functions/host.js'
import type { FunctionServeOptions } from './options.js'
import { exitOnSignal, timestampedLog, type Log } from './process.js'

export async function functionServeCommand(opts: FunctionServeOptions, log: Log = timestampedLog): Promise<number> {
  let handler
  try {
    handler = await loadHandler(opts.handler)
  } catch (err) {
    if (!(err instanceof HandlerLoadError)) throw err
    process.stderr.write(`tollgate: ${err.message}\n`)
    return 1
  }
  const host = await startFunctionHost(
    { handler, timeoutMs: opts.timeoutMs, log, ...(opts.functionName !== undefined ? { functionName: opts.functionName } : {}) },
    opts.port,
    opts.host,
  )
  log(`function ${opts.handler} serving the Lambda invoke API on ${opts.host}:${host.port}: POST ${host.invokeUri}`)
  exitOnSignal(log, () => host.close())
  return -1
}
