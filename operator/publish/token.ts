// Bearer token check for the config stream, constant-time with respect to the token contents:
// both sides are hashed first, so neither their lengths nor their bytes leak through timing.
import { createHash, timingSafeEqual } from 'node:crypto'

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token))
}
