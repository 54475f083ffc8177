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
    problems.push(...schemaProblems(kind.spec, obj.spec, 'spec'))
  }
  return problems.length === 0 ? { ok: true, kind, problems: [] } : { ok: false, kind, problems }
}

/** Readable problems of `value` against `schema`; field paths are prefixed with `prefix`. */
export function schemaProblems(schema: TSchema, value: unknown, prefix: string): Problem[] {
  if (Value.Check(schema, value)) return []
  const seen = new Set<string>()
  const problems: Problem[] = []
  for (const e of Value.Errors(schema, value)) {
    const field = joinField(prefix, e.path)
    if (seen.has(field)) continue
    seen.add(field)
    problems.push(error(field, 'FieldValueInvalid', describe(e)))
    if (problems.length >= 20) break
  }
  return problems
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
      return `has an invalid value ${JSON.stringify(e.value)}`
    }
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required'
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a known field'
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
    default:
      return `${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}; got ${JSON.stringify(e.value)}`
  }
}
