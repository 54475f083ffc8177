// Walking JSON Schema draft 4 documents: where subschemas sit (so that `$ref` is only ever read
// where it is a reference, never inside `enum` or `default` values), and what a `$ref` to a
// model looks like. Shared by the compiler's checks, the ajv compilation and the error string.
export type JsonObject = { [key: string]: unknown }

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Keywords whose value is one schema. */
const SCHEMA = ['additionalItems', 'additionalProperties', 'not'] as const
/** Keywords whose value is an array of schemas. */
const SCHEMA_ARRAY = ['allOf', 'anyOf', 'oneOf'] as const
/** Keywords whose value is a map of schemas (dependencies: a schema or a list of names). */
const SCHEMA_MAP = ['properties', 'patternProperties', 'definitions', 'dependencies'] as const

/** A subschema of a schema, with the JSON pointer tokens from its parent to it. */
export interface Subschema {
  readonly schema: JsonObject
  readonly tokens: readonly string[]
  readonly keyword: string
}

/** The direct subschemas of `schema` (only object-valued ones: draft 4 has no boolean schemas). */
export function subschemas(schema: JsonObject): Subschema[] {
  const out: Subschema[] = []
  for (const keyword of SCHEMA) {
    const sub = schema[keyword]
    if (isObject(sub)) out.push({ schema: sub, tokens: [keyword], keyword })
  }
  const items = schema.items
  if (isObject(items)) out.push({ schema: items, tokens: ['items'], keyword: 'items' })
  else if (Array.isArray(items)) items.forEach((s, i) => isObject(s) && out.push({ schema: s, tokens: ['items', String(i)], keyword: 'items' }))
  for (const keyword of SCHEMA_ARRAY) {
    const list = schema[keyword]
    if (Array.isArray(list)) list.forEach((s, i) => isObject(s) && out.push({ schema: s, tokens: [keyword, String(i)], keyword }))
  }
  for (const keyword of SCHEMA_MAP) {
    const map = schema[keyword]
    if (!isObject(map)) continue
    for (const [name, s] of Object.entries(map)) if (isObject(s)) out.push({ schema: s, tokens: [keyword, name], keyword })
  }
  return out
}

/** Every `$ref` string of a schema document, in document order. */
export function references(schema: unknown): string[] {
  const out: string[] = []
  const visit = (node: JsonObject): void => {
    if (typeof node.$ref === 'string') out.push(node.$ref)
    for (const sub of subschemas(node)) visit(sub.schema)
  }
  if (isObject(schema)) visit(schema)
  return out
}

/**
 * API Gateway's canonical model reference,
 * https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{model_name}, with an optional
 * "#/pointer" fragment. The restapi_id is not checked: a model only ever references models of
 * its own API.
 */
const MODEL_REF = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/#?]+\/models\/([^/#?]+)(#.*)?$/

/** The model a `$ref` names and its fragment ('' when none); null: not a model reference. */
export function modelReference(ref: string): { model: string; fragment: string } | null {
  const m = MODEL_REF.exec(ref)
  return m === null ? null : { model: decodeURIComponent(m[1]!), fragment: m[2] ?? '' }
}

/** The URI a model is known by once compiled (every model reference is rewritten to it). */
export function modelUri(model: string): string {
  return `https://apigateway.amazonaws.com/restapis/tollgate/models/${encodeURIComponent(model)}`
}

/** The value a JSON pointer fragment ("#/definitions/a~1b") points at in `root`; undefined: nothing. */
export function resolvePointer(root: unknown, fragment: string): unknown {
  const pointer = decodeURIComponent(fragment.startsWith('#') ? fragment.slice(1) : fragment)
  if (pointer === '') return root
  if (!pointer.startsWith('/')) return undefined
  let node: unknown = root
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(node)) node = /^\d+$/.test(token) ? node[Number(token)] : undefined
    else if (isObject(node)) node = Object.hasOwn(node, token) ? node[token] : undefined
    else return undefined
  }
  return node
}
