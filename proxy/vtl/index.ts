// The mapping-template engine: compile once at config load, render per request.
//
//   const t = compileTemplate(text)          // throws TemplateProblem (too large, syntax error)
//   const { body, overrides } = renderMapping(t, data, limits, performance.now())
//                                            // throws VtlRenderError (limit, Java exception, bad JSON)
import { createScope, type MappingData, type Overrides } from './apigateway.js'
import { parse, VtlParseError, type Ast } from './parse.js'
import { DEFAULT_LIMITS, Renderer, VtlRenderError, type RenderLimits } from './render.js'

export { DEFAULT_LIMITS, VtlRenderError, type MappingData, type Overrides, type RenderLimits }

/** API Gateway's quota: a mapping template is at most 300 KB. */
export const MAX_TEMPLATE_BYTES = 300 * 1024

export class TemplateProblem extends Error {}

export interface CompiledTemplate {
  readonly ast: Ast
}

export function compileTemplate(text: string): CompiledTemplate {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_TEMPLATE_BYTES) throw new TemplateProblem(`mapping template is ${bytes} bytes, over the ${MAX_TEMPLATE_BYTES} bytes (300 KB) limit`)
  try {
    return { ast: parse(text) }
  } catch (err) {
    if (err instanceof VtlParseError) throw new TemplateProblem(`mapping template: ${err.message}`)
    if (err instanceof RangeError) throw new TemplateProblem('mapping template: nested too deeply')
    throw err
  }
}

export interface Rendered {
  readonly body: string
  readonly overrides: Overrides
}

export function renderMapping(template: CompiledTemplate, data: MappingData, limits: RenderLimits = DEFAULT_LIMITS, now = performance.now()): Rendered {
  const scope = createScope(data)
  const body = new Renderer(template.ast, scope.globals, limits, now).render()
  return { body, overrides: scope.overrides() }
}
