// Request identifiers, derived from 16 random bytes (one UUID's worth) per request:
// - requestId: the bytes as a version 4 UUID (x-amzn-RequestId, $context.requestId),
// - extendedRequestId: base64 of its first 11 bytes, 16 characters like AWS's
//   "OkTrUEOEZPgFQFw=" (x-amz-apigw-id, apigw-requestid for HTTP APIs, $context.extendedRequestId),
// - traceId: an X-Ray style "Root=1-{epoch hex}-{hex of its last 12 bytes}" (X-Amzn-Trace-Id),
//   or the caller's own X-Amzn-Trace-Id when it sent a well-formed one (withCallerTrace):
//   API Gateway adds a trace header only to requests that do not already have one, and the
//   caller's travels on to the integration unchanged.
//
// HOT PATH — change with care: runs for every request. Random bytes come from a pool refilled
// every 512 requests (as crypto.randomUUID does internally); the three strings are written as
// ASCII into one scratch buffer and read out flat (a UUID built by string concatenation costs
// more to flatten when it is written into a header than to generate).
import { randomFillSync } from 'node:crypto'

export interface RequestIds {
  readonly requestId: string
  readonly extendedRequestId: string
  readonly traceId: string
}

const HEX: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0))
const BASE64: readonly number[] = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0))

const POOL = Buffer.alloc(16 * 512)
let pooled = POOL.length

// Scratch text: [0, 36) the UUID, [36, 52) the extended id, [52, 92) the trace id.
const TEXT = Buffer.alloc(92)
const UUID_END = 36
const EXT_END = 52
const TRACE_HEX = 52 + 'Root=1-00000000-'.length
const TRACE_END = 92
TEXT.write('Root=1-00000000-', 52, 'latin1')
TEXT[EXT_END - 1] = 61 // '='

// The epoch part of trace ids changes once a second.
let epochSecond = -1

function hex2(at: number, byte: number): void {
  TEXT[at] = HEX[byte >> 4]!
  TEXT[at + 1] = HEX[byte & 15]!
}

export function newRequestIds(nowMs: number): RequestIds {
  if (pooled === POOL.length) {
    randomFillSync(POOL)
    pooled = 0
  }
  const b = pooled
  pooled += 16
  POOL[b + 6] = (POOL[b + 6]! & 0x0f) | 0x40 // version 4
  POOL[b + 8] = (POOL[b + 8]! & 0x3f) | 0x80 // RFC 4122 variant

  let at = 0
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) TEXT[at++] = 45 // '-'
    hex2(at, POOL[b + i]!)
    at += 2
  }

  // Base64 of bytes 0..10: three groups of three bytes, then two bytes and '='.
  at = UUID_END
  for (let i = 0; i < 9; i += 3) {
    const v = (POOL[b + i]! << 16) | (POOL[b + i + 1]! << 8) | POOL[b + i + 2]!
    TEXT[at++] = BASE64[v >> 18]!
    TEXT[at++] = BASE64[(v >> 12) & 63]!
    TEXT[at++] = BASE64[(v >> 6) & 63]!
    TEXT[at++] = BASE64[v & 63]!
  }
  const last = (POOL[b + 9]! << 8) | POOL[b + 10]!
  TEXT[at++] = BASE64[last >> 10]!
  TEXT[at++] = BASE64[(last >> 4) & 63]!
  TEXT[at] = BASE64[(last << 2) & 63]!

  const second = Math.floor(nowMs / 1000)
  if (second !== epochSecond) {
    epochSecond = second
    TEXT.write(second.toString(16).padStart(8, '0').slice(-8), TRACE_HEX - 9, 'latin1')
  }
  for (let i = 4; i < 16; i++) hex2(TRACE_HEX + 2 * (i - 4), POOL[b + i]!)

  // One flat string, three slices of it (V8 slices share the parent's characters).
  const text = TEXT.toString('latin1', 0, TRACE_END)
  return { requestId: text.slice(0, UUID_END), extendedRequestId: text.slice(UUID_END, EXT_END), traceId: text.slice(EXT_END) }
}

/** Longest caller X-Amzn-Trace-Id taken (Root, Parent, Sampled and Lineage fit in well under it). */
const MAX_TRACE_HEADER = 256
/** A Root field "Root=1-{8 hex}-{24 hex}" among the header's ';'-separated fields. */
const XRAY_ROOT = /(?:^|;)\s*Root=1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}\s*(?:;|$)/
/** Visible ASCII and spaces only: the value is sent on in request and response headers. */
const PRINTABLE = /^[\x20-\x7e]+$/

/**
 * The ids with the caller's X-Amzn-Trace-Id as the trace id, when it sent one with a
 * well-formed Root (else the ids as they are: a fresh trace id, as for a request without one).
 * HOT PATH: a request without the header pays one comparison.
 */
export function withCallerTrace(ids: RequestIds, header: string | string[] | undefined): RequestIds {
  if (header === undefined) return ids
  if (typeof header !== 'string' || header.length > MAX_TRACE_HEADER || !PRINTABLE.test(header) || !XRAY_ROOT.test(header)) return ids
  return { requestId: ids.requestId, extendedRequestId: ids.extendedRequestId, traceId: header }
}
