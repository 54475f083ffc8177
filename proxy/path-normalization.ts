// Path normalization, done once per request before stage selection and routing. The rules and
// why are in docs/path-normalization.md (one test per row in path-normalization.test.ts).
//
// HOT PATH — change with care: every request goes through normalizePath. Segments without '%'
// (the common case) cost one slice each.
//
// Output: the path as segments, each in two forms:
// - `raw`: still percent-encoded, with escapes normalized (unreserved characters decoded, hex
//   upper-cased). This is what is forwarded to backends, so an encoded "/" (%2F) stays inside
//   its segment and never becomes a new one.
// - `decoded`: percent-decoded UTF-8; what routes compare static segments with and what path
//   parameters deliver to mappings.
import { GatewayError } from './errors.js'

export interface NormalizedPath {
  readonly raw: string[]
  readonly decoded: string[]
}

function bad(reason: string): GatewayError {
  return new GatewayError('TG_ERR_BAD_PATH', 'MALFORMED_REQUEST', reason)
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 65 && code <= 70) return code - 55
  if (code >= 97 && code <= 102) return code - 87
  return -1
}

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 65 && byte <= 90) || // A-Z
    (byte >= 97 && byte <= 122) || // a-z
    (byte >= 48 && byte <= 57) || // 0-9
    byte === 45 || // -
    byte === 46 || // .
    byte === 95 || // _
    byte === 126 // ~
  )
}

const HEX = '0123456789ABCDEF'

/** Normalizes the escapes of one segment (RFC 3986 6.2.2.1-2); throws on a malformed or NUL escape. */
function normalizeEscapes(segment: string): string {
  let out = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i)
    if (c !== 37) {
      out += segment[i]
      continue
    }
    const complete = i + 2 < segment.length
    const hi = complete ? hexValue(segment.charCodeAt(i + 1)) : -1
    const lo = complete ? hexValue(segment.charCodeAt(i + 2)) : -1
    if (hi < 0 || lo < 0) throw bad('invalid percent-encoding in the path')
    const byte = hi * 16 + lo
    if (byte === 0) throw bad('encoded NUL in the path')
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[hi]}${HEX[lo]}`
    i += 2
  }
  return out
}

/** Normalizes the path of a request target (the part before '?'). Throws GatewayError (400). */
export function normalizePath(path: string): NormalizedPath {
  if (path.charCodeAt(0) !== 47) throw bad('the request target is not an absolute path')
  const raw: string[] = []
  const decoded: string[] = []
  let start = 1
  for (let i = 1; i <= path.length; i++) {
    if (i !== path.length && path.charCodeAt(i) !== 47) continue
    if (i > start) {
      // Empty segments ("//", a trailing "/") are dropped.
      let segment = path.slice(start, i)
      let plain = segment
      if (segment.includes('%')) {
        segment = normalizeEscapes(segment)
        try {
          plain = decodeURIComponent(segment)
        } catch {
          throw bad('percent-encoding in the path is not UTF-8')
        }
      }
      if (segment === '.') {
        // dropped
      } else if (segment === '..') {
        if (raw.length === 0) throw bad('the path climbs above the root')
        raw.pop()
        decoded.pop()
      } else {
        raw.push(segment)
        decoded.push(plain)
      }
    }
    start = i + 1
  }
  return { raw, decoded }
}
