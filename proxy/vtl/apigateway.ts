// API Gateway's template variables: $input, $util, $context (with the writable requestOverride
// and responseOverride), $stageVariables. Built per render from plain data (MappingData), so
// the engine does not depend on the proxy's request context (vtl/request-data.ts adapts it).
import { evalJsonPath, JsonError, parseJson, parseJsonPath } from './json.js'
import { VtlRenderError } from './render.js'
import { fromJs, JsonList, toJava, toJson, type HostObject, type Value } from './values.js'

export interface MappingData {
  /** The payload: the method request body (request templates) or the integration response body. */
  readonly body: string
  readonly path: Readonly<Record<string, string>>
  readonly querystring: Readonly<Record<string, string>>
  /** Header names as the client sent them. */
  readonly header: Readonly<Record<string, string>>
  /** $context: a JSON-like tree (strings, numbers, booleans, nested objects). */
  readonly context: Readonly<Record<string, unknown>>
  readonly stageVariables: Readonly<Record<string, string>>
}

export interface Overrides {
  readonly requestHeaders: ReadonlyMap<string, string | string[]>
  readonly requestQuery: ReadonlyMap<string, string | string[]>
  readonly requestPath: ReadonlyMap<string, string>
  readonly responseHeaders: ReadonlyMap<string, string | string[]>
  /** null when not overridden. */
  readonly status: number | null
}

/** A map whose keys can be written once by a template ("Overrides are final" — a second write fails the request). */
class OverrideMap extends Map<unknown, Value> {
  private sealed = false
  seal(): this {
    this.sealed = true
    return this
  }
  override set(key: unknown, value: Value): this {
    if (this.sealed && this.has(key) && !(this.get(key) instanceof Map)) {
      throw new VtlRenderError(`${toJava(key as Value)} is overridden more than once`, 'error')
    }
    if (this.sealed && this.get(key) instanceof Map) throw new VtlRenderError(`${toJava(key as Value)} cannot be replaced`, 'error')
    return super.set(key, value)
  }
}

function mapOf(record: Readonly<Record<string, string>>): Map<unknown, Value> {
  const m = new Map<unknown, Value>()
  for (const [k, v] of Object.entries(record)) m.set(k, v)
  return m
}

// ---- $util ----

/** commons-lang StringEscapeUtils.escapeJavaScript: ' " \ / escaped, control and non-ASCII as \uXXXX. */
export function escapeJavaScript(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    const code = s.charCodeAt(i)
    if (code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
    else if (code < 32) {
      switch (c) {
        case '\b':
          out += '\\b'
          break
        case '\n':
          out += '\\n'
          break
        case '\t':
          out += '\\t'
          break
        case '\f':
          out += '\\f'
          break
        case '\r':
          out += '\\r'
          break
        default:
          out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
      }
    } else if (c === "'" || c === '"' || c === '\\' || c === '/') out += `\\${c}`
    else out += c
  }
  return out
}

/** java.net.URLEncoder.encode(s, "UTF-8"). */
export function urlEncode(s: string): string {
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c
    else if (c === ' ') out += '+'
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** java.net.URLDecoder.decode(s, "UTF-8"); a malformed escape fails like Java's IllegalArgumentException. */
export function urlDecode(s: string): string {
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '+') bytes.push(0x20)
    else if (c === '%') {
      const hex = s.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new VtlRenderError(`URLDecoder: Illegal hex characters in escape (%) pattern`, 'error')
      bytes.push(parseInt(hex, 16))
      i += 2
    } else bytes.push(...Buffer.from(c, 'utf8'))
  }
  return Buffer.from(bytes).toString('utf8')
}

function stringArg(args: readonly Value[]): string | null {
  const a = args[0]
  if (a === undefined || a === null) return null
  return toJava(a)
}

const util: HostObject = {
  hostName: 'util',
  property: () => undefined,
  call(name, args) {
    if (args.length !== 1) return undefined
    const s = stringArg(args)
    if (s === null) return null
    switch (name) {
      case 'escapeJavaScript':
        return escapeJavaScript(s)
      case 'parseJson':
        try {
          return parseJson(s)
        } catch (err) {
          throw new VtlRenderError(`$util.parseJson: ${(err as Error).message}`, 'error')
        }
      case 'urlEncode':
        return urlEncode(s)
      case 'urlDecode':
        return urlDecode(s)
      case 'base64Encode':
        return Buffer.from(s, 'utf8').toString('base64')
      case 'base64Decode':
        return Buffer.from(s, 'base64').toString('utf8')
    }
    return undefined
  },
  toJava: () => '$util',
}

// ---- $input ----

class Input implements HostObject {
  readonly hostName = 'input'
  private parsed: Value | undefined = undefined

  constructor(private readonly data: MappingData) {}

  private root(): Value {
    if (this.parsed !== undefined) return this.parsed
    if (this.data.body.trim() === '') this.parsed = new Map()
    else {
      try {
        this.parsed = parseJson(this.data.body)
      } catch (err) {
        throw new VtlRenderError(`Could not parse payload into json: ${(err as Error).message}`, 'input')
      }
    }
    return this.parsed
  }

  private select(path: Value): Value | undefined {
    if (typeof path !== 'string') return undefined
    try {
      return evalJsonPath(this.root(), parseJsonPath(path))
    } catch (err) {
      if (err instanceof JsonError) throw new VtlRenderError(err.message, 'error')
      throw err
    }
  }

  params(): Map<unknown, Value> {
    const m = new Map<unknown, Value>()
    m.set('path', mapOf(this.data.path))
    m.set('querystring', mapOf(this.data.querystring))
    m.set('header', mapOf(this.data.header))
    return m
  }

  param(name: string): string {
    const d = this.data
    if (Object.hasOwn(d.path, name)) return d.path[name]!
    if (Object.hasOwn(d.querystring, name)) return d.querystring[name]!
    if (Object.hasOwn(d.header, name)) return d.header[name]!
    const lower = name.toLowerCase()
    for (const [k, v] of Object.entries(d.header)) if (k.toLowerCase() === lower) return v
    return ''
  }

  property(name: string): Value | undefined {
    return name === 'body' ? this.data.body : undefined
  }

  call(name: string, args: readonly Value[]): Value | undefined {
    switch (`${name}/${args.length}`) {
      case 'getBody/0':
        return this.data.body
      case 'json/1': {
        const v = this.select(args[0]!)
        return v === undefined ? '""' : toJson(v)
      }
      case 'path/1': {
        // A copy: the payload is parsed once per render, and a template that changes what
        // $input.path returned must not change what later calls see (AWS reads afresh).
        const v = this.select(args[0]!)
        return v === undefined ? null : copy(v)
      }
      case 'params/0':
        return this.params()
      case 'params/1':
        return typeof args[0] === 'string' ? this.param(args[0]) : null
    }
    return undefined
  }

  toJava(): string {
    return '$input'
  }
}

function copy(v: Value): Value {
  if (v instanceof JsonList) return JsonList.fromItems(v.map(copy))
  if (Array.isArray(v)) return v.map(copy)
  if (v instanceof Map) return new Map([...v].map(([k, val]) => [k, copy(val)]))
  return v
}

export interface Scope {
  readonly globals: Map<string, Value>
  overrides(): Overrides
}

function entries(map: Value): [string, string | string[]][] {
  if (!(map instanceof Map)) return []
  return [...map].map(([k, v]) => [toJava(k as Value), Array.isArray(v) ? v.map(toJava) : toJava(v)])
}

/** The variables of one render, and the overrides the template wrote. */
export function createScope(data: MappingData): Scope {
  const context = fromJs(data.context) as Map<unknown, Value>
  const requestOverride = new OverrideMap()
  requestOverride.set('header', new OverrideMap().seal())
  requestOverride.set('querystring', new OverrideMap().seal())
  requestOverride.set('path', new OverrideMap().seal())
  const responseOverride = new OverrideMap()
  responseOverride.set('header', new OverrideMap().seal())
  context.set('requestOverride', requestOverride.seal())
  context.set('responseOverride', responseOverride.seal())
  const globals = new Map<string, Value>([
    ['input', new Input(data)],
    ['util', util],
    ['context', context],
    ['stageVariables', mapOf(data.stageVariables)],
  ])
  return {
    globals,
    overrides() {
      const status = responseOverride.get('status')
      let code: number | null = null
      if (status !== undefined && status !== null) {
        const n = Number(toJava(status))
        if (!Number.isInteger(n) || n < 100 || n > 599) throw new VtlRenderError(`$context.responseOverride.status ${toJava(status)} is not an HTTP status`, 'error')
        code = n
      }
      return {
        requestHeaders: new Map(entries(requestOverride.get('header')!)),
        requestQuery: new Map(entries(requestOverride.get('querystring')!)),
        requestPath: new Map(entries(requestOverride.get('path')!).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])),
        responseHeaders: new Map(entries(responseOverride.get('header')!)),
        status: code,
      }
    },
  }
}
