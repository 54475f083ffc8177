// VTL renderer: walks the AST of a compiled template with per-request variables.
//
// HOT PATH (per request): bounded by RenderLimits. Every node and expression counts a step; every
// 512 steps the clock is checked against the time budget. Output, strings and collections are
// capped, #foreach stops after maxLoopIterations (Velocity's directive.foreach.maxloops, AWS's
// 1,000), macro and #define nesting is capped. A limit ends the render with VtlRenderError.
import { JavaRegexError } from './java-regex.js'
import { callMethod, getProperty, JavaException, type Bounds } from './methods.js'
import type { Ast, Expr, Node, Ref } from './parse.js'
import { DefinedBlock, isNumber, JDouble, numeric, toJava, TooLarge, truthy, velocityEquals, type HostObject, type Value } from './values.js'

export interface RenderLimits {
  /** Characters of output (and of any one string built while rendering). */
  readonly maxOutputChars: number
  /** Iterations of one #foreach; further items are skipped (AWS: 1,000). */
  readonly maxLoopIterations: number
  /** Nesting of macro calls and #define blocks. */
  readonly maxDepth: number
  /** Wall-clock budget of one render. */
  readonly timeBudgetMs: number
  /** Elements of a list, map or range built by the template. */
  readonly maxCollectionSize: number
}

export const DEFAULT_LIMITS: RenderLimits = {
  maxOutputChars: 1024 * 1024,
  maxLoopIterations: 1000,
  maxDepth: 32,
  timeBudgetMs: 100,
  maxCollectionSize: 100_000,
}

/** `limit`: a RenderLimits bound; `error`: a Java exception or invalid operation; `input`: the body is not JSON. */
export class VtlRenderError extends Error {
  constructor(
    message: string,
    readonly reason: 'limit' | 'error' | 'input',
  ) {
    super(message)
    this.name = 'VtlRenderError'
  }
}

class BreakSignal {}
class StopSignal {}
const BREAK = new BreakSignal()
const STOP = new StopSignal()

class Out {
  private parts: string[] = []
  private size = 0
  constructor(private readonly max: number) {}
  push(s: string): void {
    if (s === '') return
    this.size += s.length
    if (this.size > this.max) throw new VtlRenderError(`output larger than ${this.max} characters`, 'limit')
    this.parts.push(s)
  }
  text(): string {
    return this.parts.join('')
  }
}

class ForeachScope implements HostObject {
  readonly hostName = 'foreach'
  index = 0
  hasNext = false
  constructor(readonly parent: Value) {}
  property(name: string): Value | undefined {
    switch (name) {
      case 'index':
        return this.index
      case 'count':
        return this.index + 1
      case 'hasNext':
        return this.hasNext
      case 'first':
        return this.index === 0
      case 'last':
        return !this.hasNext
      case 'parent':
        return this.parent
    }
    return undefined
  }
  call(name: string, args: readonly Value[]): Value | undefined {
    if (args.length > 0) return undefined
    if (name === 'hasNext') return this.hasNext
    if (name.startsWith('get') || name.startsWith('is')) return this.property(name.replace(/^(get|is)/, '').replace(/^./, (c) => c.toLowerCase()))
    return undefined
  }
  toJava(): string {
    return `foreach`
  }
}

export class Renderer {
  private steps = 0
  private depth = 0
  private readonly deadline: number
  private readonly frames: Map<string, Value>[] = []
  private readonly bounds: Bounds

  constructor(
    private readonly ast: Ast,
    private readonly globals: Map<string, Value>,
    private readonly limits: RenderLimits,
    now: number,
  ) {
    this.deadline = now + limits.timeBudgetMs
    this.bounds = { maxChars: limits.maxOutputChars, maxCollection: limits.maxCollectionSize }
  }

  render(): string {
    const out = new Out(this.limits.maxOutputChars)
    try {
      this.nodes(this.ast.nodes, out)
    } catch (err) {
      if (err === STOP) return out.text()
      if (err === BREAK) return out.text()
      if (err instanceof JavaException || err instanceof JavaRegexError) throw new VtlRenderError(err.message, 'error')
      if (err instanceof TooLarge) throw new VtlRenderError(err.message, 'limit')
      if (err instanceof RangeError) throw new VtlRenderError(`template too deep: ${err.message}`, 'limit')
      throw err
    }
    return out.text()
  }

  private tick(): void {
    if ((++this.steps & 511) === 0 && performance.now() > this.deadline) {
      throw new VtlRenderError(`render took longer than ${this.limits.timeBudgetMs} ms`, 'limit')
    }
  }

  private lookup(name: string): Value {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!
      if (f.has(name)) return f.get(name)!
      break // macro scopes do not nest lexically: only the innermost call's arguments are visible
    }
    return this.globals.get(name) ?? null
  }

  private assign(name: string, value: Value): void {
    const f = this.frames[this.frames.length - 1]
    if (f !== undefined && f.has(name)) f.set(name, value)
    else this.globals.set(name, value)
  }

  private nodes(nodes: readonly Node[], out: Out): void {
    for (const node of nodes) this.node(node, out)
  }

  private node(node: Node, out: Out): void {
    this.tick()
    switch (node.k) {
      case 'text':
        out.push(node.text)
        return
      case 'ref': {
        const v = this.ref(node.ref)
        if (node.escapes > 0) {
          out.push('\\'.repeat(v === null ? node.escapes : Math.floor(node.escapes / 2)))
          if (v === null || node.escapes % 2 === 1) {
            out.push(node.ref.text)
            return
          }
        }
        if (v === null) {
          if (!node.ref.quiet) out.push(node.ref.text)
          return
        }
        out.push(this.print(v))
        return
      }
      case 'set':
        this.set(node.target, this.expr(node.value))
        return
      case 'if':
        for (const b of node.branches) {
          if (truthy(this.expr(b.cond))) {
            this.nodes(b.body, out)
            return
          }
        }
        if (node.otherwise !== null) this.nodes(node.otherwise, out)
        return
      case 'foreach':
        this.foreach(node.variable, node.iterable, node.body, out)
        return
      case 'break':
        throw BREAK
      case 'stop':
        throw STOP
      case 'define': {
        const body = node.body
        this.assign(
          node.name,
          new DefinedBlock(node.name, () => {
            const inner = new Out(this.limits.maxOutputChars)
            this.enter()
            try {
              this.nodes(body, inner)
            } catch (err) {
              if (err !== BREAK) throw err
            } finally {
              this.depth--
            }
            return inner.text()
          }),
        )
        return
      }
      case 'call':
        this.callMacro(node.name, node.args, node.text, out)
        return
    }
  }

  private enter(): void {
    if (++this.depth > this.limits.maxDepth) {
      this.depth--
      throw new VtlRenderError(`macros and #define nested deeper than ${this.limits.maxDepth}`, 'limit')
    }
  }

  private print(v: Value): string {
    return toJava(v, this.limits.maxOutputChars)
  }

  private callMacro(name: string, argExprs: readonly Expr[], text: string, out: Out): void {
    const macro = this.ast.macros.get(name)
    if (macro === undefined) {
      out.push(text)
      return
    }
    const frame = new Map<string, Value>()
    macro.params.forEach((p, i) => {
      const e = argExprs[i]
      const v = e === undefined ? null : this.expr(e)
      if (v !== null) frame.set(p, v)
    })
    this.enter()
    this.frames.push(frame)
    try {
      this.nodes(macro.body, out)
    } catch (err) {
      if (err !== BREAK) throw err
    } finally {
      this.frames.pop()
      this.depth--
    }
  }

  private foreach(variable: string, iterable: Expr, body: readonly Node[], out: Out): void {
    const max = this.limits.maxLoopIterations
    let items: readonly Value[]
    let total: number
    if (iterable.k === 'range') {
      // Lazy: a range is never materialized for a loop, only its first `max` items are visited.
      const from = this.expr(iterable.from)
      const to = this.expr(iterable.to)
      if (typeof from !== 'number' || typeof to !== 'number') return
      const step = from <= to ? 1 : -1
      total = Math.abs(to - from) + 1
      const n = Math.min(total, max)
      const list: number[] = []
      for (let i = 0; i < n; i++) list.push(from + i * step)
      items = list
    } else {
      const v = this.expr(iterable)
      if (Array.isArray(v)) items = v
      else if (v instanceof Map) items = [...v.values()]
      else return
      total = items.length
    }
    const saved = this.globals.get(variable)
    const savedForeach = this.globals.get('foreach')
    const savedCount = this.globals.get('velocityCount')
    const savedHasNext = this.globals.get('velocityHasNext')
    const scope = new ForeachScope(savedForeach ?? null)
    this.globals.set('foreach', scope)
    try {
      const n = Math.min(items.length, max)
      for (let i = 0; i < n; i++) {
        this.tick()
        const item = items[i]!
        if (item === null) this.globals.delete(variable)
        else this.globals.set(variable, item)
        scope.index = i
        scope.hasNext = i + 1 < total
        this.globals.set('velocityCount', i + 1)
        this.globals.set('velocityHasNext', scope.hasNext)
        try {
          this.nodes(body, out)
        } catch (err) {
          if (err === BREAK) break
          throw err
        }
      }
    } finally {
      restore(this.globals, variable, saved)
      restore(this.globals, 'foreach', savedForeach)
      restore(this.globals, 'velocityCount', savedCount)
      restore(this.globals, 'velocityHasNext', savedHasNext)
    }
  }

  private set(target: Ref, value: Value): void {
    // Velocity 1.7: a null right-hand side leaves the left-hand side unchanged.
    if (value === null) return
    if (target.chain.length === 0) {
      this.assign(target.name, value)
      return
    }
    const base = this.resolve(target, target.chain.length - 1)
    if (base === null) return
    const last = target.chain[target.chain.length - 1]!
    if (last.k === 'prop') {
      if (base instanceof Map) this.put(base, last.name, value)
      return
    }
    if (last.k === 'index') {
      const key = this.expr(last.expr)
      if (Array.isArray(base) && typeof key === 'number') {
        if (key < 0 || key >= base.length) throw new VtlRenderError(`index ${key} out of bounds for length ${base.length}`, 'error')
        base[key] = value
      } else if (base instanceof Map) this.put(base, key, value)
    }
  }

  private put(map: Map<unknown, Value>, key: unknown, value: Value): void {
    if (!map.has(key) && map.size >= this.limits.maxCollectionSize) throw new VtlRenderError(`map larger than ${this.limits.maxCollectionSize} entries`, 'limit')
    map.set(key, value)
  }

  private ref(ref: Ref): Value {
    return this.resolve(ref, ref.chain.length)
  }

  private resolve(ref: Ref, upTo: number): Value {
    let v = this.lookup(ref.name)
    for (let i = 0; i < upTo; i++) {
      if (v === null) return null
      const a = ref.chain[i]!
      if (a.k === 'prop') v = getProperty(v, a.name, this.bounds)
      else if (a.k === 'call') {
        const args = a.args.map((e) => this.expr(e))
        const r = callMethod(v, a.name, args, this.bounds)
        v = r === undefined ? null : r
        if (typeof v === 'string' && v.length > this.limits.maxOutputChars) {
          throw new VtlRenderError(`string larger than ${this.limits.maxOutputChars} characters`, 'limit')
        }
      } else {
        const key = this.expr(a.expr)
        if (Array.isArray(v)) {
          if (typeof key !== 'number') return null
          if (key < 0 || key >= v.length) throw new VtlRenderError(`index ${key} out of bounds for length ${v.length}`, 'error')
          v = v[key]!
        } else if (v instanceof Map) v = v.get(key) ?? null
        else v = null
      }
    }
    if (v instanceof DefinedBlock && upTo < ref.chain.length) return null
    return v
  }

  private expr(e: Expr): Value {
    this.tick()
    switch (e.k) {
      case 'str':
        return e.value
      case 'istr': {
        const out = new Out(this.limits.maxOutputChars)
        this.nodes(e.parts, out)
        return out.text()
      }
      case 'int':
        return e.value
      case 'dbl':
        return new JDouble(e.value)
      case 'bool':
        return e.value
      case 'list':
        return e.items.map((x) => this.expr(x))
      case 'map': {
        const m = new Map<unknown, Value>()
        for (const [k, v] of e.entries) m.set(this.expr(k), this.expr(v))
        return m
      }
      case 'range': {
        const from = this.expr(e.from)
        const to = this.expr(e.to)
        if (typeof from !== 'number' || typeof to !== 'number') return null
        const size = Math.abs(to - from) + 1
        if (size > this.limits.maxCollectionSize) throw new VtlRenderError(`range larger than ${this.limits.maxCollectionSize} elements`, 'limit')
        const step = from <= to ? 1 : -1
        const list: Value[] = []
        for (let i = 0; i < size; i++) list.push(from + i * step)
        return list
      }
      case 'ref': {
        const v = this.ref(e.ref)
        return v instanceof DefinedBlock ? v.render() : v
      }
      case 'not':
        return !truthy(this.expr(e.expr))
      case 'bin':
        return this.binary(e.op, e.left, e.right)
    }
  }

  private binary(op: string, le: Expr, re: Expr): Value {
    if (op === '&&') return truthy(this.expr(le)) && truthy(this.expr(re))
    if (op === '||') return truthy(this.expr(le)) || truthy(this.expr(re))
    const a = this.expr(le)
    const b = this.expr(re)
    switch (op) {
      case '==':
        return velocityEquals(a, b)
      case '!=':
        return !velocityEquals(a, b)
      case '<':
      case '>':
      case '<=':
      case '>=': {
        if (!isNumber(a) || !isNumber(b)) return false
        const x = numeric(a)
        const y = numeric(b)
        return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y
      }
    }
    if (op === '+' && (typeof a === 'string' || typeof b === 'string') && a !== null && b !== null) {
      const s = toJava(a, this.limits.maxOutputChars) + toJava(b, this.limits.maxOutputChars)
      if (s.length > this.limits.maxOutputChars) throw new VtlRenderError(`string larger than ${this.limits.maxOutputChars} characters`, 'limit')
      return s
    }
    if (!isNumber(a) || !isNumber(b)) return null
    const double = a instanceof JDouble || b instanceof JDouble
    const x = numeric(a)
    const y = numeric(b)
    let r: number
    switch (op) {
      case '+':
        r = x + y
        break
      case '-':
        r = x - y
        break
      case '*':
        r = x * y
        break
      case '/':
        if (y === 0) return null // Velocity: division by zero yields null
        r = double ? x / y : Math.trunc(x / y)
        break
      default:
        if (y === 0) return null
        r = x % y
    }
    return double ? new JDouble(r) : r
  }
}

function restore(map: Map<string, Value>, key: string, value: Value | undefined): void {
  if (value === undefined) map.delete(key)
  else map.set(key, value)
}
