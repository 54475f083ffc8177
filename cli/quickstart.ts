// tollgate quickstart (npm start): the example backend on --backend-port and the manifests
// in examples/ served on --port, so a newcomer has a working gateway offline.
import { fileURLToPath } from 'node:url'
import { startBackend } from '../examples/backend.js'
import { runCommand } from './run.js'
import type { RunOptions } from './options.js'

export async function quickstartCommand(opts: RunOptions, backendPort: number): Promise<number> {
  const { port } = await startBackend(backendPort)
  process.stdout.write(`example backend listening on http://127.0.0.1:${port}\n`)
  // dist/cli/quickstart.js → <repo>/examples/manifests
  const examples = fileURLToPath(new URL('../../examples/manifests/', import.meta.url))
  return runCommand({ ...opts, files: opts.files.length > 0 ? opts.files : [examples] })
}
