// $context.error.validationErrorString of a body that failed validation: what API Gateway's
// validator (the Java json-schema-validator, "fge") reports, in its words and in its order.
// ajv decides whether a body is valid (models.ts); this runs only when it is not, walking the
// model the way that validator walks it, so the string reads as it does on AWS:
//
//   [object has missing required properties (["name"])]
//   [instance type (string) does not match any allowed primitive type (allowed: ["integer"])]
//   [numeric instance is lower than the required minimum (minimum: 25, found: 20), instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]
//
// The walk (fge's InstanceValidator, not in "deep check" mode):
//   - `$ref` is followed first; keywords beside it are ignored (draft 4);
//   - the keywords that apply to the value's type run in the order of their names, each adding
//     at most one message (the table below holds the messages, with fge's arguments);
//   - only while no message has been reported at all does the walk go into the value's
//     children: object members in the order of their names (each against properties[name],
//     the matching patternProperties, else additionalProperties), array elements in order;
//   - allOf / anyOf / oneOf / not validate their subschemas apart and add one message each.
// Values print as Jackson prints them (compact JSON), except that a number prints as
// JavaScript prints it (25.0 in a model prints 25; 1.0 in a body counts as an integer).
import { FORMATS } from './formats.js'
import { isObject, modelReference, resolvePointer, type JsonObject } from './schema-walk.js'

type Report = string[]

/** Where a schema sits: the model whose document it is in (for "#/..." references). */
interface At {
  readonly model: string
  readonly schema: unknown
}

/** fge's NodeType order (the "allowed" list prints in it). */
const TYPE_ORDER = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'] as const

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value === 'object' ? 'object' : typeof value
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null'
}

function num(value: unknown): string {
  return String(value)
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]))
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]))
  }
  return false
}

function codePoints(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

function regex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern)
  } catch {
    return null
  }
}

type Check = (schema: JsonObject, value: unknown, report: Report, walker: Walker, at: At) => void

/** The keyword validators, by keyword name, and the types they apply to (null: all). Sorted by name. */
const KEYWORDS: ReadonlyArray<readonly [string, ReadonlySet<string> | null, Check]> = [
  [
    'additionalItems',
    new Set(['array']),
    (s, v, report) => {
      if (s.additionalItems === false && Array.isArray(s.items) && (v as unknown[]).length > s.items.length) {
        report.push(`schema only allows ${s.items.length} elements in array but instance has ${(v as unknown[]).length} elements`)
      }
    },
  ],
  [
    'additionalProperties',
    new Set(['object']),
    (s, v, report) => {
      if (s.additionalProperties !== false) return
      const properties = isObject(s.properties) ? s.properties : {}
      const patterns = isObject(s.patternProperties) ? Object.keys(s.patternProperties).map(regex) : []
      const extra = Object.keys(v as JsonObject)
        .filter((k) => !Object.hasOwn(properties, k) && !patterns.some((p) => p?.test(k)))
        .sort()
      if (extra.length > 0) report.push(`object instance has properties which are not allowed by the schema: ${json(extra)}`)
    },
  ],
  [
    'allOf',
    null,
    (s, v, report, w, at) => {
      if (!Array.isArray(s.allOf)) return
      const matched = w.matches(s.allOf, v, at)
      if (matched !== s.allOf.length) report.push(`instance failed to match all required schemas (matched only ${matched} out of ${s.allOf.length})`)
    },
  ],
  [
    'anyOf',
    null,
    (s, v, report, w, at) => {
      if (Array.isArray(s.anyOf) && w.matches(s.anyOf, v, at) === 0) report.push(`instance failed to match at least one required schema among ${s.anyOf.length}`)
    },
  ],
  [
    'dependencies',
    new Set(['object']),
    (s, v, report, w, at) => {
      if (!isObject(s.dependencies)) return
      const value = v as JsonObject
      for (const name of Object.keys(s.dependencies).sort()) {
        if (!Object.hasOwn(value, name)) continue
        const dep = s.dependencies[name]
        if (Array.isArray(dep)) {
          const missing = dep.filter((d) => typeof d === 'string' && !Object.hasOwn(value, d))
          if (missing.length > 0) report.push(`property "${name}" of object has missing property dependencies (schema requires ${json(dep)}; missing: ${json(missing)})`)
        } else if (isObject(dep)) {
          w.process(report, { model: at.model, schema: dep }, v)
        }
      }
    },
  ],
  [
    'enum',
    null,
    (s, v, report) => {
      if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, v))) report.push(`instance value (${json(v)}) not found in enum (possible values: ${json(s.enum)})`)
    },
  ],
  [
    'format',
    new Set(['string']),
    (s, v, report) => {
      const format = typeof s.format === 'string' ? FORMATS.get(s.format) : undefined
      if (format !== undefined && !format.check(v as string)) report.push(format.message(v as string))
    },
  ],
  [
    'maxItems',
    new Set(['array']),
    (s, v, report) => {
      const n = (v as unknown[]).length
      if (typeof s.maxItems === 'number' && n > s.maxItems) report.push(`array is too long: must have at most ${s.maxItems} elements but instance has ${n} elements`)
    },
  ],
  [
    'maxLength',
    new Set(['string']),
    (s, v, report) => {
      const n = codePoints(v as string)
      if (typeof s.maxLength === 'number' && n > s.maxLength) report.push(`string "${v as string}" is too long (length: ${n}, maximum allowed: ${s.maxLength})`)
    },
  ],
  [
    'maxProperties',
    new Set(['object']),
    (s, v, report) => {
      const n = Object.keys(v as JsonObject).length
      if (typeof s.maxProperties === 'number' && n > s.maxProperties) report.push(`object has too many properties (found ${n} but schema requires at most ${s.maxProperties})`)
    },
  ],
  [
    'maximum',
    new Set(['integer', 'number']),
    (s, v, report) => {
      if (typeof s.maximum !== 'number') return
      const n = v as number
      if (n > s.maximum) report.push(`numeric instance is greater than the required maximum (maximum: ${num(s.maximum)}, found: ${num(n)})`)
      else if (n === s.maximum && s.exclusiveMaximum === true) report.push(`numeric instance is not strictly lower than the required maximum ${num(s.maximum)}`)
    },
  ],
  [
    'minItems',
    new Set(['array']),
    (s, v, report) => {
      const n = (v as unknown[]).length
      if (typeof s.minItems === 'number' && n < s.minItems) report.push(`array is too short: must have at least ${s.minItems} elements but instance has ${n} elements`)
    },
  ],
  [
    'minLength',
    new Set(['string']),
    (s, v, report) => {
      const n = codePoints(v as string)
      if (typeof s.minLength === 'number' && n < s.minLength) report.push(`string "${v as string}" is too short (length: ${n}, required minimum: ${s.minLength})`)
    },
  ],
  [
    'minProperties',
    new Set(['object']),
    (s, v, report) => {
      const n = Object.keys(v as JsonObject).length
      if (typeof s.minProperties === 'number' && n < s.minProperties) report.push(`object has too few properties (found ${n} but schema requires at least ${s.minProperties})`)
    },
  ],
  [
    'minimum',
    new Set(['integer', 'number']),
    (s, v, report) => {
      if (typeof s.minimum !== 'number') return
      const n = v as number
      if (n < s.minimum) report.push(`numeric instance is lower than the required minimum (minimum: ${num(s.minimum)}, found: ${num(n)})`)
      else if (n === s.minimum && s.exclusiveMinimum === true) report.push(`numeric instance is not strictly greater than the required minimum ${num(s.minimum)}`)
    },
  ],
  [
    'multipleOf',
    new Set(['integer', 'number']),
    (s, v, report) => {
      if (typeof s.multipleOf !== 'number' || s.multipleOf <= 0) return
      const quotient = (v as number) / s.multipleOf
      if (!Number.isInteger(quotient)) report.push(`remainder of division is not zero (${num(v)} / ${num(s.multipleOf)})`)
    },
  ],
  [
    'not',
    null,
    (s, v, report, w, at) => {
      if (isObject(s.not) && w.matches([s.not], v, at) === 1) report.push('instance matched a schema which it should not have')
    },
  ],
  [
    'oneOf',
    null,
    (s, v, report, w, at) => {
      if (!Array.isArray(s.oneOf)) return
      const matched = w.matches(s.oneOf, v, at)
      if (matched !== 1) report.push(`instance failed to match exactly one schema (matched ${matched} out of ${s.oneOf.length})`)
    },
  ],
  [
    'pattern',
    new Set(['string']),
    (s, v, report) => {
      if (typeof s.pattern !== 'string') return
      const re = regex(s.pattern)
      if (re !== null && !re.test(v as string)) report.push(`ECMA 262 regex "${s.pattern}" does not match input string "${v as string}"`)
    },
  ],
  [
    'required',
    new Set(['object']),
    (s, v, report) => {
      if (!Array.isArray(s.required)) return
      const missing = [...new Set(s.required)].filter((r) => typeof r === 'string' && !Object.hasOwn(v as JsonObject, r))
      if (missing.length > 0) report.push(`object has missing required properties (${json(missing)})`)
    },
  ],
  [
    'type',
    null,
    (s, v, report) => {
      const declared = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : null
      if (declared === null) return
      const allowed = new Set(declared)
      if (allowed.has('number')) allowed.add('integer')
      const found = typeOf(v)
      if (!allowed.has(found)) {
        const list = TYPE_ORDER.filter((t) => allowed.has(t))
        report.push(`instance type (${found}) does not match any allowed primitive type (allowed: ${json(list)})`)
      }
    },
  ],
  [
    'uniqueItems',
    new Set(['array']),
    (s, v, report) => {
      if (s.uniqueItems !== true) return
      const items = v as unknown[]
      if (items.some((x, i) => items.some((y, j) => j > i && equal(x, y)))) report.push('array must not contain duplicate elements')
    },
  ],
]

/** Resolving `$ref`s this deep without reaching a schema means a loop (the compiler refuses those). */
const MAX_REF_HOPS = 64

class Walker {
  constructor(private readonly models: (model: string) => unknown) {}

  /** How many of `schemas` the value matches, each checked apart. */
  matches(schemas: readonly unknown[], value: unknown, at: At): number {
    let n = 0
    for (const schema of schemas) {
      const sub: Report = []
      this.process(sub, { model: at.model, schema }, value)
      if (sub.length === 0) n++
    }
    return n
  }

  process(report: Report, start: At, value: unknown): void {
    const at = this.dereference(start)
    if (at === null || !isObject(at.schema)) return
    const schema = at.schema
    const type = typeOf(value)
    for (const [keyword, types, check] of KEYWORDS) {
      if (schema[keyword] === undefined || (types !== null && !types.has(type))) continue
      check(schema, value, report, this, at)
    }
    if (report.length > 0) return
    if (Array.isArray(value)) this.items(report, at, schema, value)
    else if (isObject(value)) this.members(report, at, schema, value)
  }

  private items(report: Report, at: At, schema: JsonObject, value: unknown[]): void {
    const { items, additionalItems } = schema
    value.forEach((element, i) => {
      let sub: unknown
      if (isObject(items)) sub = items
      else if (Array.isArray(items)) sub = i < items.length ? items[i] : isObject(additionalItems) ? additionalItems : undefined
      if (sub !== undefined) this.process(report, { model: at.model, schema: sub }, element)
    })
  }

  private members(report: Report, at: At, schema: JsonObject, value: JsonObject): void {
    const properties = isObject(schema.properties) ? schema.properties : {}
    const patterns = isObject(schema.patternProperties) ? Object.entries(schema.patternProperties) : []
    for (const name of Object.keys(value).sort()) {
      const subs: unknown[] = []
      if (Object.hasOwn(properties, name)) subs.push(properties[name])
      for (const [pattern, sub] of patterns) if (regex(pattern)?.test(name)) subs.push(sub)
      if (subs.length === 0 && isObject(schema.additionalProperties)) subs.push(schema.additionalProperties)
      for (const sub of subs) this.process(report, { model: at.model, schema: sub }, value[name])
    }
  }

  /** Follows `$ref` ("#/pointer" in the same model, or a model reference) to a schema. */
  private dereference(at: At): At | null {
    let current = at
    for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
      if (!isObject(current.schema) || typeof current.schema.$ref !== 'string') return current
      const ref = current.schema.$ref
      // A model reference in API Gateway's form, or as models.ts rewrote it (same form).
      const target = ref.startsWith('#') ? { model: current.model, fragment: ref } : modelReference(ref)
      if (target === null) return null
      const root = this.models(target.model)
      if (root === undefined) return null
      current = { model: target.model, schema: resolvePointer(root, target.fragment) }
    }
    return null
  }
}

/**
 * The messages for `value`, which failed model `model`; `models` gives a model's (normalized)
 * schema by name. Empty when the walk finds nothing (ajv and the walk disagree on a keyword).
 */
export function explain(models: (model: string) => unknown, model: string, value: unknown): string[] {
  const report: Report = []
  new Walker(models).process(report, { model, schema: models(model) }, value)
  return report
}

/** The validationErrorString of messages: "[first, second]", as the validator's report prints. */
export function validationErrorString(messages: readonly string[]): string {
  return `[${messages.join(', ')}]`
}
