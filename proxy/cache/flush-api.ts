// The cache flush API on the admin listener (API Gateway's FlushStageCache): drops every entry
// of a stage's cache at once (ResponseCacheStore.flush: one generation bump). Served by
// `tollgate run` and by `tollgate proxy` next to the usage API, with the same bearer token;
// `tollgate cache flush --stage S [--api A]` calls it (docs/caching.md#flushing).
//
//   DELETE /v1/cache/data?stage=S[&api=A]          every cached stage named S (of API A)
//   DELETE /v1/restapis/{A}/stages/{S}/cache/data  AWS's path for one stage
//   → 202 {"flushed": ["A/S", ...]}; 404 {"message"} when no stage with a cache matches;
//     401 without the token; 503 when the store cannot be reached.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { GatewayConfig } from '../config/schema.js'
import type { ResponseCacheStore } from '../stores/cache.js'
import { cacheSpace } from './key.js'

export interface FlushApiOptions {
  config(): GatewayConfig | undefined
  readonly store: ResponseCacheStore
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string
}

/** Flushes the caches of the stages named `stage` (of API `apiId` when given); the ones flushed, "apiId/stage". */
export async function flushStageCaches(config: GatewayConfig, store: ResponseCacheStore, stage: string, apiId?: string): Promise<string[]> {
  const flushed: string[] = []
  for (const api of config.apis) {
    if (apiId !== undefined && api.id !== apiId) continue
    for (const s of api.stages) {
      if (s.name !== stage || s.cache === undefined) continue
      await store.flush(cacheSpace(api.id, s.name, s.cache.flushToken))
      flushed.push(`${api.id}/${s.name}`)
    }
  }
  return flushed
}

export function flushApi(opts: FlushApiOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const tokenDigest = opts.token ? createHash('sha256').update(opts.token).digest() : null
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin')
    const parts = url.pathname.split('/')
    let stage: string | undefined
    let apiId: string | undefined
    if (url.pathname === '/v1/cache/data') {
      stage = url.searchParams.get('stage') ?? undefined
      apiId = url.searchParams.get('api') ?? undefined
    } else if (parts.length === 8 && parts[1] === 'v1' && parts[2] === 'restapis' && parts[4] === 'stages' && parts[6] === 'cache' && parts[7] === 'data') {
      apiId = decodeURIComponent(parts[3]!)
      stage = decodeURIComponent(parts[5]!)
    } else {
      return false
    }
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    if (tokenDigest !== null) {
      const auth = req.headers.authorization ?? ''
      const given = createHash('sha256').update(auth.startsWith('Bearer ') ? auth.slice(7) : '').digest()
      if (!timingSafeEqual(given, tokenDigest)) {
        reply(401, { message: 'a valid admin token is required (Authorization: Bearer ...)' })
        return true
      }
    }
    if (req.method !== 'DELETE') {
      reply(405, { message: 'use DELETE' })
      return true
    }
    if (stage === undefined || stage === '') {
      reply(400, { message: 'which stage? ?stage=NAME' })
      return true
    }
    const config = opts.config()
    if (config === undefined) {
      reply(503, { message: 'no config loaded' })
      return true
    }
    flushStageCaches(config, opts.store, stage, apiId).then(
      (flushed) => {
        if (flushed.length === 0) reply(404, { message: `no stage ${stage}${apiId !== undefined ? ` of API ${apiId}` : ''} with a cache` })
        else reply(202, { flushed })
      },
      (err: unknown) => reply(503, { message: `cache store unavailable: ${(err as Error).message}` }),
    )
    return true
  }
}
