// Runtime validation of a resource against its kind's schema, with the readable field paths
// and messages the API server would give. Standalone mode rejects what the API server would.
import { Value } from '@sinclair/typebox/value'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import type { TSchema } from '@sinclair/typebox'
import { API_VERSION, kindByName, type KindDefinition } from './index.js'
import { error, pointerToField, type Problem } from './problems.js'

/** A resource as read from a file or the API server: only the envelope is known. */
export interface ResourceObject {
  apiVersion?: unknown
  kind?: unknown
  metadata?: { name?: unknown; namespace?: unknown; [key: string]: unknown }
  spec?: unknown
  status?: unknown
  /** Secrets (apiVersion v1), which the compiler reads for API key values: base64 values. */
  data?: unknown
  /** Secrets: plain values (win over `data` for the same key). */
  stringData?: unknown
}

export type ValidationResult =
  | { ok: true; kind: KindDefinition; problems: [] }
  | { ok: false; kind: KindDefinition | undefined; problems: Problem[] }

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

export function validateResource(obj: ResourceObject): ValidationResult {
  if (obj.apiVersion !== API_VERSION) {
    return { ok: false, kind: undefined, problems: [error('apiVersion', 'InvalidApiVersion', `apiVersion must be ${API_VERSION}, got ${JSON.stringify(obj.apiVersion)}`)] }
  }
  const kind = typeof obj.kind === 'string' ? kindByName(obj.kind) : undefined
  if (!kind) {
    return { ok: false, kind: undefined, problems: [error('kind', 'UnknownKind', `unknown kind ${JSON.stringify(obj.kind)}`)] }
  }
  const problems: Problem[] = []
  const meta = obj.metadata
  if (!meta || typeof meta.name !== 'string' || !NAME.test(meta.name)) {
    problems.push(error('metadata.name', 'InvalidName', 'metadata.name must be a lowercase RFC 1123 subdomain name (a-z, 0-9, - and .)'))
  }
  if (meta && meta.namespace !== undefined && (typeof meta.namespace !== 'string' || !NAMESPACE.test(meta.namespace))) {
    problems.push(error('metadata.namespace', 'InvalidNamespace', 'metadata.namespace must be a lowercase RFC 1123 label'))
  }
  if (obj.spec === undefined) {
    problems.push(error('spec', 'Required', 'spec is required'))
  } else {
    const specProblems = schemaProblems(kind.spec, obj.spec, 'spec')
    problems.push(...specProblems)
    // Cross-field rules assume the types the schema guarantees, so they run only on a valid spec.
    if (specProblems.length === 0 && kind.check) problems.push(...kind.check(obj.spec))
  }
  return problems.length === 0 ? { ok: true, kind, problems: [] } : { ok: false, kind, problems }
}

/** Readable problems of `value` against `schema`; field paths are prefixed with `prefix`. */
export function schemaProblems(schema: TSchema, value: unknown, prefix: string): Problem[] {
  if (Value.Check(schema, value)) return []
  const seen = new Set<string>()
  const problems: Problem[] = []
  for (const found of Value.Errors(schema, value)) {
    const e = narrowUnion(found)
    const field = joinField(prefix, e.path)
    if (seen.has(field)) continue
    seen.add(field)
    problems.push(error(field, 'FieldValueInvalid', describe(e)))
    if (problems.length >= 20) break
  }
  return problems
}

/**
 * A union of shapes (a string or a list) fails as a whole; when exactly one variant has the JSON
 * type of the value, that variant's first error says what is wrong much better.
 */
function narrowUnion(e: ValueError): ValueError {
  if (e.type !== ValueErrorType.Union || literals(e.schema)) return e
  const variants = ((e.schema as { anyOf?: TSchema[] }).anyOf ?? []).map((v) => jsonType(v as { type?: unknown }))
  const matching = variants.map((t, i) => (t === jsonTypeOf(e.value) ? i : -1)).filter((i) => i >= 0)
  if (matching.length !== 1) return e
  const inner = e.errors[matching[0] as number]?.First()
  return inner ? narrowUnion(inner) : e
}

function jsonType(schema: { type?: unknown }): string | undefined {
  return schema.type === 'integer' ? 'number' : typeof schema.type === 'string' ? schema.type : undefined
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  return typeof value
}

function joinField(prefix: string, pointer: string): string {
  const rest = pointerToField(pointer)
  if (rest === '') return prefix
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`
}

function literals(schema: TSchema): unknown[] | undefined {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf
  if (!anyOf || !anyOf.every((s) => 'const' in s)) return undefined
  return anyOf.map((s) => (s as unknown as { const: unknown }).const)
}

function describe(e: ValueError): string {
  const s = e.schema as Record<string, unknown>
  switch (e.type) {
    case ValueErrorType.Union: {
      const values = literals(e.schema)
      if (values) return `must be one of ${values.join(', ')}; got ${JSON.stringify(e.value)}`
      const types = ((e.schema as { anyOf?: TSchema[] }).anyOf ?? []).map((v) => jsonType(v as { type?: unknown }) ?? 'value')
      return `must be ${types.map(article).join(' or ')}; got ${JSON.stringify(e.value)}`
    }
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required'
    case ValueErrorType.ObjectAdditionalProperties: {
      // A record (map) with a key pattern reports a bad key as an additional property.
      const keyPattern = Object.keys((s.patternProperties as object | undefined) ?? {})[0]
      if (keyPattern !== undefined) return `is not a valid key: keys must match ${keyPattern}`
      return 'is not a known field'
    }
    case ValueErrorType.StringPattern:
      return `must match ${String(s.pattern)}; got ${JSON.stringify(e.value)}`
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(s.maxLength)} characters`
    case ValueErrorType.StringMinLength:
      return `must be at least ${String(s.minLength)} characters`
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be at least ${String(s.minimum)}; got ${JSON.stringify(e.value)}`
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be at most ${String(s.maximum)}; got ${JSON.stringify(e.value)}`
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${String(s.maxItems)} items`
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(s.minItems)} item${s.minItems === 1 ? '' : 's'}`
    default:
      return `${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}; got ${JSON.stringify(e.value)}`
  }
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`
}
