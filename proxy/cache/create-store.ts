// Where a process's response cache store comes from: without Redis, a MemoryCacheStore (one
// process); with a Redis URL, the fleet's shared RedisCacheStore behind a ResilientCacheStore
// (a Redis that cannot be reached is bypassed: requests go to the backend).
import type { ResponseCacheStore } from '../stores/cache.js'
import { MemoryCacheStore } from '../stores/memory-cache.js'
import { RedisCacheStore } from '../stores/redis-cache.js'
import { createRedisClient, whenReady } from '../stores/redis-connection.js'
import { ResilientCacheStore } from '../stores/resilient-cache.js'

export interface CacheStoreOptions {
  /** '' or undefined: no Redis. Several comma-separated hosts: a Redis Cluster. */
  readonly redisUrl?: string
  readonly redisCluster?: boolean
  readonly log: (line: string) => void
}

export interface ProcessCacheStore {
  readonly store: ResponseCacheStore
  readonly kind: 'memory' | 'redis'
  /**
   * Resolves once Redis is connected (a cluster: once its slots are known), or after
   * `timeoutMs` (logged) when it is not: serve after this, so the first requests do not find
   * the store down and bypass it. Never rejects.
   */
  ready(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export function createCacheStore(opts: CacheStoreOptions): ProcessCacheStore {
  if (!opts.redisUrl) {
    const store = new MemoryCacheStore()
    return { store, kind: 'memory', ready: async () => {}, close: () => store.close() }
  }
  const client = createRedisClient({ url: opts.redisUrl, cluster: opts.redisCluster === true || opts.redisUrl.includes(',') })
  client.on('error', () => {})
  const store = new ResilientCacheStore(new RedisCacheStore(client), { log: (line) => opts.log(`cache: ${line}`) })
  return {
    store,
    kind: 'redis',
    ready: (timeoutMs = 2000) =>
      whenReady(client, timeoutMs).catch(() => {
        opts.log(`cache: Redis not reachable after ${timeoutMs} ms; serving meanwhile (cached routes go to their backends)`)
      }),
    close: async () => {
      client.disconnect()
    },
  }
}
