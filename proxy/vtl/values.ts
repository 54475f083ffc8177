// The Java value model of the VTL engine. AWS runs Apache Velocity on the JVM, so every value a
// template touches is a Java object and prints the way Java's toString prints it:
//   String            JS string
//   Integer / Long    JS number holding an integer (arithmetic stays integral: 7 / 2 == 3)
//   Double            JDouble (prints as Double.toString: 1.0, 1.5, 1.0E10, 1.0E-5)
//   Boolean           JS boolean
//   List              JS array (prints [a, b]); a JsonList (a JSON array from $input.path /
//                     $util.parseJson) prints as compact JSON, as json-smart's JSONArray does
//   Map               JS Map, insertion ordered (prints {a=1, b=2})
//   null              null (an unresolved reference prints its own source text)
//   objects           HostObject ($input, $util, $foreach, map entries)

export class JDouble {
  constructor(readonly value: number) {}
}

/** A JSON array: a Java List whose toString is compact JSON (json-smart's JSONArray). */
export class JsonList extends Array<Value> {
  static fromItems(items: readonly Value[]): JsonList {
    const list = new JsonList()
    for (const item of items) list.push(item)
    return list
  }
}

/** A Java String[] (String.split): prints as Java prints an array, "[Ljava.lang.String;@hash". */
export class JavaArray extends Array<Value> {}

/** A Java object exposed to templates: properties (getters) and methods. */
export interface HostObject {
  readonly hostName: string
  property(name: string): Value | undefined
  call(name: string, args: readonly Value[]): Value | undefined
  toJava(): string
}

/** A #define block: renders its body when printed. */
export class DefinedBlock {
  constructor(readonly name: string, readonly render: () => string) {}
}

export type Value = string | number | boolean | JDouble | Value[] | Map<unknown, Value> | HostObject | DefinedBlock | null

export function isHost(v: unknown): v is HostObject {
  return typeof v === 'object' && v !== null && typeof (v as HostObject).hostName === 'string'
}

export function isNumber(v: Value): v is number | JDouble {
  return typeof v === 'number' || v instanceof JDouble
}

export function numeric(v: number | JDouble): number {
  return typeof v === 'number' ? v : v.value
}

/** Java's Double.toString: shortest digits, plain for 1e-3 <= |d| < 1e7, else d.dddE±n. */
export function doubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN'
  if (d === Infinity) return 'Infinity'
  if (d === -Infinity) return '-Infinity'
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0'
  const abs = Math.abs(d)
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d)
    if (s.includes('e')) return s // not reached in this range
    return s.includes('.') ? s : `${s}.0`
  }
  const [mantissa, exp] = d.toExponential().split('e') as [string, string]
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`
}

/** Java's toString of a value. */
export function toJava(v: Value): string {
  if (v === null) return 'null'
  switch (typeof v) {
    case 'string':
      return v
    case 'number':
      return Number.isInteger(v) ? String(v) : doubleToString(v)
    case 'boolean':
      return v ? 'true' : 'false'
  }
  if (v instanceof JDouble) return doubleToString(v.value)
  if (v instanceof JsonList) return toJson(v)
  if (v instanceof JavaArray) return `[Ljava.lang.String;@${identityHash(v)}`
  if (Array.isArray(v)) return `[${v.map(toJava).join(', ')}]`
  if (v instanceof Map) {
    const parts: string[] = []
    for (const [k, val] of v) parts.push(`${toJava(k as Value)}=${toJava(val)}`)
    return `{${parts.join(', ')}}`
  }
  if (v instanceof DefinedBlock) return v.render()
  return v.toJava()
}

function identityHash(list: readonly Value[]): string {
  let h = 7
  for (const item of list) for (const ch of toJava(item)) h = (Math.imul(31, h) + ch.charCodeAt(0)) | 0
  return (h >>> 0).toString(16)
}

function jsonString(s: string): string {
  return JSON.stringify(s)
}

/** Compact JSON of a value (json-smart style: no spaces). */
export function toJson(v: Value): string {
  if (v === null) return 'null'
  switch (typeof v) {
    case 'string':
      return jsonString(v)
    case 'number':
      return Number.isInteger(v) ? String(v) : doubleToString(v)
    case 'boolean':
      return v ? 'true' : 'false'
  }
  if (v instanceof JDouble) return doubleToString(v.value)
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`
  if (v instanceof Map) {
    const parts: string[] = []
    for (const [k, val] of v) parts.push(`${jsonString(toJava(k as Value))}:${toJson(val)}`)
    return `{${parts.join(',')}}`
  }
  return jsonString(toJava(v))
}

/** Velocity 1.7 truthiness: only null and false are false. */
export function truthy(v: Value): boolean {
  return v !== null && v !== false
}

/** Java equals(), as Velocity's == uses it (numbers compare by value, else same type and value). */
export function javaEquals(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b
  if (isNumber(a) && isNumber(b)) return numeric(a) === numeric(b)
  if (typeof a === 'string' || typeof b === 'string' || typeof a === 'boolean' || typeof b === 'boolean') return a === b
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => javaEquals(x, b[i]!))
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false
    for (const [k, v] of a) if (!b.has(k) || !javaEquals(v, b.get(k)!)) return false
    return true
  }
  return a === b
}

/** Velocity 1.7 ==: equals() for the same class, else toString() comparison. */
export function velocityEquals(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b
  if (isNumber(a) && isNumber(b)) return numeric(a) === numeric(b)
  const sameKind = typeof a === typeof b && Array.isArray(a) === Array.isArray(b) && a instanceof Map === b instanceof Map
  if (sameKind) return javaEquals(a, b)
  return toJava(a) === toJava(b)
}

/** A JS value (from JSON.parse or config) as a VTL value; objects become ordered Maps. */
export function fromJs(v: unknown): Value {
  if (v === null || v === undefined) return null
  if (typeof v === 'string' || typeof v === 'boolean') return v
  if (typeof v === 'number') return Number.isInteger(v) ? v : new JDouble(v)
  if (Array.isArray(v)) return v.map(fromJs)
  if (typeof v === 'object') {
    const m = new Map<unknown, Value>()
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) m.set(k, fromJs(val))
    return m
  }
  return String(v)
}
