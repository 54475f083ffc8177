// JSON as Java sees it in API Gateway templates: objects become ordered maps, arrays JsonLists
// (printed as JSON, as json-smart's JSONArray), integers Integer/Long, numbers with a fraction or
// exponent Double (so 1.0 stays 1.0). And the JSONPath subset templates use: $, .name, ['name'],
// [n], [-n], [*], .*, ..name, unions [0,2] / ['a','b'], slices [1:3], and filters
// [?(@.a.b)], [?(@.a op literal)] with == != < <= > >= (literal: number, 'string', true, false,
// null); a path with a wildcard, deep scan, union, slice or filter yields a list of every match.
import { JDouble, JsonList, type Value } from './values.js'

export class JsonError extends Error {}

class JsonParser {
  private pos = 0
  constructor(private readonly s: string) {}

  parseDocument(): Value {
    const v = this.value()
    this.ws()
    if (this.pos !== this.s.length) this.fail('unexpected text after the JSON value')
    return v
  }

  private fail(message: string): never {
    throw new JsonError(`${message} at position ${this.pos}`)
  }

  private ws(): void {
    while (this.pos < this.s.length && ' \t\n\r'.includes(this.s[this.pos]!)) this.pos++
  }

  private value(): Value {
    this.ws()
    const c = this.s[this.pos]
    if (c === '{') {
      this.pos++
      const map = new Map<unknown, Value>()
      this.ws()
      if (this.s[this.pos] === '}') {
        this.pos++
        return map
      }
      for (;;) {
        this.ws()
        if (this.s[this.pos] !== '"') this.fail('expected a string key')
        const key = this.string()
        this.ws()
        if (this.s[this.pos] !== ':') this.fail('expected :')
        this.pos++
        map.set(key, this.value())
        this.ws()
        const d = this.s[this.pos++]
        if (d === '}') return map
        if (d !== ',') this.fail('expected , or }')
      }
    }
    if (c === '[') {
      this.pos++
      const list = new JsonList()
      this.ws()
      if (this.s[this.pos] === ']') {
        this.pos++
        return list
      }
      for (;;) {
        list.push(this.value())
        this.ws()
        const d = this.s[this.pos++]
        if (d === ']') return list
        if (d !== ',') this.fail('expected , or ]')
      }
    }
    if (c === '"') return this.string()
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400))
    if (m !== null) {
      this.pos += m[0].length
      const n = Number(m[0])
      return m[1] !== undefined || m[2] !== undefined || !Number.isSafeInteger(n) ? new JDouble(n) : n
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length
        return v
      }
    }
    this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`)
  }

  private string(): string {
    const start = this.pos
    this.pos++
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]
      if (c === '\\') this.pos += 2
      else if (c === '"') {
        this.pos++
        try {
          return JSON.parse(this.s.slice(start, this.pos)) as string
        } catch {
          this.fail('invalid string')
        }
      } else this.pos++
    }
    this.fail('unterminated string')
  }
}

export function parseJson(text: string): Value {
  return new JsonParser(text).parseDocument()
}

type Scalar = string | number | boolean | null
type Step =
  | { k: 'key'; name: string }
  | { k: 'index'; i: number }
  | { k: 'all' }
  | { k: 'deep'; name: string | null }
  | { k: 'keys'; names: string[] }
  | { k: 'indexes'; list: number[] }
  | { k: 'slice'; from: number | null; to: number | null }
  | { k: 'filter'; path: string[]; op: string | null; value: Scalar }

const FILTER = /^\?\(\s*@((?:\.[A-Za-z_$][\w$-]*)*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)$/

function filterLiteral(text: string, path: string): Scalar {
  if (/^'.*'$|^".*"$/.test(text)) return text.slice(1, -1)
  if (text === 'true' || text === 'false') return text === 'true'
  if (text === 'null') return null
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text)
  throw new JsonError(`JSONPath ${JSON.stringify(path)}: unsupported filter value ${text}`)
}

export function parseJsonPath(path: string): Step[] {
  const p = path.trim()
  if (!p.startsWith('$')) throw new JsonError(`JSONPath ${JSON.stringify(path)} must start with $`)
  const steps: Step[] = []
  let i = 1
  while (i < p.length) {
    if (p.startsWith('..', i)) {
      i += 2
      if (p[i] === '*') {
        i++
        steps.push({ k: 'deep', name: null })
        continue
      }
      const m = /^[^.[\]]+/.exec(p.slice(i))
      if (m === null) throw new JsonError(`JSONPath ${JSON.stringify(path)}: expected a name after ..`)
      steps.push({ k: 'deep', name: m[0] })
      i += m[0].length
    } else if (p[i] === '.') {
      i++
      if (p[i] === '*') {
        i++
        steps.push({ k: 'all' })
        continue
      }
      const m = /^[^.[\]]+/.exec(p.slice(i))
      if (m === null) throw new JsonError(`JSONPath ${JSON.stringify(path)}: expected a name after .`)
      steps.push({ k: 'key', name: m[0] })
      i += m[0].length
    } else if (p[i] === '[') {
      const close = p.startsWith('[?(', i) ? p.indexOf(')]', i) + 1 : p.indexOf(']', i)
      if (close <= 0) throw new JsonError(`JSONPath ${JSON.stringify(path)}: missing ]`)
      const inner = p.slice(i + 1, close).trim()
      i = close + 1
      const filter = FILTER.exec(inner)
      if (filter !== null) {
        const keys = filter[1] === '' ? [] : filter[1]!.slice(1).split('.')
        steps.push({ k: 'filter', path: keys, op: filter[2] ?? null, value: filter[3] === undefined ? null : filterLiteral(filter[3].trim(), path) })
        continue
      }
      const slice = /^(-?\d*)\s*:\s*(-?\d*)$/.exec(inner)
      if (slice !== null) {
        steps.push({ k: 'slice', from: slice[1] === '' ? null : Number(slice[1]), to: slice[2] === '' ? null : Number(slice[2]) })
        continue
      }
      if (/^-?\d+(\s*,\s*-?\d+)+$/.test(inner)) {
        steps.push({ k: 'indexes', list: inner.split(',').map((x) => Number(x.trim())) })
        continue
      }
      if (/^('[^']*'|"[^"]*")(\s*,\s*('[^']*'|"[^"]*"))+$/.test(inner)) {
        steps.push({ k: 'keys', names: inner.split(',').map((x) => x.trim().slice(1, -1)) })
        continue
      }
      if (inner === '*') steps.push({ k: 'all' })
      else if (/^-?\d+$/.test(inner)) steps.push({ k: 'index', i: Number(inner) })
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ k: 'key', name: inner.slice(1, -1) })
      else throw new JsonError(`JSONPath ${JSON.stringify(path)}: unsupported selector [${inner}]`)
    } else throw new JsonError(`JSONPath ${JSON.stringify(path)}: unexpected ${JSON.stringify(p[i])}`)
  }
  return steps
}

function children(v: Value): Value[] {
  if (Array.isArray(v)) return v
  if (v instanceof Map) return [...v.values()]
  return []
}

function deepScan(v: Value, name: string | null, out: Value[]): void {
  if (v instanceof Map) {
    for (const [k, child] of v) {
      if (name === null || k === name) out.push(child)
      deepScan(child, name, out)
    }
  } else if (Array.isArray(v)) {
    for (const child of v) {
      if (name === null) out.push(child)
      deepScan(child, name, out)
    }
  }
}

function at(list: readonly Value[], i: number): Value | undefined {
  const j = i < 0 ? list.length + i : i
  return j >= 0 && j < list.length ? list[j] : undefined
}

function compare(v: Value | undefined, op: string, lit: Scalar): boolean {
  if (v === undefined) return false
  const x = v instanceof JDouble ? v.value : v
  if (op === '==') return x === lit
  if (op === '!=') return x !== lit
  if (typeof x === 'number' && typeof lit === 'number') return op === '<' ? x < lit : op === '<=' ? x <= lit : op === '>' ? x > lit : x >= lit
  if (typeof x === 'string' && typeof lit === 'string') return op === '<' ? x < lit : op === '<=' ? x <= lit : op === '>' ? x > lit : x >= lit
  return false
}

function matches(v: Value, step: Extract<Step, { k: 'filter' }>): boolean {
  let cur: Value | undefined = v
  for (const key of step.path) cur = cur instanceof Map ? cur.get(key) : undefined
  return step.op === null ? cur !== undefined : compare(cur, step.op, step.value)
}

/** Evaluates a JSONPath; undefined when a definite path does not exist. */
export function evalJsonPath(root: Value, steps: readonly Step[]): Value | undefined {
  let current: Value[] = [root]
  let definite = true
  for (const step of steps) {
    const next: Value[] = []
    for (const v of current) {
      switch (step.k) {
        case 'key':
          if (v instanceof Map && v.has(step.name)) next.push(v.get(step.name)!)
          break
        case 'index':
          if (Array.isArray(v)) {
            const item = at(v, step.i)
            if (item !== undefined) next.push(item)
          }
          break
        case 'all':
          definite = false
          next.push(...children(v))
          break
        case 'deep':
          definite = false
          deepScan(v, step.name, next)
          break
        case 'keys':
          definite = false
          if (v instanceof Map) for (const name of step.names) if (v.has(name)) next.push(v.get(name)!)
          break
        case 'indexes':
          definite = false
          if (Array.isArray(v)) for (const i of step.list) {
            const item = at(v, i)
            if (item !== undefined) next.push(item)
          }
          break
        case 'slice':
          definite = false
          if (Array.isArray(v)) {
            const n = v.length
            const norm = (x: number): number => Math.min(n, Math.max(0, x < 0 ? n + x : x))
            next.push(...v.slice(step.from === null ? 0 : norm(step.from), step.to === null ? n : norm(step.to)))
          }
          break
        case 'filter':
          definite = false
          if (Array.isArray(v)) for (const item of v) {
            if (matches(item, step)) next.push(item)
          }
          else if (v instanceof Map && matches(v, step)) next.push(v)
          break
      }
    }
    current = next
  }
  if (definite) return current.length === 0 ? undefined : current[0]!
  return JsonList.fromItems(current)
}
