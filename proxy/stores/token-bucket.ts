// Token bucket arithmetic shared by MemoryMeter and (in Lua) the Redis script. Integer-safe:
// tokens are counted in millionths (TOKEN = one request) and time in microseconds, so a refill is
// `elapsed_us * rate` millionths, floored — exact in doubles (Lua's numbers) up to 2^53, and a
// bucket loses at most a millionth of a token per decision. Rates below 1/s work the same way.
import type { Bucket } from './meter.js'

/** One token (one request) in the stored unit. */
export const TOKEN = 1_000_000

/** A bucket that can never admit anything: no refill or no capacity (AWS: 0 blocks). */
export function admitsNothing(b: Bucket): boolean {
  return !(b.rate > 0) || b.burst < 1
}

/** Tokens (millionths) of a bucket last at `tokens` at `atUs`, refilled to `nowUs`, capped at burst. */
export function refill(tokens: number, atUs: number, nowUs: number, b: Bucket): number {
  const elapsed = Math.max(0, nowUs - atUs)
  return Math.min(b.burst * TOKEN, tokens + Math.floor(elapsed * b.rate))
}

/** How long the state of a bucket matters: the time to refill from empty, plus a second. */
export function bucketTtlMs(b: Bucket): number {
  return Math.ceil((b.burst / b.rate) * 1000) + 1000
}
