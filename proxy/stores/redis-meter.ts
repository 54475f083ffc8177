// RedisMeter: the metering store of a fleet. The decisions requested in one event-loop turn are
// batched per metering domain, and each batch is ONE call of the DECIDE_MANY script (EVALSHA;
// EVAL once after a NOSCRIPT, e.g. after a Redis restart) that decides them in arrival order
// exactly as one DECIDE per request would, at one instant (docs/adr/0015-batched-decisions.md).
// Keys live under the domain's hash tag, so a batch is one slot even on a Redis Cluster. A call
// that cannot reach Redis in time rejects every decision of its batch with MeterUnavailableError;
// ResilientMeter decides what happens then.
import { createHash } from 'node:crypto'
import { Command, ReplyError } from 'ioredis'
import { MeterUnavailableError, THROTTLE_ORDER, type DailyUsage, type Decision, type DecisionSink, type Meter, type MeterRequest, type OfflineUsage, type Quota } from './meter.js'
import { dayString, parseDay } from './quota-period.js'
import { ADD_USAGE, DECIDE, DECIDE_MANY, PERIOD_AT, SET_REMAINING } from './redis-meter-script.js'
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
   * Most decisions in one script call (default 256; 1: every decision on its own). Decisions
   * requested in one event-loop turn wait for the end of the turn (setImmediate) and go out as
   * one call per metering domain; a batch that reaches this size goes out at once.
   */
  readonly maxBatch?: number
}

/** What a MeterRequest brings to a DECIDE_MANY call, built once per request object. */
interface Prepared {
  readonly request: MeterRequest
  /** Its bucket keys, then its quota key. */
  readonly keys: readonly string[]
  /** Each key as a RESP bulk string (`$len\r\nkey\r\n`, len in bytes), for `send`'s encoding. */
  readonly keyWire: readonly string[]
  /** Per bucket: rate, burst, refill-from-empty ms. */
  readonly bucketArgs: readonly string[]
  /** Limit and period of the quota ('0' and '' without one). */
  readonly quotaArgs: readonly [string, string]
  /** The batch this request shape was last added to (`batchSeq`), and its template's index in ARGV there. */
  seq: number
  slot: string
  /** DECIDE's keys and arguments for this request alone, and the clock offset they were built with. */
  single: readonly string[] | null
  singleOffset: number
}

/** The decisions of one domain waiting for the end of the turn, in arrival order. */
class Batch {
  readonly prepared: Prepared[] = []
  /** Who waits for each decision, in the same order. */
  readonly sinks: DecisionSink[] = []
  /** Set by `send`: the lengths of the runs of one request shape, in order. */
  readonly runs: number[] = []
  constructor(readonly domain: string) {}
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

const ASCII = /^[\x00-\x7f]*$/

/** A RESP bulk string of an ASCII string (length in characters = in bytes). */
function bulkAscii(arg: string): string {
  return `$${arg.length}\r\n${arg}\r\n`
}

/** A RESP bulk string (length in bytes). */
function bulk(arg: string): string {
  return `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`
}

/**
 * An EVALSHA whose RESP the meter wrote itself. `args` stay what ioredis reads besides the
 * wire: the keys for a Cluster's slot, and the arguments for its logs and errors.
 */
class ScriptCall extends Command {
  constructor(
    sha: string,
    numKeys: number,
    argv: readonly string[],
    private readonly wire: string,
  ) {
    super('evalsha')
    this.args = [sha, String(numKeys)].concat(argv)
  }

  override toWritable(): string {
    return this.wire
  }
}

const SCRIPTS = { decide: script(DECIDE), decideMany: script(DECIDE_MANY), setRemaining: script(SET_REMAINING), addUsage: script(ADD_USAGE), periodAt: script(PERIOD_AT) }

// Decisions without per-request data are shared (Decision is read-only).
const ALLOWED_NO_QUOTA: Decision = Object.freeze({ allowed: true, remaining: null })
const QUOTA_EXCEEDED: Decision = Object.freeze({ allowed: false, reason: 'QUOTA_EXCEEDED', remaining: 0 })

/** How long the marker of an added OfflineUsage id is kept (retries come within seconds). */
const ADDED_MARKER_MS = 86_400_000

// Reply errors that mean "not available now" rather than a bug in the script or the keys.
const UNAVAILABLE_REPLY = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|BUSY)\b/

/** Every decision of a batch fails with the call's error. */
function failAll(batch: Batch, err: unknown): void {
  for (const sink of batch.sinks) sink.failed(err)
  release(batch)
}

/**
 * Drops an answered batch's sinks. A batch can outlive its call as garbage in V8's old space
 * (where a scavenge does not look whether it is still reachable), and its sinks lead to their
 * requests: kept, every request of the batch would be copied and promoted by each scavenge
 * until a full collection (measured: 99 % of the survivors promoted, 3 MB per scavenge).
 */
function release(batch: Batch): void {
  batch.sinks.length = 0
}

export class RedisMeter implements Meter {
  private readonly prefix: string
  private readonly retention: number
  private readonly callTimeoutMs: number
  /** Test only: milliseconds added to the server's clock in the scripts (see the option). */
  clockOffsetMs: number
  private readonly maxBatch: number
  private readonly prepared = new WeakMap<MeterRequest, Prepared>()
  /** Calls in flight, oldest first (one timeout for all: deadlines come in order). */
  private readonly deadlines: Deadline[] = []
  private deadlineHead = 0
  private deadlineTimer: NodeJS.Timeout | undefined
  /** This turn's batches by domain, until `flush` sends them at the end of the turn. */
  private readonly open = new Map<string, Batch>()
  /** The batch the last decision joined: most turns have one domain, so no map lookup. */
  private last: Batch | null = null
  private flushScheduled = false
  private batchSeq = 0
  /** Used by `send`: key → its index in KEYS (1-based) in the call being built, and the RESP of those keys. */
  private readonly keyIndex = new Map<string, number>()
  private keyWire = ''
  /** Script calls in flight per domain: a domain's next batch waits for its call to come back. */
  private readonly inFlight = new Map<string, number>()
  private readonly flush = (): void => {
    this.flushScheduled = false
    this.last = null
    // Several domains: one write for all their calls (a single node; a cluster routes by slot).
    const stream = this.open.size > 1 && !('nodes' in this.client) && this.client.status === 'ready' ? this.client.stream : null
    stream?.cork()
    for (const batch of this.open.values()) {
      if (this.inFlight.has(batch.domain)) continue
      this.open.delete(batch.domain)
      this.send(batch)
    }
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
    this.maxBatch = Math.max(1, Math.floor(opts.maxBatch ?? 256))
    // The scripts are loaded whenever the connection is (re)established, ahead of any call on it:
    // otherwise the first batch after a start or a Redis restart answers NOSCRIPT and waits a
    // round trip more for its EVAL. NOSCRIPT stays handled (run()); a failed load is left to it.
    const load = () => void this.loadScripts().catch(() => undefined)
    if (client.status === 'ready') load()
    client.on('ready', load)
  }

  /** Loads the scripts on every node (the constructor does on every connection; NOSCRIPT is handled anyway). */
  async loadScripts(): Promise<void> {
    const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client]
    await Promise.all(nodes.flatMap((n) => Object.values(SCRIPTS).map((s) => n.script('LOAD', s.source))))
  }

  decide(request: MeterRequest): Promise<Decision> {
    return new Promise((resolve, reject) => this.decideInto(request, { decided: resolve, failed: reject }))
  }

  // HOT PATH — change with care. No round trip here: the decision joins its domain's batch of
  // this turn, and `flush` sends the batches when the turn ends; `sink` hears from it then.
  decideInto(request: MeterRequest, sink: DecisionSink): void {
    const prepared = this.prepared.get(request) ?? this.prepare(request)
    let batch = this.last
    if (batch === null || batch.domain !== request.domain) {
      batch = this.open.get(request.domain) ?? null
      if (batch === null) {
        batch = new Batch(request.domain)
        this.open.set(request.domain, batch)
        if (!this.flushScheduled) {
          this.flushScheduled = true
          setImmediate(this.flush)
        }
      }
      this.last = batch
    }
    batch.prepared.push(prepared)
    batch.sinks.push(sink)
    if (batch.prepared.length >= this.maxBatch) {
      this.open.delete(batch.domain)
      this.last = null
      this.send(batch)
    }
  }

  /** A request's keys and arguments as strings, once per MeterRequest object (the meter stage prebuilds them). */
  private prepare(request: MeterRequest): Prepared {
    const { buckets, quota } = request
    const keys: string[] = []
    const bucketArgs: string[] = []
    for (const b of buckets) {
      keys.push(this.key(request.domain, 'b', b.key))
      bucketArgs.push(String(b.rate), String(b.burst), String(Math.ceil((b.burst / b.rate) * 1000)))
    }
    if (quota) keys.push(this.key(request.domain, 'q', quota.key))
    const quotaArgs: [string, string] = quota ? [String(quota.limit), quota.period] : ['0', '']
    // `send` writes the other arguments with their length in characters: they must be ASCII.
    for (const arg of [...bucketArgs, ...quotaArgs]) if (!ASCII.test(arg)) throw new RangeError(`metering argument not ASCII: ${arg}`)
    const keyWire = keys.map(bulk)
    const prepared: Prepared = { request, keys, keyWire, bucketArgs, quotaArgs, seq: 0, slot: '', single: null, singleOffset: 0 }
    this.prepared.set(request, prepared)
    return prepared
  }

  /**
   * One DECIDE_MANY call for a batch: the distinct keys, the distinct request shapes
   * (templates), then the requests in arrival order as runs of one template. Every request of
   * the batch gets its own decision, or all of them the call's error.
   */
  private send(batch: Batch): void {
    this.inFlight.set(batch.domain, (this.inFlight.get(batch.domain) ?? 0) + 1)
    if (batch.prepared.length === 1) return this.sendOne(batch)
    const seq = ++this.batchSeq
    this.keyIndex.clear()
    const keys: string[] = []
    this.keyWire = ''
    const args: string[] = [String(this.clockOffsetMs), String(this.retention), '']
    const runs: string[] = []
    let run = batch.prepared[0]!
    let runLength = 0
    for (const p of batch.prepared) {
      if (p.seq !== seq) {
        // A new template: the runs name it by its index in ARGV.
        p.seq = seq
        p.slot = String(args.length + 1)
        const n = p.request.buckets.length
        args.push(String(n))
        for (let i = 0; i < n; i++) args.push(this.indexOf(p, i, keys), p.bucketArgs[3 * i]!, p.bucketArgs[3 * i + 1]!, p.bucketArgs[3 * i + 2]!)
        args.push(p.request.quota !== null ? this.indexOf(p, n, keys) : '0', p.quotaArgs[0], p.quotaArgs[1])
      }
      if (p === run) runLength++
      else {
        runs.push(run.slot, String(runLength))
        batch.runs.push(runLength)
        run = p
        runLength = 1
      }
    }
    runs.push(run.slot, String(runLength))
    batch.runs.push(runLength)
    args[2] = String(args.length + 1)
    const numKeys = keys.length
    const argv = keys.concat(args, runs)
    // The call's RESP, written here rather than by ioredis's Command (which copies the arguments
    // with Array.prototype.flat and measures each with Buffer.byteLength: ~40k instructions a
    // call): keys were encoded once per request shape; the rest is ASCII (numbers, a period).
    const sha = SCRIPTS.decideMany.sha
    let wire = `*${3 + argv.length}\r\n$7\r\nevalsha\r\n$${sha.length}\r\n${sha}\r\n${bulkAscii(String(numKeys))}${this.keyWire}`
    for (let i = 0; i < args.length; i++) wire += bulkAscii(args[i]!)
    for (let i = 0; i < runs.length; i++) wire += bulkAscii(runs[i]!)
    this.run(SCRIPTS.decideMany, numKeys, argv, wire).then(
      (reply) => {
        this.settle(batch, reply as number[])
        this.landed(batch.domain)
      },
      (err: unknown) => {
        failAll(batch, err)
        this.landed(batch.domain, err)
      },
    )
  }

  /**
   * A domain's call came back: the batch that gathered meanwhile goes out at the end of this
   * turn, with what else the turn brings. When the call could not reach Redis, that batch is
   * refused at once with the same error (it would wait for the same dead Redis; the
   * ResilientMeter decides it): no decision waits longer than one call's bound.
   */
  private landed(domain: string, err?: unknown): void {
    const n = this.inFlight.get(domain)! - 1
    if (n > 0) this.inFlight.set(domain, n)
    else this.inFlight.delete(domain)
    const held = this.open.get(domain)
    if (held === undefined) return
    if (err instanceof MeterUnavailableError) {
      this.open.delete(domain)
      if (this.last === held) this.last = null
      failAll(held, err)
      return
    }
    if (n > 0 || this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(this.flush)
  }

  /**
   * A batch of one goes to DECIDE: DECIDE_MANY decides it the same, but its encoding (templates,
   * runs, key indices) costs ~2 µs more inside redis-server (docs/adr/0015-batched-decisions.md).
   */
  private sendOne(batch: Batch): void {
    const p = batch.prepared[0]!
    if (p.single === null || p.singleOffset !== this.clockOffsetMs) {
      const { buckets, quota } = p.request
      p.single = [...p.keys, String(this.clockOffsetMs), String(buckets.length), ...p.bucketArgs, ...(quota ? [p.quotaArgs[0], p.quotaArgs[1], String(this.retention)] : ['', '', ''])]
      p.singleOffset = this.clockOffsetMs
    }
    this.run(SCRIPTS.decide, p.keys.length, p.single).then(
      (reply) => {
        const [allowed, level, hasQuota, remaining] = reply as [number, number, number, number]
        const left = hasQuota ? remaining : null
        const sink = batch.sinks[0]!
        release(batch)
        if (allowed) sink.decided(left === null ? ALLOWED_NO_QUOTA : { allowed: true, remaining: left })
        else if (level === -1) sink.decided(QUOTA_EXCEEDED)
        else sink.decided({ allowed: false, reason: 'THROTTLED', level: p.request.buckets[level - 1]?.level ?? THROTTLE_ORDER[0]!, remaining: left })
        this.landed(batch.domain)
      },
      (err: unknown) => {
        failAll(batch, err)
        this.landed(batch.domain, err)
      },
    )
  }

  /** The 1-based index of a request's `i`th key in the call's KEYS, added (and its RESP to `keyWire`) when new. */
  private indexOf(p: Prepared, i: number, keys: string[]): string {
    const key = p.keys[i]!
    let at = this.keyIndex.get(key)
    if (at === undefined) {
      at = keys.push(key)
      this.keyIndex.set(key, at)
      this.keyWire += p.keyWire[i]!
    }
    return String(at)
  }

  /** Each request's decision from DECIDE_MANY's reply: [admitted k, outcome of the rest, quota left before] per run. */
  private settle(batch: Batch, reply: number[]): void {
    const { prepared, sinks, runs } = batch
    if (reply.length !== 3 * runs.length) return failAll(batch, new Error(`DECIDE_MANY answered ${reply.length} values for ${runs.length} runs`))
    let i = 0
    for (let r = 0; r < runs.length; r++) {
      const request = prepared[i]!.request
      const admitted = reply[3 * r]!
      const outcome = reply[3 * r + 1]!
      const before = reply[3 * r + 2]!
      const hasQuota = request.quota !== null
      // The denied requests of a run all get the same decision.
      let denial: Decision | null = null
      if (admitted < runs[r]!) {
        if (outcome === -1) denial = QUOTA_EXCEEDED
        else denial = { allowed: false, reason: 'THROTTLED', level: request.buckets[outcome - 1]?.level ?? THROTTLE_ORDER[0]!, remaining: hasQuota ? Math.max(0, before - admitted) : null }
      }
      for (let j = 0, end = runs[r]!; j < end; j++, i++) {
        if (j >= admitted) sinks[i]!.decided(denial!)
        else sinks[i]!.decided(hasQuota ? { allowed: true, remaining: before - 1 - j } : ALLOWED_NO_QUOTA)
      }
    }
    release(batch)
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

  /** EVALSHA, then EVAL after a NOSCRIPT; `wire`: the EVALSHA command as RESP, already written (ScriptCall). */
  private async run(s: Script, numKeys: number, argv: readonly string[], wire?: string): Promise<unknown> {
    try {
      if (wire === undefined) return await this.bounded(this.client.evalsha(s.sha, numKeys, argv as string[]))
      return await this.bounded(this.client.sendCommand(new ScriptCall(s.sha, numKeys, argv, wire)) as Promise<unknown>)
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
