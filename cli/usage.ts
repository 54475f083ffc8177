// tollgate usage get | update: AWS's GetUsage and UpdateUsage against the usage API of a running
// `tollgate run` or proxy (its admin listener, proxy/metering/usage-api.ts). Prints the JSON
// the API answers. The command needs no Redis access and no manifests: the process it calls
// knows the config (which plan, which keys, which metering domain) and holds the meter.
import { readFile } from 'node:fs/promises'
import { request } from 'undici'
import { UsageError, type UsageOptions } from './options.js'

export async function usageCommand(opts: UsageOptions): Promise<number> {
  if (opts.action !== 'get' && opts.action !== 'update') throw new UsageError(`unknown command "usage ${opts.action}" (try usage get or usage update)`)
  if (opts.plan === '') throw new UsageError(`usage ${opts.action} needs --plan (namespace/name, or a name with -n)`)
  const headers: Record<string, string> = {}
  if (opts.tokenFile !== '') {
    try {
      headers.authorization = `Bearer ${(await readFile(opts.tokenFile, 'utf8')).trim()}`
    } catch (err) {
      throw new UsageError(`cannot read the admin token from ${opts.tokenFile}: ${(err as Error).message}`)
    }
  }
  const base = opts.adminUrl.replace(/\/+$/, '')
  const plan = encodeURIComponent(opts.plan)
  let url: string
  let init: { method: 'GET' | 'PATCH'; body?: string }
  if (opts.action === 'get') {
    if (opts.from === '' || opts.to === '') throw new UsageError('usage get needs --from and --to (YYYY-MM-DD)')
    const q = new URLSearchParams({ startDate: opts.from, endDate: opts.to })
    if (opts.key !== '') q.set('keyId', opts.key)
    url = `${base}/v1/usageplans/${plan}/usage?${q}`
    init = { method: 'GET' }
  } else {
    if (opts.key === '') throw new UsageError('usage update needs --key')
    if (opts.remaining < 0) throw new UsageError('usage update needs --remaining N')
    url = `${base}/v1/usageplans/${plan}/keys/${encodeURIComponent(opts.key)}/usage`
    init = { method: 'PATCH', body: JSON.stringify({ patchOperations: [{ op: 'replace', path: '/remaining', value: String(opts.remaining) }] }) }
    headers['content-type'] = 'application/json'
  }
  let status: number
  let text: string
  try {
    const r = await request(url, { ...init, headers, headersTimeout: 10_000, bodyTimeout: 10_000 })
    status = r.statusCode
    text = await r.body.text()
  } catch (err) {
    process.stderr.write(`tollgate: cannot reach the admin listener at ${base} (${(err as Error).message}); is tollgate run or the proxy running with its admin port?\n`)
    return 1
  }
  if (status !== 200) {
    let message = text
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text
    } catch {
      // not JSON: print as is
    }
    process.stderr.write(`tollgate: ${status}: ${message}\n`)
    return 1
  }
  process.stdout.write(`${JSON.stringify(JSON.parse(text), null, 2)}\n`)
  return 0
}
