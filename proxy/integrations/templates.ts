// Mapping templates: selection by content type, and the render seam.
//
// Request templates are chosen by the request's Content-Type media type (application/json
// when the header is absent, as API Gateway assumes), then the "$default" template. Response
// templates by the first media type of Accept that has one, then application/json, then the
// first declared. Media types compare case-insensitively without parameters.
//
// renderTemplate is the seam for VTL (a later issue): today the template text is the output.
import type { RequestContext } from '../context.js'

export interface Template {
  readonly contentType: string
  readonly text: string
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
    const template = { contentType, text }
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

/** Renders a template for a request. Seam for VTL: today the output is the template text. */
export function renderTemplate(template: Template, _ctx: RequestContext, _body: string): string {
  return template.text
}
