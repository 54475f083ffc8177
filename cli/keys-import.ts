// tollgate keys import: an AWS API Gateway API key file (CSV, as ImportApiKeys reads it) →
// a Secret and an ApiKey per key, as multi-document YAML on stdout, in a file, or one file per
// key in a folder. Problems go to stderr as `file:line: Column: message`; key values never do.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { validateResource } from '../crds/validate.js'
import { readKeyFile, type FileProblem } from './keys/aws-key-file.js'
import { buildManifests, planIdProblem, planLabelKey, type Manifest } from './keys/manifests.js'
import type { KeysImportOptions } from './options.js'

export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
  readStdin: () => string
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: () => readFileSync(0, 'utf8'),
}

export function keysImportCommand(options: KeysImportOptions, io: Io = processIo): number {
  const source = options.file === '-' ? '<stdin>' : options.file
  let text: string
  try {
    text = options.file === '-' ? io.readStdin() : readFileSync(options.file, 'utf8')
  } catch (err) {
    io.stderr(`tollgate: cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
    return 1
  }

  const file = readKeyFile(text, { checkPlanId: (id) => planIdProblem(options.labelPrefix, id) })
  const at = (p: FileProblem) => `${source}:${p.line}: ${p.column === '' ? '' : `${p.column}: `}${p.message}\n`
  for (const w of file.warnings) io.stderr(`${source}:${w.line}: warning: ${w.message}\n`)
  if (file.fatal) {
    io.stderr(at(file.fatal))
    return 1
  }
  for (const p of file.problems) io.stderr(at(p))
  const badLines = new Set(file.problems.map((p) => p.line)).size
  if (badLines > 0 && !options.skipInvalid) {
    io.stderr(`tollgate: ${badLines} bad row${plural(badLines)} in ${source}; nothing written (--skip-invalid writes the good rows)\n`)
    return 1
  }
  if (file.rows.length === 0) {
    io.stderr(`tollgate: no keys to write in ${source}\n`)
    return 1
  }

  const imported = buildManifests(file.rows, { namespace: options.namespace, labelPrefix: options.labelPrefix })
  for (const c of imported.collisions) {
    io.stderr(`${source}:${c.line}: warning: Name: ${JSON.stringify(c.awsName)} becomes ${c.name} (${c.wanted} is line ${c.takenBy}'s)\n`)
  }
  // The output must be what `tollgate validate` and the API server accept; anything else is a bug here.
  for (const m of imported.manifests) {
    if (m.kind !== 'ApiKey') continue
    const result = validateResource(m)
    if (!result.ok) throw new Error(`keys import built an invalid ApiKey ${m.metadata.name}: ${result.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  }

  const written = write(imported.manifests, options, io)
  const n = file.rows.length
  const skipped = badLines > 0 ? `; ${badLines} bad row${plural(badLines)} skipped` : ''
  io.stderr(`tollgate: ${n} key${plural(n)} from ${source} → ${written} (a Secret and an ApiKey each${skipped})\n`)
  if (imported.plans.size > 0) io.stderr(planHelp(imported.plans, options.labelPrefix))
  return 0
}

/** Writes the manifests where the options say; returns where, for the summary line. */
function write(manifests: Manifest[], options: KeysImportOptions, io: Io): string {
  // The files hold key values: readable by their owner only, also when they existed before
  // (writeFileSync's mode applies only to a file it creates).
  const writeSecret = (path: string, text: string) => {
    writeFileSync(path, text, { encoding: 'utf8', mode: 0o600 })
    chmodSync(path, 0o600)
  }
  if (options.outputDir !== undefined) {
    mkdirSync(options.outputDir, { recursive: true })
    for (let i = 0; i < manifests.length; i += 2) {
      const apiKey = manifests[i + 1] as Manifest
      writeSecret(join(options.outputDir, `${apiKey.metadata.name}.yaml`), toYaml(manifests.slice(i, i + 2)))
    }
    return `${options.outputDir}/ (one file per key)`
  }
  if (options.output !== undefined) {
    writeSecret(options.output, toYaml(manifests))
    return options.output
  }
  io.stdout(toYaml(manifests))
  return 'stdout'
}

/** Multi-document YAML, `kubectl apply -f -` ready. Long lines are not folded. */
export function toYaml(manifests: Manifest[]): string {
  return manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n')
}

function planHelp(plans: Map<string, string[]>, prefix: string): string {
  let out = '\nThe keys carry a label per AWS usage plan id. In the UsagePlan that replaces each AWS plan, select them with:\n'
  for (const [id, keys] of plans) {
    out += `\n  # AWS usage plan ${id}: ${keys.length} key${plural(keys.length)}\n`
    out += `  apiKeySelector:\n    matchLabels:\n      ${planLabelKey(prefix, id)}: "true"\n`
  }
  return out
}

function plural(n: number): string {
  return n === 1 ? '' : 's'
}
