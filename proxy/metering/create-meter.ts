// Where a process's meter comes from: without Redis, a MemoryMeter (one process: standalone
// mode, or a single proxy); with a Redis URL, the fleet's shared RedisMeter behind a
// ResilientMeter whose fallback is a MemoryMeter (each stage's meteringFailureMode decides what
// happens while Redis is down: local buckets, or 503).
import { MemoryMeter } from '../stores/memory-meter.js'
import type { Meter } from '../stores/meter.js'
import { createRedisClient, whenReady } from '../stores/redis-connection.js'
import { RedisMeter } from '../stores/redis-meter.js'
import { ResilientMeter } from '../stores/resilient-meter.js'
import { CountingMeter, meteringMetrics } from './metrics.js'

/** How long a decision waits for Redis before the stage's failure mode takes over. */
const DEFAULT_CALL_TIMEOUT_MS = 100

export interface MeterOptions {
  /** '' or undefined: no Redis. Several comma-separated hosts: a Redis Cluster. */
  readonly redisUrl?: string
  /** Connect to a Redis Cluster even with one seed host. */
  readonly redisCluster?: boolean
  /** RedisMeter's maxBatch (default 256; 1 sends each decision on its own, as the benchmark compares). */
  readonly redisMaxBatch?: number
  /** Bound of a Redis call in ms (RedisMeter's call bound; default 100). Benchmarks under valgrind raise it. */
  readonly redisTimeoutMs?: number
  readonly log: (line: string) => void
}

export interface ProcessMeter {
  readonly meter: Meter
  /** 'memory', or 'redis' (ResilientMeter: see state()). */
  readonly kind: 'memory' | 'redis'
  /** The ResilientMeter when kind is 'redis' (for metrics and readiness). */
  readonly resilient: ResilientMeter | null
  /** The metering metrics, Prometheus text (metrics.ts). */
  metrics(): string
  /**
   * Resolves once Redis is connected, or after `timeoutMs` (logged) when it is not: serve after
   * this, so the first requests do not count as an outage. Never rejects.
   */
  ready(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export function createMeter(opts: MeterOptions): ProcessMeter {
  if (!opts.redisUrl) {
    const meter = new CountingMeter(new MemoryMeter())
    return { meter, kind: 'memory', resilient: null, metrics: () => meteringMetrics(meter, null), ready: async () => {}, close: () => meter.close() }
  }
  const cluster = opts.redisCluster === true || opts.redisUrl.includes(',')
  // RedisMeter bounds every call it makes (decisions, pings, usage) with one timer for all of
  // them, so the client sets none per command (ioredis's commandTimeout is a timer per command).
  const timeout = opts.redisTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS
  const client = createRedisClient({ url: opts.redisUrl, cluster, commandTimeoutMs: 0 })
  // ioredis reports connection errors as events; ResilientMeter logs the transitions instead.
  client.on('error', () => {})
  const primary = new RedisMeter(client, { ...(opts.redisMaxBatch !== undefined ? { maxBatch: opts.redisMaxBatch } : {}), callTimeoutMs: timeout })
  const resilient = new ResilientMeter({ primary, fallback: new MemoryMeter(), log: opts.log })
  const ready = (timeoutMs = 2000) =>
    whenReady(client, timeoutMs).catch(() => {
      opts.log(`meter: Redis not reachable after ${timeoutMs} ms; serving meanwhile (stages fail open to local buckets, or 503 where they fail closed)`)
    })
  const meter = new CountingMeter(resilient)
  return { meter, kind: 'redis', resilient, metrics: () => meteringMetrics(meter, resilient), ready, close: () => meter.close() }
}
