// Per-API gateway response customization (ApiConfig.gatewayResponses): the expressions, compiled
// once per config, and what is rendered per request. gateway-responses.ts decides which
// customization a response type uses (its own, else DEFAULT_4XX / DEFAULT_5XX by its class);
// this file knows nothing of the table.
//
// Header mappings, `gatewayresponse.header.NAME` -> source (AWS: "Set up gateway responses"):
//   'static value' | method.request.{header|querystring|path}.NAME | stageVariables.NAME
//   | context.KEY (mapping.ts's CONTEXT_KEYS) | context.authorizer.NAME | context.authorizer.claims.NAME
// A source without a value for the request (a header not sent, a path parameter of no matched
// route, a stage variable the stage does not define) leaves the header out, as API Gateway's
// parameter mappings do. So does a value that cannot be a header value (a decoded query
// parameter with a line break).
//
// Body templates, by media type, are selected as integration response templates are (the first
// media type of Accept that has one, then application/json, then the first declared) and
// rendered by the VTL engine with $context (incl. $context.error.*), $stageVariables and
// $input.params(). AWS documents gateway response templates as "simple variable substitution",
// not processed by VTL: a template made only of references renders the same here; directives are
// a Tollgate extension the compiler warns about. Precomputed at build: a template with no
// reference at all is a fixed body; AWS's default template is the type's prebuilt default body.
import type { IncomingMessage } from 'node:http'
import type { GatewayResponseConfig } from './config/schema.js'
import { RequestContext } from './context.js'
import { CONTEXT_KEYS, type ContextKey } from './integrations/mapping.js'
import { authorizerClaim, authorizerValue } from './integrations/params.js'
import { compileTemplates, NO_TEMPLATES, selectResponseTemplate, type Template, type TemplateSet } from './integrations/templates.js'
import { renderMapping, VtlRenderError } from './vtl/index.js'
import type { Ast, Node } from './vtl/parse.js'
import { bareContext, bareMappingData, mappingData, type BareRequest, type ErrorVariables, type TemplateEnv } from './vtl/request-data.js'

/** AWS's default gateway response template. */
export const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'

export type HeaderSource =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'querystring'; readonly name: string }
  | { readonly kind: 'path'; readonly name: string }
  | { readonly kind: 'stageVariable'; readonly name: string }
  | { readonly kind: 'context'; readonly key: ContextKey }
  | { readonly kind: 'authorizer'; readonly name: string }
  | { readonly kind: 'authorizerClaim'; readonly name: string }

export interface HeaderMapping {
  /** As written after `gatewayresponse.header.` (the spelling sent). */
  readonly name: string
  readonly lower: string
  readonly source: HeaderSource
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const NAME = /^[A-Za-z0-9._$-]+$/
const STAGE_VARIABLE = /^[A-Za-z0-9_]+$/
/** A header value Node will send: tab, visible ASCII and space (no line breaks, no non-ASCII). */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/
/** Framing is the gateway's: these cannot be mapped. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer'])
const CONTEXT_KEY_SET: ReadonlySet<string> = new Set(CONTEXT_KEYS)

/** Parses one response parameter; a string is the reason it is refused (the compiler's message). */
export function parseResponseParameter(key: string, value: string): HeaderMapping | string {
  if (!key.startsWith('gatewayresponse.header.') || !TOKEN.test(key.slice('gatewayresponse.header.'.length))) {
    return `${JSON.stringify(key)} must have the form gatewayresponse.header.NAME (NAME a header name)`
  }
  const name = key.slice('gatewayresponse.header.'.length)
  const lower = name.toLowerCase()
  if (FRAMING.has(lower)) return `${name} cannot be mapped: the gateway frames responses itself`
  const source = parseSource(value)
  if (typeof source === 'string') return source
  return { name, lower, source }
}

function parseSource(expr: string): HeaderSource | string {
  if (expr.length >= 2 && expr.startsWith("'") && expr.endsWith("'")) {
    const value = expr.slice(1, -1)
    if (!HEADER_VALUE.test(value)) return `the static value ${expr} is not a valid header value (printable ASCII, no line breaks)`
    return { kind: 'static', value }
  }
  const method = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(expr)
  if (method !== null && NAME.test(method[2]!)) {
    const kind = method[1] as 'header' | 'querystring' | 'path'
    return { kind, name: kind === 'header' ? method[2]!.toLowerCase() : method[2]! }
  }
  if (expr.startsWith('stageVariables.') && STAGE_VARIABLE.test(expr.slice('stageVariables.'.length))) {
    return { kind: 'stageVariable', name: expr.slice('stageVariables.'.length) }
  }
  if (expr.startsWith('context.authorizer.')) {
    const name = expr.slice('context.authorizer.'.length)
    const claim = name.startsWith('claims.') ? name.slice('claims.'.length) : null
    if (claim !== null && NAME.test(claim)) return { kind: 'authorizerClaim', name: claim }
    if (claim === null && name !== 'claims' && NAME.test(name)) return { kind: 'authorizer', name }
  } else if (expr.startsWith('context.') && CONTEXT_KEY_SET.has(expr.slice('context.'.length))) {
    return { kind: 'context', key: expr.slice('context.'.length) as ContextKey }
  }
  return (
    `${JSON.stringify(expr)} is not a valid source: use 'static value', method.request.{header|querystring|path}.NAME, ` +
    `stageVariables.NAME, context.{${CONTEXT_KEYS.join('|')}} or context.authorizer.NAME`
  )
}

/** A media type key of responseTemplates: type/subtype, no parameters. */
export function isMediaType(key: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9*][A-Za-z0-9!#$&^_.+*-]*$/.test(key)
}

/**
 * True when a template uses more than AWS's simple variable substitution: a directive (#set, #if,
 * #foreach, a macro), a method call or an index ($util.escapeJavaScript(...), $x.get(0), $x[0]).
 */
export function usesVtl(ast: Ast): boolean {
  if (ast.macros.size > 0) return true
  const walk = (nodes: readonly Node[]): boolean =>
    nodes.some((n) => (n.k === 'text' ? false : n.k === 'ref' ? n.ref.chain.some((a) => a.k !== 'prop') : true))
  return walk(ast.nodes)
}

export interface CustomResponse {
  /** statusCode of the customization; null: each type's own. */
  readonly status: number | null
  readonly headers: readonly HeaderMapping[]
  /** NO_TEMPLATES: the default body. */
  readonly templates: TemplateSet
  /** Templates that render the same for every request (no reference, no directive): their bytes. */
  readonly fixed: ReadonlyMap<Template, Buffer>
  /** Templates that are AWS's default template: answered with the type's prebuilt default body. */
  readonly standard: ReadonlySet<Template>
}

export class CustomizationError extends Error {}

/** Compiles one customization; throws CustomizationError for what the compiler would have refused. */
export function compileCustomization(config: GatewayResponseConfig): CustomResponse {
  const headers: HeaderMapping[] = []
  for (const [key, value] of Object.entries(config.responseParameters)) {
    const mapping = parseResponseParameter(key, value)
    if (typeof mapping === 'string') throw new CustomizationError(mapping)
    headers.push(mapping)
  }
  let templates: TemplateSet
  try {
    templates = compileTemplates(config.responseTemplates)
  } catch (err) {
    throw new CustomizationError((err as Error).message)
  }
  const fixed = new Map<Template, Buffer>()
  const standard = new Set<Template>()
  for (const template of [...templates.byType.values(), ...(templates.fallback === null ? [] : [templates.fallback])]) {
    if (template.text.trim() === DEFAULT_TEMPLATE) standard.add(template)
    else if (template.compiled.ast.macros.size === 0 && template.compiled.ast.nodes.every((n) => n.k === 'text')) {
      fixed.set(template, Buffer.from(template.compiled.ast.nodes.map((n) => (n.k === 'text' ? n.text : '')).join(''), 'utf8'))
    }
  }
  const status = config.statusCode === undefined ? null : Number(config.statusCode)
  return { status, headers, templates: templates.size === 0 ? NO_TEMPLATES : templates, fixed, standard }
}

/** Who a response is for: the ids, the stage once known; a RequestContext inside the pipeline. */
export type ResponseSubject = BareRequest | RequestContext

function lastQueryValue(req: IncomingMessage, name: string): string | undefined {
  const url = req.url ?? ''
  const q = url.indexOf('?')
  if (q === -1) return undefined
  let value: string | undefined
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) if (k === name) value = v
  return value
}

function bareContextValue(req: IncomingMessage, subject: BareRequest, key: ContextKey, env: TemplateEnv): string {
  let value: unknown = bareContext(req, subject, env, Date.now())
  for (const part of key.split('.')) value = (value as Record<string, unknown>)[part]
  return String(value ?? '')
}

function sourceValue(source: HeaderSource, req: IncomingMessage, subject: ResponseSubject, env: TemplateEnv): string | undefined {
  const ctx = subject instanceof RequestContext ? subject : null
  switch (source.kind) {
    case 'static':
      return source.value
    case 'header': {
      const value = req.headers[source.name]
      return Array.isArray(value) ? value.join(',') : value
    }
    case 'querystring':
      return ctx !== null ? ctx.query(source.name) : lastQueryValue(req, source.name)
    case 'path':
      return ctx?.pathParams[source.name]
    case 'stageVariable':
      return subject.stage?.variables[source.name]
    case 'context':
      return ctx !== null ? ctx.contextValue(source.key) : bareContextValue(req, subject, source.key, env)
    case 'authorizer':
      return ctx === null ? undefined : authorizerValue(ctx, source.name)
    case 'authorizerClaim':
      return ctx === null ? undefined : authorizerClaim(ctx, source.name)
  }
}

/** The mapped headers of a response: [name, value] pairs, values that resolve only. */
export function mappedHeaders(custom: CustomResponse, req: IncomingMessage, subject: ResponseSubject, env: TemplateEnv): [HeaderMapping, string][] {
  const out: [HeaderMapping, string][] = []
  for (const mapping of custom.headers) {
    const value = sourceValue(mapping.source, req, subject, env)
    if (value !== undefined && HEADER_VALUE.test(value)) out.push([mapping, value])
  }
  return out
}

export interface RenderedBody {
  /** null: the type's default body. */
  readonly body: Buffer | null
  /** The Content-Type the template gives; null: the default (application/json). */
  readonly contentType: string | null
}

const DEFAULT_BODY: RenderedBody = { body: null, contentType: null }

/**
 * The body of a customized response. A template that fails to render (a limit, a Java exception)
 * falls back to the default body: an error response must always be answered.
 */
export function renderBody(custom: CustomResponse, req: IncomingMessage, subject: ResponseSubject, env: TemplateEnv, error: ErrorVariables): RenderedBody {
  const template = selectResponseTemplate(custom.templates, req.headers.accept)
  if (template === null) return DEFAULT_BODY
  const contentType = template.contentType === '$default' ? null : template.contentType
  if (custom.standard.has(template)) return { body: null, contentType }
  const fixed = custom.fixed.get(template)
  if (fixed !== undefined) return { body: fixed, contentType }
  const data = subject instanceof RequestContext ? mappingData(subject, '', env, error) : bareMappingData(req, subject, env, Date.now(), error)
  try {
    return { body: Buffer.from(renderMapping(template.compiled, data).body, 'utf8'), contentType }
  } catch (err) {
    if (!(err instanceof VtlRenderError)) throw err
    return { body: null, contentType: null }
  }
}
