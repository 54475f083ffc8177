// $context.resourceId: API Gateway's identifier of a resource (a path of the API), stable
// across builds, proxies and runs: the first 6 hex digits of the SHA-256 digest of the UTF-8
// string "<apiId> <resourcePath>". One id per resource path, shared by every method of that
// path; the same id in templates, parameter mappings and authorizer events (auth/lambda/event.ts).
// Computed at build time (build.ts), never per request.
import { createHash } from 'node:crypto'

export const RESOURCE_ID_LENGTH = 6

export function resourceId(apiId: string, resourcePath: string): string {
  return createHash('sha256').update(`${apiId} ${resourcePath}`, 'utf8').digest('hex').slice(0, RESOURCE_ID_LENGTH)
}
