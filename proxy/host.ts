// API selection by Host: "{apiId}.execute-api.{domain}[:port]", case-insensitive. Precomputed
// per config: the lower-cased suffix to look for.
//
// HOT PATH: one Map lookup per request for a Host seen lately (clients send a few Host values
// again and again); the parse (toLowerCase, endsWith, slice) for a new one.

/** Most Host values remembered; the memory is cleared when full (random Hosts cost a parse, not memory). */
export const HOSTS_REMEMBERED = 256
const MAX_REMEMBERED_HOST = 260

export class HostMatcher {
  private readonly suffix: string
  private readonly seen = new Map<string, string | null>()
  constructor(domain: string) {
    this.suffix = `.execute-api.${domain.toLowerCase()}`
  }

  /** The (lower-cased) apiId named by a Host header, or null when it is not an execute-api host. */
  apiId(host: string | undefined): string | null {
    if (host === undefined) return null
    let id = this.seen.get(host)
    if (id === undefined) {
      id = this.parse(host)
      // A name longer than DNS allows (253) with a port is parsed every time, never kept.
      if (host.length > MAX_REMEMBERED_HOST) return id
      if (this.seen.size >= HOSTS_REMEMBERED) this.seen.clear()
      this.seen.set(host, id)
    }
    return id
  }

  /** Hosts remembered now (tests). */
  get remembered(): number {
    return this.seen.size
  }

  private parse(host: string): string | null {
    let name = host.toLowerCase()
    const colon = name.lastIndexOf(':')
    if (colon !== -1 && name.indexOf(']') === -1) name = name.slice(0, colon)
    if (name.endsWith('.')) name = name.slice(0, -1)
    if (!name.endsWith(this.suffix)) return null
    const id = name.slice(0, name.length - this.suffix.length)
    if (id.length === 0 || id.includes('.')) return null
    return id
  }
}
