// TypeBox JSON Schema → the OpenAPI v3 subset Kubernetes accepts in a CRD: a *structural*
// schema (every node typed, no logic junctors carrying types, no additionalProperties: false,
// no patternProperties). The converter is strict: a keyword it does not know how to carry over
// is a generator bug and throws, naming the schema path, rather than silently vanishing from
// the CRD.
import { Kind, type TSchema } from '@sinclair/typebox'

/** A node of a CRD's openAPIV3Schema (JSONSchemaProps), keys in output order. */
export type JSONSchemaProps = { [key: string]: unknown }

/** Keywords copied unchanged, in the order they are written. */
const COPIED = [
  'format',
  'default',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
] as const

/**
 * Keywords the converter consumes itself (structure) or drops on purpose:
 * `additionalProperties: false` (Kubernetes prunes unknown fields instead), `$id`, and
 * `patternProperties` of records (its single value schema becomes additionalProperties; the
 * key pattern cannot be stated in a CRD and is checked by validateResource).
 */
const STRUCTURAL = new Set(['type', 'description', 'properties', 'required', 'items', 'additionalProperties', 'patternProperties', 'anyOf', 'const', '$id'])

const PRESERVE = 'x-kubernetes-preserve-unknown-fields'

export function toStructural(schema: TSchema, path = ''): JSONSchemaProps {
  const s = schema as Record<string, unknown>
  checkKeywords(s, path)
  const out: JSONSchemaProps = {}
  if (typeof s.description === 'string') out.description = s.description
  const kind = (schema as { [Kind]?: string })[Kind]

  if (s[PRESERVE] === true && (kind === 'Unknown' || kind === 'Any' || kind === 'Union')) {
    // Any JSON value: no type, the API server keeps whatever is there. Unions of non-literals
    // (string or list) land here too: a structural schema cannot type them.
    return withExtensions(out, s)
  }

  switch (kind) {
    case 'String':
    case 'Integer':
    case 'Number':
    case 'Boolean':
      out.type = s.type
      break
    case 'Literal':
      out.type = literalType(s.const, path)
      out.enum = [s.const]
      break
    case 'Union': {
      const values = unionLiterals(s, path)
      out.type = 'string'
      out.enum = values
      break
    }
    case 'Object':
      out.type = 'object'
      objectBody(s, path, out)
      break
    case 'Record':
      out.type = 'object'
      out.additionalProperties = toStructural(recordValue(s, path), `${path}.*`)
      break
    case 'Array':
      out.type = 'array'
      out.items = toStructural(s.items as TSchema, `${path}[]`)
      break
    default:
      throw new Error(`${path || '<root>'}: TypeBox kind ${String(kind)} has no structural OpenAPI form`)
  }
  for (const key of COPIED) if (s[key] !== undefined) out[key] = s[key]
  if (kind === 'Object') {
    // properties last among the standard keywords: the YAML reads top-down, constraints first.
    const { required, properties } = out
    delete out.required
    delete out.properties
    if (required !== undefined) out.required = required
    if (properties !== undefined) out.properties = properties
  }
  return withExtensions(out, s)
}

function objectBody(s: Record<string, unknown>, path: string, out: JSONSchemaProps): void {
  const properties = (s.properties ?? {}) as Record<string, TSchema>
  const names = Object.keys(properties).sort()
  const required = Array.isArray(s.required) ? [...(s.required as string[])].sort() : []
  if (required.length > 0) out.required = required
  if (names.length > 0) {
    const props: JSONSchemaProps = {}
    for (const name of names) props[name] = toStructural(properties[name] as TSchema, path === '' ? name : `${path}.${name}`)
    out.properties = props
  }
  if (s.additionalProperties === true) out[PRESERVE] = true
  else if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) {
    throw new Error(`${path}: an object with both properties and additionalProperties is not structural`)
  }
}

function recordValue(s: Record<string, unknown>, path: string): TSchema {
  const patterns = s.patternProperties as Record<string, TSchema> | undefined
  const values = patterns ? Object.values(patterns) : []
  if (values.length !== 1) throw new Error(`${path}: a record needs exactly one value schema`)
  return values[0] as TSchema
}

function unionLiterals(s: Record<string, unknown>, path: string): string[] {
  const anyOf = (s.anyOf ?? []) as Record<string, unknown>[]
  const values = anyOf.map((v) => v.const)
  if (anyOf.length === 0 || !values.every((v) => typeof v === 'string')) {
    throw new Error(
      `${path}: only unions of string literals become enums; mark other unions with ${PRESERVE} (they are then untyped in the CRD)`,
    )
  }
  return values as string[]
}

function literalType(value: unknown, path: string): string {
  if (typeof value === 'string') return 'string'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  throw new Error(`${path}: literal ${JSON.stringify(value)} has no OpenAPI type`)
}

/** x-kubernetes-* keys, sorted, after everything else. */
function withExtensions(out: JSONSchemaProps, s: Record<string, unknown>): JSONSchemaProps {
  for (const key of Object.keys(s).filter((k) => k.startsWith('x-kubernetes-')).sort()) out[key] = s[key]
  return out
}

function checkKeywords(s: Record<string, unknown>, path: string): void {
  for (const key of Object.keys(s)) {
    if (STRUCTURAL.has(key) || (COPIED as readonly string[]).includes(key) || key.startsWith('x-kubernetes-')) continue
    throw new Error(`${path || '<root>'}: keyword ${key} cannot be carried into a CRD schema`)
  }
}
