// Java methods on the values templates hold: String, List, Map, numbers and booleans, with the
// JDK's results and exceptions (an exception fails the render, as Velocity's
// MethodInvocationException does). `undefined` means "no such method": Velocity then yields
// null, and the reference prints as written.
import { javaRegex, javaSplit, replaceRegex } from './java-regex.js'
import { isHost, isNumber, JDouble, javaEquals, JsonList, numeric, toJava, TooLarge, type HostObject, type Value } from './values.js'

export class JavaException extends Error {}

/** Bounds on what a method may build: string length and collection size. */
export interface Bounds {
  readonly maxChars: number
  readonly maxCollection: number
}

function checkLength(n: number, b: Bounds): void {
  if (n > b.maxChars) throw new TooLarge(`string larger than ${b.maxChars} characters`)
}

/** String.replace(target, replacement) with the result's size checked before it is built. */
function replaceLiteral(s: string, target: string, replacement: string, b: Bounds): string {
  let count = 0
  if (target === '') count = s.length + 1
  else for (let i = s.indexOf(target); i !== -1; i = s.indexOf(target, i + target.length)) count++
  checkLength(s.length + count * (replacement.length - target.length), b)
  return s.split(target).join(replacement)
}

function int(v: Value | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function checkIndex(i: number, size: number, what: string): void {
  if (i < 0 || i >= size) throw new JavaException(`${what}: Index ${i} out of bounds for length ${size}`)
}

/** Java's String.hashCode (32-bit). */
function hashCode(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}

/** Java's String.trim: strips chars <= U+0020. */
function javaTrim(s: string): string {
  let a = 0
  let b = s.length
  while (a < b && s.charCodeAt(a) <= 32) a++
  while (b > a && s.charCodeAt(b - 1) <= 32) b--
  return s.slice(a, b)
}

function stringMethod(s: string, name: string, args: readonly Value[], b: Bounds): Value | undefined {
  const [a, c] = args
  switch (`${name}/${args.length}`) {
    case 'length/0':
      return s.length
    case 'isEmpty/0':
      return s.length === 0
    case 'toString/0':
    case 'intern/0':
      return s
    case 'toLowerCase/0':
      return s.toLowerCase()
    case 'toUpperCase/0':
      return s.toUpperCase()
    case 'trim/0':
      return javaTrim(s)
    case 'strip/0':
      return s.trim()
    case 'isBlank/0':
      return s.trim().length === 0
    case 'hashCode/0':
      return hashCode(s)
    case 'equals/1':
      return typeof a === 'string' && a === s
    case 'equalsIgnoreCase/1':
      return typeof a === 'string' && a.toLowerCase() === s.toLowerCase()
    case 'contains/1':
      return a === null ? null : str(a) === undefined ? undefined : s.includes(a as string)
    case 'startsWith/1':
      return str(a) === undefined ? undefined : s.startsWith(a as string)
    case 'startsWith/2':
      return str(a) === undefined || int(c) === undefined ? undefined : s.startsWith(a as string, c as number)
    case 'endsWith/1':
      return str(a) === undefined ? undefined : s.endsWith(a as string)
    case 'indexOf/1':
      return str(a) === undefined ? undefined : s.indexOf(a as string)
    case 'indexOf/2':
      return str(a) === undefined || int(c) === undefined ? undefined : s.indexOf(a as string, Math.max(0, c as number))
    case 'lastIndexOf/1':
      return str(a) === undefined ? undefined : s.lastIndexOf(a as string)
    case 'charAt/1': {
      const i = int(a)
      if (i === undefined) return undefined
      if (i < 0 || i >= s.length) throw new JavaException(`String index out of range: ${i}`)
      return s[i]!
    }
    case 'substring/1': {
      const i = int(a)
      if (i === undefined) return undefined
      if (i < 0 || i > s.length) throw new JavaException(`begin ${i}, end ${s.length}, length ${s.length}`)
      return s.slice(i)
    }
    case 'substring/2': {
      const i = int(a)
      const j = int(c)
      if (i === undefined || j === undefined) return undefined
      if (i < 0 || j > s.length || i > j) throw new JavaException(`begin ${i}, end ${j}, length ${s.length}`)
      return s.slice(i, j)
    }
    case 'concat/1':
      if (str(a) === undefined) return undefined
      checkLength(s.length + (a as string).length, b)
      return s + (a as string)
    case 'replace/2':
      if (str(a) === undefined || str(c) === undefined) return undefined
      return replaceLiteral(s, a as string, c as string, b)
    case 'replaceAll/2':
      return str(a) === undefined || str(c) === undefined ? undefined : replaceRegex(s, a as string, c as string, true, b.maxChars)
    case 'replaceFirst/2':
      return str(a) === undefined || str(c) === undefined ? undefined : replaceRegex(s, a as string, c as string, false, b.maxChars)
    case 'matches/1':
      return str(a) === undefined ? undefined : javaRegex(a as string, false, true).test(s)
    case 'split/1':
      return str(a) === undefined ? undefined : javaSplit(s, a as string, 0, b.maxCollection)
    case 'split/2':
      return str(a) === undefined || int(c) === undefined ? undefined : javaSplit(s, a as string, c as number, b.maxCollection)
    case 'compareTo/1':
      if (str(a) === undefined) return undefined
      return compareStrings(s, a as string)
    case 'toCharArray/0':
      if (s.length > b.maxCollection) throw new TooLarge(`collection larger than ${b.maxCollection} elements`)
      return [...s]
  }
  return undefined
}

function compareStrings(x: string, y: string): number {
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x.charCodeAt(i) !== y.charCodeAt(i)) return x.charCodeAt(i) - y.charCodeAt(i)
  return x.length - y.length
}

function listMethod(list: Value[], name: string, args: readonly Value[], maxSize: number): Value | undefined {
  const [a, b] = args
  const grow = (n: number): void => {
    if (list.length + n > maxSize) throw new JavaException(`collection larger than ${maxSize} elements`)
  }
  switch (`${name}/${args.length}`) {
    case 'size/0':
      return list.length
    case 'isEmpty/0':
      return list.length === 0
    case 'get/1': {
      const i = int(a)
      if (i === undefined) return undefined
      checkIndex(i, list.length, 'get')
      return list[i]!
    }
    case 'contains/1':
      return list.some((x) => javaEquals(x, a!))
    case 'indexOf/1':
      return list.findIndex((x) => javaEquals(x, a!))
    case 'add/1':
      grow(1)
      list.push(a!)
      return true
    case 'add/2': {
      const i = int(a)
      if (i === undefined) return undefined
      if (i < 0 || i > list.length) checkIndex(i, list.length, 'add')
      grow(1)
      list.splice(i, 0, b!)
      return null
    }
    case 'addAll/1':
      if (!Array.isArray(a)) return undefined
      grow(a.length)
      list.push(...a)
      return a.length > 0
    case 'set/2': {
      const i = int(a)
      if (i === undefined) return undefined
      checkIndex(i, list.length, 'set')
      const old = list[i]!
      list[i] = b!
      return old
    }
    case 'remove/1': {
      const i = int(a)
      if (i !== undefined) {
        checkIndex(i, list.length, 'remove')
        return list.splice(i, 1)[0]!
      }
      const at = list.findIndex((x) => javaEquals(x, a!))
      if (at >= 0) list.splice(at, 1)
      return at >= 0
    }
    case 'clear/0':
      list.length = 0
      return null
    case 'subList/2': {
      const i = int(a)
      const j = int(b)
      if (i === undefined || j === undefined) return undefined
      if (i < 0 || j > list.length || i > j) throw new JavaException(`fromIndex ${i}, toIndex ${j}, size ${list.length}`)
      return list.slice(i, j)
    }
    case 'toString/0':
      return toJava(list)
    case 'equals/1':
      return javaEquals(list, a!)
  }
  return undefined
}

/** A Map.Entry from entrySet(). */
class Entry implements HostObject {
  readonly hostName = 'Entry'
  constructor(
    private readonly map: Map<unknown, Value>,
    readonly key: Value,
  ) {}
  property(name: string): Value | undefined {
    if (name === 'key') return this.key
    if (name === 'value') return this.map.get(this.key) ?? null
    return undefined
  }
  call(name: string, args: readonly Value[]): Value | undefined {
    if (args.length === 0 && name === 'getKey') return this.key
    if (args.length === 0 && name === 'getValue') return this.map.get(this.key) ?? null
    if (args.length === 1 && name === 'setValue') {
      const old = this.map.get(this.key) ?? null
      this.map.set(this.key, args[0]!)
      return old
    }
    if (args.length === 0 && name === 'toString') return this.toJava()
    return undefined
  }
  toJava(): string {
    return `${toJava(this.key)}=${toJava(this.map.get(this.key) ?? null)}`
  }
}

function mapMethod(map: Map<unknown, Value>, name: string, args: readonly Value[], maxSize: number): Value | undefined {
  const [a, b] = args
  switch (`${name}/${args.length}`) {
    case 'get/1':
      return map.get(a) ?? null
    case 'getOrDefault/2':
      return map.has(a) ? map.get(a)! : b!
    case 'put/2': {
      if (!map.has(a) && map.size >= maxSize) throw new JavaException(`map larger than ${maxSize} entries`)
      const old = map.get(a) ?? null
      map.set(a, b!)
      return old
    }
    case 'putAll/1':
      if (!(a instanceof Map)) return undefined
      if (map.size + a.size > maxSize) throw new JavaException(`map larger than ${maxSize} entries`)
      for (const [k, v] of a) map.set(k, v)
      return null
    case 'containsKey/1':
      return map.has(a)
    case 'containsValue/1':
      return [...map.values()].some((v) => javaEquals(v, a!))
    case 'keySet/0':
      return [...map.keys()] as Value[]
    case 'values/0':
      return [...map.values()]
    case 'entrySet/0':
      return [...map.keys()].map((k) => new Entry(map, k as Value))
    case 'size/0':
      return map.size
    case 'isEmpty/0':
      return map.size === 0
    case 'remove/1': {
      const old = map.get(a) ?? null
      map.delete(a)
      return old
    }
    case 'clear/0':
      map.clear()
      return null
    case 'toString/0':
      return toJava(map)
    case 'equals/1':
      return javaEquals(map, a!)
  }
  return undefined
}

function numberMethod(n: number | JDouble, name: string, args: readonly Value[]): Value | undefined {
  const v = numeric(n)
  switch (`${name}/${args.length}`) {
    case 'toString/0':
      return toJava(n)
    case 'intValue/0':
    case 'longValue/0':
      return Math.trunc(v)
    case 'doubleValue/0':
    case 'floatValue/0':
      return new JDouble(v)
    case 'equals/1':
      return isNumber(args[0]!) && (typeof args[0] === 'number') === (typeof n === 'number') && numeric(args[0]) === v
    case 'compareTo/1':
      return isNumber(args[0]!) ? Math.sign(v - numeric(args[0])) : undefined
  }
  return undefined
}

/** Calls a Java method on a value; undefined when the value has no such method. */
export function callMethod(target: Value, name: string, args: readonly Value[], bounds: Bounds): Value | undefined {
  if (typeof target === 'string') return stringMethod(target, name, args, bounds)
  if (target instanceof JsonList || Array.isArray(target)) return listMethod(target, name, args, bounds.maxCollection)
  if (target instanceof Map) return mapMethod(target, name, args, bounds.maxCollection)
  if (isNumber(target)) return numberMethod(target, name, args)
  if (typeof target === 'boolean') {
    if (name === 'toString' && args.length === 0) return String(target)
    if (name === 'booleanValue' && args.length === 0) return target
    if (name === 'equals' && args.length === 1) return args[0] === target
    return undefined
  }
  if (isHost(target)) {
    const r = target.call(name, args)
    if (r !== undefined) return r
    if (name === 'toString' && args.length === 0) return target.toJava()
    return undefined
  }
  return undefined
}

/** `$x.name`: a map key, a host object's property, or a JavaBean getter (getName / isName). */
export function getProperty(target: Value, name: string, bounds: Bounds): Value {
  if (target instanceof Map) {
    if (target.has(name)) return target.get(name)!
    if (name === 'empty') return target.size === 0
    return null
  }
  if (isHost(target)) {
    const v = target.property(name)
    if (v !== undefined) return v
  }
  const cap = name.charAt(0).toUpperCase() + name.slice(1)
  const viaGetter = callMethod(target, `get${cap}`, [], bounds) ?? callMethod(target, `is${cap}`, [], bounds)
  if (viaGetter !== undefined) return viaGetter
  return null
}
