// tollgate validate / tollgate compile: one-shot commands over manifest files.
import { compile, type CompileOptions, type CompileResult } from '../operator/compile/index.js'
import { describeProblem, readManifests, type Manifests } from './manifests.js'
import type { CommonOptions, RunOptions } from './options.js'

export function compileOptions(opts: CommonOptions & Partial<Pick<RunOptions, 'port' | 'accountThrottle'>>): CompileOptions {
  const port = opts.port ?? 8080
  return {
    domain: opts.domain,
    defaultNamespace: opts.namespace,
    endpoint: { scheme: 'http', ...(port === 80 ? {} : { port }) },
    ...(opts.accountThrottle ? { accountThrottle: opts.accountThrottle } : {}),
    ...(opts.arn ? { arn: opts.arn } : {}),
    ...(opts.functionEndpoint !== undefined ? { functionEndpoint: opts.functionEndpoint } : {}),
  }
}

/** Every problem as a printable line; `errors` counts those that make the manifests invalid. */
export function report(manifests: Manifests, result: CompileResult): { lines: string[]; errors: number } {
  const lines = [...manifests.fileErrors]
  let errors = manifests.fileErrors.length
  for (const s of result.statuses) {
    for (const p of s.problems) {
      lines.push(describeProblem(s.ref, manifests.origins, p))
      if (p.severity === 'error') errors++
    }
  }
  return { lines, errors }
}

export async function validateCommand(opts: CommonOptions): Promise<number> {
  const manifests = await readManifests(opts.files, opts.namespace)
  const result = compile(manifests.resources, compileOptions(opts))
  const { lines, errors } = report(manifests, result)
  for (const line of lines) process.stderr.write(`${line}\n`)
  if (errors > 0) {
    process.stderr.write(`${errors} error${errors === 1 ? '' : 's'} in ${opts.files.join(', ')}\n`)
    return 1
  }
  process.stdout.write(`${manifests.resources.length} resource${manifests.resources.length === 1 ? '' : 's'} valid\n`)
  return 0
}

export async function compileCommand(opts: CommonOptions): Promise<number> {
  const manifests = await readManifests(opts.files, opts.namespace)
  const result = compile(manifests.resources, compileOptions(opts))
  const { lines, errors } = report(manifests, result)
  for (const line of lines) process.stderr.write(`${line}\n`)
  process.stdout.write(`${JSON.stringify(result.config, null, 2)}\n`)
  return errors > 0 ? 1 : 0
}
