// Integration response selection for HTTP, MOCK and AWS integrations: the first response, in
// declaration order, whose selectionPattern matches a string as a whole (like Java's
// String.matches): the backend status (HTTP, MOCK), or a function's errorMessage ('' for a
// success; AWS integrations of functions). Else the default response (null pattern); else none,
// which API Gateway answers with 500 "Internal server error" (API_CONFIGURATION_ERROR: "No
// match for output mapping and no default output mapping configured"). As in Java, `.` does
// not match a line break (AWS warns that an error message with "\n" escapes `.+`).
import type { IntegrationResponseConfig } from '../config/schema.js'
import type { ContentHandling } from './content-handling.js'
import { compileResponseMappings, MappingError, type ResponseMapping } from './mapping.js'
import { compileTemplates, type TemplateSet } from './templates.js'

export interface CompiledResponse {
  readonly statusCode: number
  readonly pattern: RegExp | null
  readonly mappings: readonly ResponseMapping[]
  readonly templates: TemplateSet
  /** How the integration response payload is converted (content-handling.ts). */
  readonly contentHandling: ContentHandling
  /** True when the body must be read before responding (a template, or a mapping of the body). */
  readonly needsBody: boolean
}

export interface ResponseSelector {
  readonly responses: readonly CompiledResponse[]
  readonly fallback: CompiledResponse | null
}

export function compileResponses(configs: readonly IntegrationResponseConfig[], variables: Readonly<Record<string, string>>): ResponseSelector {
  const responses: CompiledResponse[] = []
  let fallback: CompiledResponse | null = null
  for (const config of configs) {
    const statusCode = Number(config.statusCode)
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      throw new MappingError(`integration response status ${JSON.stringify(config.statusCode)} is not an HTTP status`)
    }
    let pattern: RegExp | null = null
    if (config.selectionPattern !== null && config.selectionPattern !== '') {
      try {
        pattern = new RegExp(`^(?:${config.selectionPattern})$`)
      } catch {
        throw new MappingError(`selectionPattern ${JSON.stringify(config.selectionPattern)} is not a valid regular expression`)
      }
    }
    const mappings = compileResponseMappings(config.responseParameters, variables)
    const templates = compileTemplates(config.responseTemplates)
    const compiled: CompiledResponse = {
      statusCode,
      pattern,
      mappings,
      templates,
      contentHandling: config.contentHandling,
      needsBody: templates.size > 0 || mappings.some((m) => m.source.kind === 'responseBody'),
    }
    if (pattern === null) fallback ??= compiled
    else responses.push(compiled)
  }
  return { responses, fallback }
}

/** The response for a backend status, or a function's error message ('' when it succeeded). */
export function selectResponse(selector: ResponseSelector, selectOn: number | string): CompiledResponse | null {
  const value = String(selectOn)
  for (const response of selector.responses) if (response.pattern!.test(value)) return response
  return selector.fallback
}
