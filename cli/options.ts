// Command-line parsing for the tollgate command. Configuration is read here, once, into typed
// objects that the commands receive; nothing below reads process.argv or the environment.
import { parseArgs } from 'node:util'

export interface CommonOptions {
  files: string[]
  domain: string
  namespace: string
}

export interface RunOptions extends CommonOptions {
  port: number
  host: string
  holdOffMs: number
}

export class UsageError extends Error {
  readonly code = 'TG_ERR_USAGE'
}

const SPEC = {
  file: { type: 'string', short: 'f', multiple: true },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  domain: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'backend-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export interface ParsedArgs {
  command: string
  help: boolean
  run: RunOptions
  backendPort: number
}

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got ${JSON.stringify(value)}`)
  return n
}

export function parse(argv: string[]): ParsedArgs {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: SPEC, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values, positionals } = parsed
  const command = positionals[0] ?? 'help'
  const files = [...(values.file ?? []), ...positionals.slice(1)]
  return {
    command,
    help: values.help ?? false,
    run: {
      files,
      domain: values.domain ?? 'localhost',
      namespace: values.namespace ?? 'default',
      port: port(values.port, 8080, '--port'),
      host: values.host ?? '127.0.0.1',
      holdOffMs: 100,
    },
    backendPort: port(values['backend-port'], 9000, '--backend-port'),
  }
}

export const USAGE = `Usage: tollgate <command> [options]

Commands:
  run -f PATH...        Serve the manifests (files or folders of YAML) standalone; edits apply live.
  validate -f PATH...   Check manifests; print every problem (file, resource, field, reason); exit 1 on errors.
  compile -f PATH...    Print the GatewayConfig the manifests compile to, as JSON.
  quickstart            Serve examples/ on port 8080 with the example backend on port 9000 (npm start).
  help                  This text.

Options:
  -f, --file PATH       Manifest file or folder (repeatable).
  -p, --port N          Listen port for run/quickstart (default 8080).
      --host ADDR       Listen address (default 127.0.0.1).
      --domain NAME     Execute-api domain: APIs answer at {apiId}.execute-api.NAME (default localhost).
  -n, --namespace NS    Namespace of resources that name none (default default).
      --backend-port N  Port of the quickstart example backend (default 9000).
`
