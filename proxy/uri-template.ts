// Integration URI templates, split into parts at build time: the origin (which picks the
// upstream pool), the Host header to send, and the path as literals and `{name}` placeholders.
// Stage variables are resolved before this (stage-variables.ts).

export class UriError extends Error {}

export type PathPart = string | { readonly param: string }

export interface UriTemplate {
  /** "http://host:port", lower-cased: the key of the upstream pool. */
  readonly origin: string
  /** Host header for the backend (host[:port] as written in the URI). */
  readonly host: string
  readonly parts: readonly PathPart[]
  /** Names of the placeholders in the path. */
  readonly params: readonly string[]
  /** Query string written in the URI (without '?'), '' when none. */
  readonly query: string
  /** True when the URI has no path (or just "/"). */
  readonly bare: boolean
}

const URI = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?$/i

export function compileUri(uri: string): UriTemplate {
  const m = URI.exec(uri)
  if (m === null) throw new UriError(`integration uri ${JSON.stringify(uri)} is not an http(s) URL`)
  const authority = m[2]!
  if (authority.includes('{') || authority.includes('@')) throw new UriError(`integration uri ${JSON.stringify(uri)} has an invalid host`)
  const path = m[3] === '' ? '/' : m[3]!
  const parts: PathPart[] = []
  const params: string[] = []
  const placeholder = /\{([A-Za-z0-9._-]+)\}/g
  let last = 0
  for (let p = placeholder.exec(path); p !== null; p = placeholder.exec(path)) {
    if (p.index > last) parts.push(path.slice(last, p.index))
    parts.push({ param: p[1]! })
    params.push(p[1]!)
    last = p.index + p[0].length
  }
  if (last < path.length) parts.push(path.slice(last))
  return {
    origin: `${m[1]!.toLowerCase()}://${authority.toLowerCase()}`,
    host: authority,
    parts,
    params,
    query: m[4] ?? '',
    bare: path === '/',
  }
}
