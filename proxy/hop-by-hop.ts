// Hop-by-hop headers (RFC 9110 7.6.1): meaningful for one connection only, so a proxy drops
// them in both directions: Connection and every header it names, Keep-Alive, TE, Trailer,
// Transfer-Encoding, Upgrade, and Proxy-* (Proxy-Connection, Proxy-Authorization, ...).
// Used by HTTP_PROXY for the request (integrations/http-proxy.ts) and the response
// (integrations/proxy-call.ts), each with its own precomputed skip set.

/** The fixed hop-by-hop names (lower case); Proxy-* and the names Connection lists come on top. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

/** Header names a Connection header value lists, lower-cased; null when there are none. */
export function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null
  const text = Array.isArray(value) ? value.join(',') : value
  // The usual values name no header: no split, no set.
  if (text.length <= 10) {
    const lower = text.toLowerCase()
    if (lower === 'keep-alive' || lower === 'close') return null
  }
  const tokens = new Set<string>()
  for (const token of text.split(',')) {
    const name = token.trim().toLowerCase()
    if (name !== '' && name !== 'close' && name !== 'keep-alive') tokens.add(name)
  }
  return tokens.size === 0 ? null : tokens
}
