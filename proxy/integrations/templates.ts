// Mapping templates: selection by content type, and the render seam.
//
// Request templates are chosen by the request's Content-Type media type (application/json
// when the header is absent, as API Gateway assumes), then the "$default" template. Response
// templates by the first media type of Accept that has one, then application/json, then the
// first declared. Media types compare case-insensitively without parameters.
//
// Templates are compiled by the VTL engine (proxy/vtl) when the config is built; renderTemplate
// renders one per request and maps the engine's failures to gateway errors.
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'
import { compileTemplate, renderMapping, VtlRenderError, type CompiledTemplate, type Rendered } from '../vtl/index.js'
import { mappingData, type TemplateEnv } from '../vtl/request-data.js'

export type { TemplateEnv }

export interface Template {
  readonly contentType: string
  readonly text: string
  readonly compiled: CompiledTemplate
}

export interface TemplateSet {
  readonly byType: ReadonlyMap<string, Template>
  readonly fallback: Template | null
  readonly first: Template | null
  readonly size: number
}

export const NO_TEMPLATES: TemplateSet = { byType: new Map(), fallback: null, first: null, size: 0 }

export function mediaType(header: string | undefined): string {
  if (header === undefined) return ''
  const semi = header.indexOf(';')
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase()
}

export function compileTemplates(templates: Readonly<Record<string, string>>): TemplateSet {
  const entries = Object.entries(templates)
  if (entries.length === 0) return NO_TEMPLATES
  const byType = new Map<string, Template>()
  let fallback: Template | null = null
  let first: Template | null = null
  for (const [contentType, text] of entries) {
    const template = { contentType, text, compiled: compileTemplate(text) }
    if (contentType === '$default') fallback = template
    else {
      byType.set(mediaType(contentType), template)
      first ??= template
    }
  }
  return { byType, fallback, first, size: entries.length }
}

export function selectRequestTemplate(set: TemplateSet, contentType: string | undefined): Template | null {
  if (set.size === 0) return null
  return set.byType.get(contentType === undefined ? 'application/json' : mediaType(contentType)) ?? set.fallback
}

export function selectResponseTemplate(set: TemplateSet, accept: string | undefined): Template | null {
  if (set.size === 0) return null
  if (accept !== undefined) {
    for (const part of accept.split(',')) {
      const found = set.byType.get(mediaType(part))
      if (found !== undefined) return found
    }
  }
  return set.byType.get('application/json') ?? set.first ?? set.fallback
}

/**
 * Renders a template for a request: `body` is the method request body (request templates) or
 * the integration response body (response templates). A render that fails — a limit, a Java
 * exception, a JSON body that does not parse — fails the request (API Gateway answers 500
 * "Internal server error"; a request body that is not JSON, 400).
 */
export function renderTemplate(template: Template, ctx: RequestContext, body: string, side: 'request' | 'response', env: TemplateEnv): Rendered {
  try {
    return renderMapping(template.compiled, mappingData(ctx, body, env))
  } catch (err) {
    if (!(err instanceof VtlRenderError)) throw err
    if (err.reason === 'input' && side === 'request') throw new GatewayError('TG_ERR_TEMPLATE_RENDER', 'BAD_REQUEST_BODY', err.message)
    throw new GatewayError('TG_ERR_TEMPLATE_RENDER', 'API_CONFIGURATION_ERROR', `${side} template: ${err.message}`)
  }
}
