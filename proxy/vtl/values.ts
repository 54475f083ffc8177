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

/**
 * A value too large to print or compare within its bound. Shared structure can make a small
 * template build a value whose printed form is exponential in size: printing and equality are
 * therefore bounded, not just the final output.
 */
export class TooLarge extends Error {}

/** Bound of toJava / toJson when the caller gives none. */
export const PRINT_LIMIT = 16 * 1024 * 1024

class Writer {
  private readonly parts: string[] = []
  private size = 0
  constructor(private readonly max: number) {}
  push(s: string): void {
    this.size += s.length
    if (this.size > this.max) throw new TooLarge(`value larger than ${this.max} characters`)
    this.parts.push(s)
  }
  text(): string {
    return this.parts.join('')
  }
}

function scalar(v: Value): string | undefined {
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
  return undefined
}

function writeJava(v: Value, w: Writer): void {
  const s = scalar(v)
  if (s !== undefined) return w.push(s)
  if (v instanceof JsonList) return writeJson(v, w)
  if (v instanceof JavaArray) return w.push(`[Ljava.lang.String;@${identityHash(v)}`)
  if (Array.isArray(v)) {
    w.push('[')
    v.forEach((item, i) => {
      if (i > 0) w.push(', ')
      writeJava(item, w)
    })
    return w.push(']')
  }
  if (v instanceof Map) {
    w.push('{')
    let first = true
    for (const [k, val] of v) {
      if (!first) w.push(', ')
      first = false
      writeJava(k as Value, w)
      w.push('=')
      writeJava(val, w)
    }
    return w.push('}')
  }
  if (v instanceof DefinedBlock) return w.push(v.render())
  return w.push((v as HostObject).toJava())
}

function writeJson(v: Value, w: Writer): void {
  if (typeof v === 'string') return w.push(JSON.stringify(v))
  const s = scalar(v)
  if (s !== undefined) return w.push(s)
  if (Array.isArray(v)) {
    w.push('[')
    v.forEach((item, i) => {
      if (i > 0) w.push(',')
      writeJson(item, w)
    })
    return w.push(']')
  }
  if (v instanceof Map) {
    w.push('{')
    let first = true
    for (const [k, val] of v) {
      if (!first) w.push(',')
      first = false
      w.push(JSON.stringify(toJava(k as Value)))
      w.push(':')
      writeJson(val, w)
    }
    return w.push('}')
  }
  return w.push(JSON.stringify(toJava(v)))
}

/** Java's toString of a value; throws TooLarge past `max` characters. */
export function toJava(v: Value, max = PRINT_LIMIT): string {
  if (typeof v === 'string') return v
  const w = new Writer(max)
  writeJava(v, w)
  return w.text()
}

/** Compact JSON of a value (json-smart style: no spaces); throws TooLarge past `max` characters. */
export function toJson(v: Value, max = PRINT_LIMIT): string {
  const w = new Writer(max)
  writeJson(v, w)
  return w.text()
}

function identityHash(list: readonly Value[]): string {
  let h = 7
  for (const item of list) for (const ch of toJava(item)) h = (Math.imul(31, h) + ch.charCodeAt(0)) | 0
  return (h >>> 0).toString(16)
}

/** Velocity 1.7 truthiness: only null and false are false. */
export function truthy(v: Value): boolean {
  return v !== null && v !== false
}

const EQUALS_STEPS = 1_000_000

/** Java equals(), as Velocity's == uses it (numbers compare by value, else same type and value). */
export function javaEquals(a: Value, b: Value, steps = { n: 0 }): boolean {
  if (++steps.n > EQUALS_STEPS) throw new TooLarge(`comparison of values larger than ${EQUALS_STEPS} elements`)
  if (a === b) return true
  if (a === null || b === null) return a === b
  if (isNumber(a) && isNumber(b)) return numeric(a) === numeric(b)
  if (typeof a === 'string' || typeof b === 'string' || typeof a === 'boolean' || typeof b === 'boolean') return a === b
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => javaEquals(x, b[i]!, steps))
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false
    for (const [k, v] of a) if (!b.has(k) || !javaEquals(v, b.get(k)!, steps)) return false
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
