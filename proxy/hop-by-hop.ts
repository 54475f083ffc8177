// Hop-by-hop headers (RFC 9110 7.6.1): meaningful for one connection only, so a proxy drops
// them in both directions: Connection and every header it names, Keep-Alive, TE, Trailer,
// Transfer-Encoding, Upgrade, and Proxy-* (Proxy-Connection, Proxy-Authorization, ...).
import type { IncomingHttpHeaders } from 'node:http'

const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

/** Header names a Connection header value lists, lower-cased; null when there are none. */
function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null
  const text = Array.isArray(value) ? value.join(',') : value
  const tokens = new Set<string>()
  for (const token of text.split(',')) {
    const name = token.trim().toLowerCase()
    if (name !== '' && name !== 'close' && name !== 'keep-alive') tokens.add(name)
  }
  return tokens.size === 0 ? null : tokens
}

/**
 * Copies end-to-end headers into `out`, skipping hop-by-hop ones and the names in `skip`
 * (lower-case). HOT PATH: one pass over the headers.
 */
export function copyEndToEnd(
  headers: IncomingHttpHeaders,
  out: Record<string, string | string[]>,
  skip: ReadonlySet<string> | null,
): void {
  const named = connectionTokens(headers.connection)
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    if (HOP_BY_HOP.has(name) || name.startsWith('proxy-')) continue
    if (named !== null && named.has(name)) continue
    if (skip !== null && skip.has(name)) continue
    out[name] = value
  }
}
