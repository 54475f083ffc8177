// RedisCacheStore: the response cache of a fleet, shared by every proxy. One script per call,
// every key of a space under one hash tag (a Redis Cluster serves a space from one slot).
//
// Keys of a space (tag = first 16 hex of sha256(space)):
//   tgc:{tag}:gen              generation; flush = INCR (O(1)); never expires
//   tgc:{tag}:{gen}:e:{key}    the value: 16 decimal digits of expiry (epoch ms, the proxy's
//                              clock) then the value bytes; PX = TTL + 60 s as a backstop
//   tgc:{tag}:{gen}:lru        sorted set key → last use (ms): the eviction order
//   tgc:{tag}:{gen}:sizes      hash key → bytes (key + value)
//   tgc:{tag}:{gen}:used       bytes of the generation
// The bookkeeping keys expire an hour after their last write, so a flushed generation's
// vanish on their own. SET evicts least recently used entries until the new one fits, inside
// the script: the capacity holds however many proxies write at once.
//
// The scripts build key names from the generation they read, so they touch keys they were not
// given in KEYS; all of them share the declared key's hash tag, so they live in its slot
// (docs/adr/0013-response-cache.md).
import { createHash } from 'node:crypto'
import { ReplyError } from 'ioredis'
import { CacheUnavailableError, type ResponseCacheStore } from './cache.js'
import type { RedisClient } from './redis-connection.js'

const PREAMBLE = `
local gen = redis.call('GET', KEYS[1]) or '0'
local base = string.sub(KEYS[1], 1, -4) .. gen
local key = ARGV[1]
local now = tonumber(ARGV[2])
local entry = base .. ':e:' .. key
local lru, sizes, used = base .. ':lru', base .. ':sizes', base .. ':used'
local function forget(k)
  local s = redis.call('HGET', sizes, k)
  if s then
    redis.call('HDEL', sizes, k)
    redis.call('DECRBY', used, s)
  end
  redis.call('ZREM', lru, k)
end
`

const GET = `${PREAMBLE}
local v = redis.call('GET', entry)
if v and tonumber(string.sub(v, 1, 16)) > now then
  redis.call('ZADD', lru, 'XX', now, key)
  return v
end
if v then redis.call('DEL', entry) end
forget(key)
return false
`

const SET = `${PREAMBLE}
local value, ttl, cap = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local size = #key + #value - 16
if size > cap then return 0 end
forget(key)
local total = tonumber(redis.call('GET', used) or '0')
while total + size > cap do
  local victim = redis.call('ZRANGE', lru, 0, 0)[1]
  if not victim then
    total = 0
    break
  end
  redis.call('DEL', base .. ':e:' .. victim)
  forget(victim)
  total = tonumber(redis.call('GET', used) or '0')
end
redis.call('SET', entry, value, 'PX', ttl + 60000)
redis.call('HSET', sizes, key, size)
redis.call('ZADD', lru, now, key)
redis.call('SET', used, total + size)
for _, k in ipairs({lru, sizes, used}) do redis.call('PEXPIRE', k, 3660000) end
return 1
`

const DELETE = `${PREAMBLE}
redis.call('DEL', entry)
forget(key)
return 1
`

const USED = `${PREAMBLE}
return tonumber(redis.call('GET', used) or '0')
`

interface Script {
  readonly source: string
  readonly sha: string
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

const SCRIPTS = { get: script(GET), set: script(SET), delete: script(DELETE), used: script(USED) }

export interface RedisCacheStoreOptions {
  /** The proxy's clock: expiry and recency are decided with it (tests inject one). */
  readonly now?: () => number
}

export class RedisCacheStore implements ResponseCacheStore {
  private readonly now: () => number

  constructor(
    private readonly client: RedisClient,
    opts: RedisCacheStoreOptions = {},
  ) {
    this.now = opts.now ?? Date.now
    // The scripts are loaded whenever the connection is (re)established, ahead of any command on
    // it: otherwise the first write after a start or a Redis restart answers NOSCRIPT and goes
    // again as EVAL one round trip later, and a read sent meanwhile (another proxy's, or the
    // next request's) misses an entry that is on its way. NOSCRIPT stays handled (run()).
    if (client.status === 'ready') this.loadScripts()
    client.on('ready', () => this.loadScripts())
  }

  /** SCRIPT LOAD of every script on every master; failures are left to run()'s NOSCRIPT path. */
  private loadScripts(): void {
    const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client]
    for (const node of nodes) for (const s of Object.values(SCRIPTS)) node.script('LOAD', s.source).catch(() => undefined)
  }

  /** The generation key of a space; the others are derived from it by the scripts. */
  static genKey(space: string): string {
    return `tgc:{${createHash('sha256').update(space).digest('hex').slice(0, 16)}}:gen`
  }

  private async run(s: Script, space: string, args: (string | Buffer)[]): Promise<unknown> {
    const genKey = RedisCacheStore.genKey(space)
    try {
      try {
        return await this.client.callBuffer('EVALSHA', s.sha, 1, genKey, ...args)
      } catch (err) {
        if (!(err instanceof ReplyError) || !String((err as Error).message).startsWith('NOSCRIPT')) throw err
        return await this.client.callBuffer('EVAL', s.source, 1, genKey, ...args)
      }
    } catch (err) {
      throw new CacheUnavailableError(`cache store unavailable: ${(err as Error).message}`)
    }
  }

  async get(space: string, key: string): Promise<Buffer | null> {
    const v = await this.run(SCRIPTS.get, space, [key, String(this.now())])
    return Buffer.isBuffer(v) ? v.subarray(16) : null
  }

  async set(space: string, key: string, value: Buffer, ttlMs: number, capacityBytes: number): Promise<boolean> {
    const now = this.now()
    const stamped = Buffer.concat([Buffer.from(String(now + ttlMs).padStart(16, '0')), value])
    const stored = await this.run(SCRIPTS.set, space, [key, String(now), stamped, String(ttlMs), String(capacityBytes)])
    return Number(stored) === 1
  }

  async delete(space: string, key: string): Promise<void> {
    await this.run(SCRIPTS.delete, space, [key, String(this.now())])
  }

  async flush(space: string): Promise<void> {
    try {
      await this.client.incr(RedisCacheStore.genKey(space))
    } catch (err) {
      throw new CacheUnavailableError(`cache store unavailable: ${(err as Error).message}`)
    }
  }

  async usedBytes(space: string): Promise<number> {
    return Number(await this.run(SCRIPTS.used, space, ['', String(this.now())]))
  }

  async close(): Promise<void> {}
}
