// Invoke URLs written to statuses: {scheme}://{apiId}.execute-api.{domain}[:{port}]/{stage},
// the port left out when it is the scheme's default, and no stage segment for $default.
import type { CompileOptions } from './types.js'
import { DEFAULT_STAGE_NAME } from './stage.js'

const DEFAULT_PORTS = { http: 80, https: 443 } as const

export function apiOrigin(opts: Pick<CompileOptions, 'domain' | 'endpoint'>, apiId: string): string {
  const { scheme, port } = opts.endpoint
  const suffix = port === undefined || port === DEFAULT_PORTS[scheme] ? '' : `:${port}`
  return `${scheme}://${apiId}.execute-api.${opts.domain}${suffix}`
}

export function stageUrl(opts: Pick<CompileOptions, 'domain' | 'endpoint'>, apiId: string, stageName: string): string {
  const origin = apiOrigin(opts, apiId)
  return stageName === DEFAULT_STAGE_NAME ? origin : `${origin}/${stageName}`
}
