// binaryMediaTypes of an API: which payloads API Gateway treats as binary. A media type matches
// exactly (case-insensitive, parameters ignored), by its type with `type/*`, or always with
// `*/*`. Compiled once per API at config load; shared by content handling (HTTP, MOCK, AWS) and
// the Lambda proxy event (isBase64Encoded).
import { mediaType } from './templates.js'

export type BinaryMatcher = (contentType: string | undefined) => boolean

const NEVER: BinaryMatcher = () => false

export function compileBinaryMediaTypes(types: readonly string[]): BinaryMatcher {
  if (types.length === 0) return NEVER
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const raw of types) {
    const type = mediaType(raw)
    if (type === '*/*') return (contentType) => contentType !== undefined
    if (type.endsWith('/*')) prefixes.push(type.slice(0, -1))
    else exact.add(type)
  }
  return (contentType) => {
    if (contentType === undefined) return false
    const type = mediaType(contentType)
    if (exact.has(type)) return true
    for (const prefix of prefixes) if (type.startsWith(prefix)) return true
    return false
  }
}

/**
 * True when an Accept header asks for binary: API Gateway honours only the FIRST media type of
 * Accept ("When a request contains multiple media types in its Accept header, API Gateway
 * honors only the first Accept media type", Content type conversions in API Gateway), whatever
 * the q-values: a browser's Accept that starts with image/webp is binary only when image/webp is.
 */
export function acceptsBinary(matcher: BinaryMatcher, accept: string | undefined): boolean {
  if (accept === undefined) return false
  const comma = accept.indexOf(',')
  return matcher(comma === -1 ? accept : accept.slice(0, comma))
}
