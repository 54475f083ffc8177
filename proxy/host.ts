// API selection by Host: "{apiId}.execute-api.{domain}[:port]", case-insensitive. Precomputed
// per config: the lower-cased suffix to look for.
//
// HOT PATH: one toLowerCase, one endsWith and one slice per request.

export class HostMatcher {
  private readonly suffix: string
  constructor(domain: string) {
    this.suffix = `.execute-api.${domain.toLowerCase()}`
  }

  /** The (lower-cased) apiId named by a Host header, or null when it is not an execute-api host. */
  apiId(host: string | undefined): string | null {
    if (host === undefined) return null
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
