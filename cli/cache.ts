// tollgate cache flush: AWS's FlushStageCache against the admin listener of a running
// `tollgate run` or proxy (proxy/cache/flush-api.ts). With Redis, one call flushes the stage
// for the whole fleet (the entries are shared); without, only the process called.
import { readFile } from 'node:fs/promises'
import { request } from 'undici'
import { UsageError, type CacheOptions } from './options.js'

export async function cacheCommand(opts: CacheOptions): Promise<number> {
  if (opts.action !== 'flush') throw new UsageError(`unknown command "cache ${opts.action}" (try cache flush)`)
  if (opts.stage === '') throw new UsageError('cache flush needs --stage S (and --api A to flush one API\'s stage only)')
  const headers: Record<string, string> = {}
  if (opts.tokenFile !== '') {
    try {
      headers.authorization = `Bearer ${(await readFile(opts.tokenFile, 'utf8')).trim()}`
    } catch (err) {
      throw new UsageError(`cannot read the admin token from ${opts.tokenFile}: ${(err as Error).message}`)
    }
  }
  const base = opts.adminUrl.replace(/\/+$/, '')
  const q = new URLSearchParams({ stage: opts.stage })
  if (opts.api !== '') q.set('api', opts.api)
  let status: number
  let text: string
  try {
    const r = await request(`${base}/v1/cache/data?${q}`, { method: 'DELETE', headers, headersTimeout: 10_000, bodyTimeout: 10_000 })
    status = r.statusCode
    text = await r.body.text()
  } catch (err) {
    process.stderr.write(`tollgate: cannot reach the admin listener at ${base} (${(err as Error).message}); is tollgate run or the proxy running with its admin port?\n`)
    return 1
  }
  let body: { message?: string; flushed?: string[] } = {}
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    // not JSON: printed as is below
  }
  if (status !== 202) {
    process.stderr.write(`tollgate: ${status}: ${body.message ?? text}\n`)
    return 1
  }
  for (const stage of body.flushed ?? []) process.stdout.write(`flushed ${stage}\n`)
  return 0
}
