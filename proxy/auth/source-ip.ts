// The caller's source IP: what aws:SourceIp conditions match, what $context.identity.sourceIp
// shows, and the address the namespace index is asked about.
//
// By default it is the socket peer (no X-Forwarded-For is believed: any client can write one).
// With trusted proxies (`--trusted-proxies 10.0.0.0/8,...`), a request whose peer is one of them
// has its X-Forwarded-For read from the right: every entry added by a trusted proxy is skipped,
// and the first address that is not a trusted proxy is the source. An entry that is not an
// address stops the walk, and the last trusted hop is the source (what it wrote cannot be read,
// so nothing left of it can be believed). Entries may carry a port ("1.2.3.4:80", "[::1]:80").
import type { IncomingMessage } from 'node:http'
import { ipFamily, normalizeIp, type IpRanges } from './ip.js'

export type SourceIpResolver = (req: IncomingMessage) => string

/** The socket peer, normalized (IPv4-mapped IPv6 as IPv4); '' once the socket is gone (late, e.g. in a response template). */
export function peerIp(req: IncomingMessage): string {
  const socket = req.socket as IncomingMessage['socket'] | null
  return normalizeIp(socket?.remoteAddress ?? '')
}

function entryAddress(raw: string): string | null {
  let s = raw.trim()
  if (s.startsWith('[')) {
    const end = s.indexOf(']')
    if (end === -1) return null
    s = s.slice(1, end)
  } else if (s.indexOf(':') !== -1 && s.indexOf(':') === s.lastIndexOf(':')) {
    // One colon: IPv4 with a port.
    s = s.slice(0, s.indexOf(':'))
  }
  const ip = normalizeIp(s)
  return ipFamily(ip) === null ? null : ip
}

/** The source IP of a request whose peer is `peer`, given the X-Forwarded-For header and the trusted proxies. */
export function resolveSourceIp(peer: string, forwardedFor: string | undefined, trusted: IpRanges): string {
  if (forwardedFor === undefined || !trusted.contains(peer)) return peer
  let current = peer
  let end = forwardedFor.length
  while (end > 0) {
    const comma = forwardedFor.lastIndexOf(',', end - 1)
    const entry = forwardedFor.slice(comma + 1, end)
    end = comma === -1 ? 0 : comma
    if (entry.trim() === '') continue
    const ip = entryAddress(entry)
    if (ip === null) return current
    current = ip
    if (!trusted.contains(ip)) return ip
  }
  return current
}

/** The resolver a gateway uses: the peer alone without trusted proxies (no header is read). */
export function sourceIpResolver(trusted: IpRanges | null): SourceIpResolver {
  if (trusted === null || trusted.size === 0) return peerIp
  return (req) => {
    const header = req.headers['x-forwarded-for']
    return resolveSourceIp(peerIp(req), Array.isArray(header) ? header.join(',') : header, trusted)
  }
}
