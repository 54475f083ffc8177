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

/** True when any media type of an Accept header is binary (API Gateway's rule for responses). */
export function acceptsBinary(matcher: BinaryMatcher, accept: string | undefined): boolean {
  if (accept === undefined) return false
  for (const part of accept.split(',')) if (matcher(part)) return true
  return false
}
