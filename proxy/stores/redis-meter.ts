// RedisMeter: the metering store of a fleet. One EVALSHA of the DECIDE script per request (EVAL
// once after a NOSCRIPT, e.g. after a Redis restart), keys under the metering domain's hash tag
// so a Redis Cluster serves each request from one slot. A call that cannot reach Redis in time
// rejects with MeterUnavailableError; ResilientMeter decides what happens then.
import { createHash } from 'node:crypto'
import { ReplyError } from 'ioredis'
import { MeterUnavailableError, THROTTLE_ORDER, type DailyUsage, type Decision, type Meter, type MeterRequest, type OfflineUsage, type Quota } from './meter.js'
import { dayString, parseDay } from './quota-period.js'
import { ADD_USAGE, DECIDE, PERIOD_AT, SET_REMAINING } from './redis-meter-script.js'
import type { RedisClient } from './redis-connection.js'

export interface RedisMeterOptions {
  /** Key prefix (default 'tg'). Keys are `{prefix}:{domain}:b|q|f:{name}`. */
  readonly prefix?: string
  /** Days of daily usage kept (default 90). */
  readonly usageRetentionDays?: number
  /** Bound of one call in milliseconds, on top of the client's command timeout (default 250). */
  readonly callTimeoutMs?: number
  /** Test only: milliseconds added to the Redis server's clock inside the scripts. */
  readonly clockOffsetMs?: number
  /**
   * Send the decisions requested in one event-loop turn in one write (single node only; default
   * true): fewer syscalls for the proxy and for redis-server, at the cost of holding a command
   * until the turn ends (setImmediate).
   */
  readonly batchWrites?: boolean
}

interface Prepared {
  readonly numKeys: number
  /** Keys then arguments (as strings), passed to EVALSHA as one list (ioredis flattens it). */
  readonly argv: readonly string[]
  /** clockOffsetMs the list was built with. */
  readonly offset: number
}

/** A call waiting on Redis, and when it gives up. */
interface Deadline {
  readonly at: number
  readonly reject: (err: Error) => void
  done: boolean
}

interface Script {
  readonly source: string
  readonly sha: string
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

const SCRIPTS = { decide: script(DECIDE), setRemaining: script(SET_REMAINING), addUsage: script(ADD_USAGE), periodAt: script(PERIOD_AT) }

/** How long the marker of an added OfflineUsage id is kept (retries come within seconds). */
const ADDED_MARKER_MS = 86_400_000

// Reply errors that mean "not available now" rather than a bug in the script or the keys.
const UNAVAILABLE_REPLY = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|BUSY)\b/

export class RedisMeter implements Meter {
  private readonly prefix: string
  private readonly retention: number
  private readonly callTimeoutMs: number
  /** Test only: milliseconds added to the server's clock in the scripts (see the option). */
  clockOffsetMs: number
  private readonly prepared = new WeakMap<MeterRequest, Prepared>()
  /** Calls in flight, oldest first (one timeout for all: deadlines come in order). */
  private readonly deadlines: Deadline[] = []
  private deadlineHead = 0
  private deadlineTimer: NodeJS.Timeout | undefined
  private readonly batchWrites: boolean
  /** The connection corked for this turn's decisions, until `uncork` runs. */
  private corked: { uncork(): void } | null = null
  private readonly uncork = (): void => {
    const stream = this.corked
    this.corked = null
    stream?.uncork()
  }

  constructor(
    readonly client: RedisClient,
    opts: RedisMeterOptions = {},
  ) {
    this.prefix = opts.prefix ?? 'tg'
    this.retention = opts.usageRetentionDays ?? 90
    this.callTimeoutMs = opts.callTimeoutMs ?? 250
    this.clockOffsetMs = opts.clockOffsetMs ?? 0
    this.batchWrites = (opts.batchWrites ?? true) && !('nodes' in client)
  }

  /** Loads the scripts on every node (optional: a NOSCRIPT reply loads them on first use). */
  async loadScripts(): Promise<void> {
    const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client]
    await Promise.all(nodes.flatMap((n) => Object.values(SCRIPTS).map((s) => n.script('LOAD', s.source))))
  }

  // Hot path: one round trip per request. The argument list of a MeterRequest (keys, rates,
  // limits) is built once and reused: the meter stage prebuilds its requests at config load.
  async decide(request: MeterRequest): Promise<Decision> {
    let prepared = this.prepared.get(request)
    if (prepared === undefined || prepared.offset !== this.clockOffsetMs) {
      prepared = this.prepare(request)
      this.prepared.set(request, prepared)
    }
    if (this.batchWrites && this.corked === null) this.cork()
    const [allowed, level, hasQuota, remaining] = (await this.run(SCRIPTS.decide, prepared.numKeys, prepared.argv)) as [number, number, number, number]
    const left = hasQuota ? remaining : null
    if (allowed) return { allowed: true, remaining: left }
    if (level === -1) return { allowed: false, reason: 'QUOTA_EXCEEDED', remaining: 0 }
    const bucket = request.buckets[level - 1]
    return { allowed: false, reason: 'THROTTLED', level: bucket?.level ?? THROTTLE_ORDER[0]!, remaining: left }
  }

  // Writes to the connection wait until the end of this event-loop turn, then go out in one
  // writev: redis-server reads them in one go and answers them in one write.
  private cork(): void {
    const client = this.client
    if ('nodes' in client || client.status !== 'ready') return
    const stream = client.stream
    stream.cork()
    this.corked = stream
    setImmediate(this.uncork)
  }

  /** The EVALSHA arguments of a request: its keys, then [clock offset, bucket count, rate, burst, refill ms..., quota...]. */
  private prepare(request: MeterRequest): Prepared {
    const { buckets, quota } = request
    const keys: string[] = []
    const args: (string | number)[] = [this.clockOffsetMs, buckets.length]
    for (const b of buckets) {
      keys.push(this.key(request.domain, 'b', b.key))
      args.push(b.rate, b.burst, Math.ceil((b.burst / b.rate) * 1000))
    }
    if (quota) {
      keys.push(this.key(request.domain, 'q', quota.key))
      args.push(quota.limit, quota.period, this.retention)
    } else {
      args.push('', '', '')
    }
    return { numKeys: keys.length, argv: [...keys, ...args.map(String)], offset: this.clockOffsetMs }
  }

  async usage(domain: string, quotaKey: string, from: string, to: string): Promise<DailyUsage[]> {
    const first = parseDay(from)
    const last = parseDay(to)
    const fields: string[] = []
    for (let d = first; d <= last; d++) fields.push(`u${d}`, `r${d}`)
    if (fields.length === 0) return []
    const values = await this.bounded(this.client.hmget(this.key(domain, 'q', quotaKey), ...fields))
    const out: DailyUsage[] = []
    for (let d = first, i = 0; d <= last; d++, i += 2) {
      const used = values[i]
      const remaining = values[i + 1]
      out.push({ day: dayString(d), used: used ? Number(used) : 0, remaining: remaining == null ? null : Number(remaining) })
    }
    return out
  }

  async setRemaining(domain: string, quota: Quota, remaining: number): Promise<void> {
    if (!Number.isInteger(remaining)) throw new RangeError(`remaining must be an integer: ${remaining}`)
    const argv = [this.key(domain, 'q', quota.key), this.clockOffsetMs, quota.limit, quota.period, remaining, this.retention]
    await this.run(SCRIPTS.setRemaining, 1, argv.map(String))
  }

  /**
   * Adds usage admitted elsewhere (ResilientMeter's fallback while Redis was down) to a quota,
   * atomically and once per `usage.id`. Resolves true when added, false when the id was added before.
   */
  async addUsage(domain: string, quota: Quota, usage: OfflineUsage): Promise<boolean> {
    const argv = [this.key(domain, 'q', quota.key), this.key(domain, 'f', usage.id), this.clockOffsetMs, quota.limit, quota.period, usage.periodStart, usage.day, usage.used, this.retention, ADDED_MARKER_MS]
    return (await this.run(SCRIPTS.addUsage, 2, argv.map(String))) === 1
  }

  /** Test support: the server's quota period as epoch days [start, end) and today. */
  async periodAt(domain: string, period: Quota['period']): Promise<[number, number, number]> {
    return (await this.run(SCRIPTS.periodAt, 1, [this.key(domain, 'q', 'period'), String(this.clockOffsetMs), period])) as [number, number, number]
  }

  /** One PING, bounded like any call; rejects with MeterUnavailableError. */
  async ping(): Promise<void> {
    await this.bounded(this.client.ping())
  }

  async close(): Promise<void> {
    this.client.disconnect()
    clearTimeout(this.deadlineTimer)
    this.deadlineTimer = undefined
  }

  /** The Redis key of a bucket ('b'), a quota with its daily usage ('q'), or an added-usage marker ('f') in a domain. */
  key(domain: string, kind: 'b' | 'q' | 'f', name: string): string {
    return `${this.prefix}:{${domain}}:${kind}:${name}`
  }

  private async run(s: Script, numKeys: number, argv: readonly string[]): Promise<unknown> {
    try {
      return await this.bounded(this.client.evalsha(s.sha, numKeys, argv as string[]))
    } catch (err) {
      if (!(err instanceof ReplyError) || !String((err as Error).message).startsWith('NOSCRIPT')) throw err
      return await this.bounded(this.client.eval(s.source, numKeys, argv as string[]))
    }
  }

  // Every call settles within callTimeoutMs; failures to reach Redis become MeterUnavailableError.
  // One timer serves every call in flight (HOT PATH: no timer per request): calls share one
  // timeout, so their deadlines come in order and the timer only ever waits for the oldest.
  private bounded<T>(call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline: Deadline = { at: Date.now() + this.callTimeoutMs, reject, done: false }
      this.deadlines.push(deadline)
      if (this.deadlineTimer === undefined) this.armDeadlines()
      call.then(
        (value) => {
          deadline.done = true
          resolve(value)
        },
        (err: unknown) => {
          deadline.done = true
          const reply = err instanceof ReplyError
          if (reply && !UNAVAILABLE_REPLY.test(String((err as Error).message))) reject(err)
          else reject(new MeterUnavailableError(`Redis unavailable: ${(err as Error)?.message ?? String(err)}`, { cause: err }))
        },
      )
    })
  }

  private armDeadlines(): void {
    const now = Date.now()
    const list = this.deadlines
    let head = this.deadlineHead
    for (; head < list.length; head++) {
      const d = list[head]!
      if (d.done) continue
      if (d.at > now) break
      d.done = true
      d.reject(new MeterUnavailableError(`Redis did not answer within ${this.callTimeoutMs} ms`))
    }
    if (head === list.length) {
      list.length = 0
      head = 0
    } else if (head > 1024 && head * 2 > list.length) {
      list.splice(0, head)
      head = 0
    }
    this.deadlineHead = head
    this.deadlineTimer = head < list.length ? setTimeout(() => this.armDeadlines(), list[head]!.at - now) : undefined
  }
}
