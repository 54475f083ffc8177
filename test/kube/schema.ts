// Structural OpenAPI v3 schemas of custom resources: pruning of unknown fields, defaulting and
// validation, in the order the apiextensions server applies them (prune → default → validate).
// CEL rules (x-kubernetes-validations) and most `format`s are not evaluated.
import { isObject, clone, deepEqual, type Json, type JsonObject } from './patch.js'
import type { FieldError } from './status.js'

export interface Schema {
  type?: string
  properties?: Record<string, Schema>
  additionalProperties?: Schema | boolean
  items?: Schema
  required?: string[]
  enum?: Json[]
  default?: Json
  nullable?: boolean
  minimum?: number
  maximum?: number
  exclusiveMinimum?: boolean
  exclusiveMaximum?: boolean
  minLength?: number
  maxLength?: number
  pattern?: string
  minItems?: number
  maxItems?: number
  minProperties?: number
  maxProperties?: number
  allOf?: Schema[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  not?: Schema
  'x-kubernetes-preserve-unknown-fields'?: boolean
  'x-kubernetes-int-or-string'?: boolean
  'x-kubernetes-embedded-resource'?: boolean
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map'
  'x-kubernetes-list-map-keys'?: string[]
  'x-kubernetes-map-type'?: 'atomic' | 'granular'
}

/** The schema of a child: a property, an additionalProperties value, or undefined (unknown). */
export function childSchema(s: Schema | undefined, key: string): Schema | undefined {
  if (!s) return undefined
  if (s.properties && key in s.properties) return s.properties[key]
  if (isObject(s.additionalProperties as unknown)) return s.additionalProperties as Schema
  return undefined
}

function preserves(s: Schema | undefined): boolean {
  return s === undefined || s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true
}

/** Removes fields the schema does not know. The root's apiVersion, kind and metadata are kept. */
export function prune(value: Json, s: Schema | undefined, root = false): Json {
  if (Array.isArray(value)) return value.map((v) => prune(v, s?.items))
  if (!isObject(value)) return value
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(value)) {
    if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) {
      out[k] = v
      continue
    }
    const cs = childSchema(s, k)
    if (cs === undefined) {
      if (preserves(s)) out[k] = v
      continue
    }
    out[k] = s?.['x-kubernetes-embedded-resource'] ? v : prune(v, cs)
  }
  return out
}

/** Fills in `default`s of absent properties (recursively, inside objects that exist). */
export function applyDefaults(value: Json, s: Schema | undefined): Json {
  if (!s) return value
  if (Array.isArray(value)) return value.map((v) => applyDefaults(v, s.items))
  if (!isObject(value)) return value
  const out: JsonObject = { ...value }
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    if (!(k in out) && ps.default !== undefined) out[k] = clone(ps.default)
    if (k in out) out[k] = applyDefaults(out[k]!, ps)
  }
  if (isObject(s.additionalProperties as unknown)) {
    for (const k of Object.keys(out)) if (!s.properties || !(k in s.properties)) out[k] = applyDefaults(out[k]!, s.additionalProperties as Schema)
  }
  return out
}

function typeOf(v: Json): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

function typeMatches(v: Json, type: string): boolean {
  const t = typeOf(v)
  if (type === 'number') return t === 'number' || t === 'integer'
  return t === type
}

/** Validates against the schema; paths are rendered as `spec.routes[0].path`. */
export function validate(value: Json, s: Schema | undefined, path: string, errors: FieldError[] = []): FieldError[] {
  if (!s) return errors
  const at = path
  if (value === null) {
    if (!s.nullable && s.type) errors.push({ type: 'FieldValueTypeInvalid', field: at, value: null, detail: `${at} in body must be of type ${s.type}: "null"` })
    return errors
  }
  if (s['x-kubernetes-int-or-string']) {
    const t = typeOf(value)
    if (t !== 'integer' && t !== 'string') errors.push({ type: 'FieldValueTypeInvalid', field: at, value, detail: `${at} in body must be of type integer,string: "${t}"` })
  } else if (s.type && !typeMatches(value, s.type)) {
    errors.push({ type: 'FieldValueTypeInvalid', field: at, value: typeOf(value), detail: `${at} in body must be of type ${s.type}: "${typeOf(value)}"` })
    return errors
  }
  if (s.enum && !s.enum.some((e) => deepEqual(e, value))) {
    errors.push({ type: 'FieldValueNotSupported', field: at, value, detail: `supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` })
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum))
      errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}` })
    if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum))
      errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}` })
  }
  if (typeof value === 'string') {
    const len = [...value].length
    if (s.maxLength !== undefined && len > s.maxLength) errors.push({ type: 'FieldValueTooLong', field: at, detail: `may not be more than ${s.maxLength} bytes` })
    if (s.minLength !== undefined && len < s.minLength) errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body should be at least ${s.minLength} chars long` })
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body should match '${s.pattern}'` })
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems) errors.push({ type: 'FieldValueTooLong', field: at, detail: `must have at most ${s.maxItems} items` })
    if (s.minItems !== undefined && value.length < s.minItems) errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body should have at least ${s.minItems} items` })
    value.forEach((v, i) => validate(v, s.items, `${at}[${i}]`, errors))
    const listType = s['x-kubernetes-list-type']
    if (listType === 'set') {
      value.forEach((v, i) => {
        if (value.slice(0, i).some((w) => deepEqual(v, w))) errors.push({ type: 'FieldValueDuplicate', field: `${at}[${i}]`, value: v, detail: '' })
      })
    } else if (listType === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? []
      const seen: Json[] = []
      value.forEach((v, i) => {
        if (!isObject(v)) return
        const k = keys.map((key) => v[key] ?? null)
        if (seen.some((w) => deepEqual(w, k))) errors.push({ type: 'FieldValueDuplicate', field: `${at}[${i}]`, value: v, detail: '' })
        seen.push(k)
      })
    }
  }
  if (isObject(value)) {
    for (const r of s.required ?? []) if (!(r in value)) errors.push({ type: 'FieldValueRequired', field: at ? `${at}.${r}` : r, detail: '' })
    const n = Object.keys(value).length
    if (s.maxProperties !== undefined && n > s.maxProperties) errors.push({ type: 'FieldValueTooLong', field: at, detail: `must have at most ${s.maxProperties} items` })
    if (s.minProperties !== undefined && n < s.minProperties) errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body should have at least ${s.minProperties} properties` })
    for (const [k, v] of Object.entries(value)) {
      if (path === '' && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue
      const cs = childSchema(s, k)
      if (cs) validate(v, cs, at ? `${at}.${k}` : k, errors)
    }
  }
  for (const sub of s.allOf ?? []) validate(value, sub, path, errors)
  if (s.anyOf && !s.anyOf.some((sub) => validate(value, sub, path).length === 0))
    errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body must match at least one schema (anyOf)` })
  if (s.oneOf && s.oneOf.filter((sub) => validate(value, sub, path).length === 0).length !== 1)
    errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body must match exactly one schema (oneOf)` })
  if (s.not && validate(value, s.not, path).length === 0)
    errors.push({ type: 'FieldValueInvalid', field: at, value, detail: `${at} in body should not match the schema` })
  return errors
}
