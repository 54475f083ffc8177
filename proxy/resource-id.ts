// $context.resourceId: API Gateway's identifier of a resource (a path of the API), stable
// across builds, proxies and runs. Derived the way the default apiId is (operator/compile/apiid.ts):
// the SHA-256 digest of the UTF-8 string "<apiId> <resourcePath>", each of its first 6 bytes b
// mapped to "0123456789abcdefghijklmnopqrstuvwxyz"[b % 36]: 6 lowercase alphanumerics, like
// AWS's resource ids. One id per resource path, shared by every method of that path. Computed at
// build time (build.ts), never per request.
import { createHash } from 'node:crypto'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'
export const RESOURCE_ID_LENGTH = 6

export function resourceId(apiId: string, resourcePath: string): string {
  const digest = createHash('sha256').update(`${apiId} ${resourcePath}`, 'utf8').digest()
  let id = ''
  for (let i = 0; i < RESOURCE_ID_LENGTH; i++) id += ALPHABET[digest[i]! % ALPHABET.length]
  return id
}
