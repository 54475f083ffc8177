// VTL parser: template text → AST, once per template at config load. Velocity 1.7 syntax as API
// Gateway runs it: references ($x, ${x}, $!x, .prop, .method(args), [index]), directives (#set,
// #if/#elseif/#else/#end, #foreach, #break, #stop, #define, #macro and macro calls), comments
// (## and #* *#), unparsed blocks (#[[ ]]#), escapes (\$ and \#), and Velocity 1.7's whitespace
// gobbling: a directive's closing ")" (and #else / #end) eats the spaces and newline after it,
// and #set also eats the spaces before it on its line.

export class VtlParseError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${message} at line ${line}, column ${column}`)
    this.name = 'VtlParseError'
  }
}

export type Access =
  | { readonly k: 'prop'; readonly name: string }
  | { readonly k: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly k: 'index'; readonly expr: Expr }

export interface Ref {
  readonly name: string
  readonly quiet: boolean
  readonly chain: readonly Access[]
  /** The reference as written, printed when it resolves to null. */
  readonly text: string
}

export type Expr =
  | { readonly k: 'str'; readonly value: string }
  | { readonly k: 'istr'; readonly parts: readonly Node[] }
  | { readonly k: 'int'; readonly value: number }
  | { readonly k: 'dbl'; readonly value: number }
  | { readonly k: 'bool'; readonly value: boolean }
  | { readonly k: 'list'; readonly items: readonly Expr[] }
  | { readonly k: 'map'; readonly entries: readonly (readonly [Expr, Expr])[] }
  | { readonly k: 'range'; readonly from: Expr; readonly to: Expr }
  | { readonly k: 'ref'; readonly ref: Ref }
  | { readonly k: 'bin'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly k: 'not'; readonly expr: Expr }

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%'

export type Node =
  | { readonly k: 'text'; readonly text: string }
  | { readonly k: 'ref'; readonly ref: Ref; readonly escapes: number }
  | { readonly k: 'set'; readonly target: Ref; readonly value: Expr }
  | { readonly k: 'if'; readonly branches: readonly { readonly cond: Expr; readonly body: readonly Node[] }[]; readonly otherwise: readonly Node[] | null }
  | { readonly k: 'foreach'; readonly variable: string; readonly iterable: Expr; readonly body: readonly Node[] }
  | { readonly k: 'break' }
  | { readonly k: 'stop' }
  | { readonly k: 'define'; readonly name: string; readonly body: readonly Node[] }
  | { readonly k: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly text: string }

export interface Macro {
  readonly params: readonly string[]
  readonly body: readonly Node[]
}

export interface Ast {
  readonly nodes: readonly Node[]
  readonly macros: ReadonlyMap<string, Macro>
}

const BLOCK_DIRECTIVES = new Set(['set', 'if', 'elseif', 'else', 'end', 'foreach', 'break', 'stop', 'define', 'macro'])
const ID_START = /[A-Za-z_]/
const ID_CHAR = /[A-Za-z0-9_-]/
const WORD_OPS: Readonly<Record<string, BinaryOp>> = { or: '||', and: '&&', eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=' }

type Terminator = 'end' | 'else' | 'elseif' | 'eof'

export function parse(src: string): Ast {
  return new Parser(src).parseTemplate()
}

class Parser {
  private pos = 0
  private readonly macros = new Map<string, Macro>()
  private readonly macroNames: ReadonlySet<string>

  constructor(private readonly src: string) {
    // Macro calls may precede their #macro: collect the names first.
    const names = new Set<string>()
    for (const m of src.matchAll(/#\{?macro\}?\s*\(\s*([A-Za-z_][A-Za-z0-9_-]*)/g)) names.add(m[1]!)
    this.macroNames = names
  }

  parseTemplate(): Ast {
    const { nodes, end } = this.parseBlock()
    if (end !== 'eof') this.fail(`unexpected #${end}`)
    return { nodes, macros: this.macros }
  }

  private fail(message: string, at = this.pos): never {
    const before = this.src.slice(0, at)
    const line = before.split('\n').length
    const column = at - before.lastIndexOf('\n')
    throw new VtlParseError(message, line, column)
  }

  private gobbleNewline(): void {
    const m = /^[ \t]*(\r\n|\n|\r)/.exec(this.src.slice(this.pos, this.pos + 256))
    if (m !== null) this.pos += m[0].length
  }

  /** Reads `#name`, `#{name}`; returns the name and the position after it, or null. */
  private directiveAt(at: number): { name: string; after: number } | null {
    let p = at + 1
    const braced = this.src[p] === '{'
    if (braced) p++
    if (!ID_START.test(this.src[p] ?? '')) return null
    const start = p
    while (p < this.src.length && /[A-Za-z0-9_]/.test(this.src[p]!)) p++
    const name = this.src.slice(start, p)
    if (braced) {
      if (this.src[p] !== '}') return null
      p++
    }
    if (!BLOCK_DIRECTIVES.has(name) && !this.macroNames.has(name)) return null
    return { name, after: p }
  }

  private parseBlock(): { nodes: Node[]; end: Terminator } {
    const nodes: Node[] = []
    let text = ''
    // Where Velocity's current TEXT token began: a TEXT token stops at $, # and \.
    let tokenStart = 0
    const flush = (): void => {
      if (text !== '') nodes.push({ k: 'text', text })
      text = ''
      tokenStart = 0
    }
    const src = this.src
    while (this.pos < src.length) {
      const c = src[this.pos]!
      if (c === '\\') {
        let n = 0
        while (src[this.pos + n] === '\\') n++
        const next = this.pos + n
        if (src[next] === '$') {
          this.pos = next
          const ref = this.tryRef()
          if (ref !== null) {
            flush()
            nodes.push({ k: 'ref', ref, escapes: n })
            continue
          }
          text += '\\'.repeat(n)
          tokenStart = text.length
          continue
        }
        if (src[next] === '#' && this.directiveAt(next) !== null) {
          text += '\\'.repeat(Math.floor(n / 2))
          this.pos = next
          if (n % 2 === 1) {
            text += '#'
            this.pos++
          }
          tokenStart = text.length
          continue
        }
        text += '\\'.repeat(n)
        tokenStart = text.length
        this.pos = next
        continue
      }
      if (c === '$') {
        const ref = this.tryRef()
        if (ref !== null) {
          flush()
          nodes.push({ k: 'ref', ref, escapes: 0 })
        } else {
          text += '$'
          tokenStart = text.length
          this.pos++
        }
        continue
      }
      if (c === '#') {
        const n1 = src[this.pos + 1]
        if (n1 === '#') {
          const nl = src.indexOf('\n', this.pos)
          this.pos = nl === -1 ? src.length : nl + 1
          tokenStart = text.length
          continue
        }
        if (n1 === '*') {
          const close = src.indexOf('*#', this.pos + 2)
          if (close === -1) this.fail('unterminated #* comment')
          this.pos = close + 2
          tokenStart = text.length
          continue
        }
        if (n1 === '[' && src[this.pos + 2] === '[') {
          const close = src.indexOf(']]#', this.pos + 3)
          if (close === -1) this.fail('unterminated #[[ block')
          text += src.slice(this.pos + 3, close)
          this.pos = close + 3
          tokenStart = text.length
          continue
        }
        const d = this.directiveAt(this.pos)
        if (d === null) {
          text += '#'
          tokenStart = text.length
          this.pos++
          continue
        }
        const start = this.pos
        this.pos = d.after
        switch (d.name) {
          case 'end':
          case 'else':
            flush()
            this.gobbleNewline()
            return { nodes, end: d.name }
          case 'elseif':
            flush()
            return { nodes, end: 'elseif' }
          case 'set': {
            // Velocity 1.7's #set token includes the spaces and tabs before it, when they begin
            // a token (after a directive that ate its newline, a reference, a comment...).
            if (/^[ \t]*$/.test(text.slice(tokenStart))) text = text.slice(0, tokenStart)
            flush()
            nodes.push(this.parseSet())
            break
          }
          case 'if':
            flush()
            nodes.push(this.parseIf())
            break
          case 'foreach':
            flush()
            nodes.push(this.parseForeach())
            break
          case 'break':
            flush()
            nodes.push({ k: 'break' })
            break
          case 'stop':
            flush()
            nodes.push({ k: 'stop' })
            break
          case 'define':
            flush()
            nodes.push(this.parseDefine())
            break
          case 'macro':
            flush()
            this.parseMacro()
            break
          default: {
            // A macro call: only with arguments in parentheses, else the text stays.
            const save = this.pos
            this.skipSpaces()
            if (src[this.pos] !== '(') {
              this.pos = save
              text += src.slice(start, save)
              tokenStart = text.length
              break
            }
            flush()
            this.pos++
            const args = this.parseArgs(')', true)
            this.gobbleNewline()
            nodes.push({ k: 'call', name: d.name, args, text: src.slice(start, this.pos) })
          }
        }
        continue
      }
      text += c
      this.pos++
    }
    flush()
    return { nodes, end: 'eof' }
  }

  private expectBlockEnd(what: string): Node[] {
    const { nodes, end } = this.parseBlock()
    if (end !== 'end') this.fail(end === 'eof' ? `#${what} without #end` : `unexpected #${end} in #${what}`)
    return nodes
  }

  private open(what: string): void {
    this.skipSpaces()
    if (this.src[this.pos] !== '(') this.fail(`#${what} needs (`)
    this.pos++
  }

  private close(what: string): void {
    this.skipWs()
    if (this.src[this.pos] !== ')') this.fail(`#${what}: expected )`)
    this.pos++
    this.gobbleNewline()
  }

  private parseSet(): Node {
    this.open('set')
    this.skipWs()
    if (this.src[this.pos] !== '$') this.fail('#set needs a reference')
    const target = this.tryRef()
    if (target === null) this.fail('#set needs a reference')
    this.skipWs()
    if (this.src[this.pos] !== '=') this.fail('#set: expected =')
    this.pos++
    const value = this.parseExpr()
    this.close('set')
    return { k: 'set', target, value }
  }

  private parseIf(): Node {
    const branches: { cond: Expr; body: Node[] }[] = []
    let otherwise: Node[] | null = null
    this.open('if')
    let cond = this.parseExpr()
    this.close('if')
    for (;;) {
      const { nodes, end } = this.parseBlock()
      branches.push({ cond, body: nodes })
      if (end === 'end') break
      if (end === 'eof') this.fail('#if without #end')
      if (end === 'else') {
        otherwise = this.expectBlockEnd('else')
        break
      }
      this.open('elseif')
      cond = this.parseExpr()
      this.close('elseif')
    }
    return { k: 'if', branches, otherwise }
  }

  private parseForeach(): Node {
    this.open('foreach')
    this.skipWs()
    const variable = this.tryRef()
    if (variable === null || variable.chain.length > 0) this.fail('#foreach needs a variable')
    this.skipWs()
    if (!this.src.startsWith('in', this.pos) || ID_CHAR.test(this.src[this.pos + 2] ?? '')) this.fail('#foreach: expected in')
    this.pos += 2
    const iterable = this.parseExpr()
    this.close('foreach')
    return { k: 'foreach', variable: variable.name, iterable, body: this.expectBlockEnd('foreach') }
  }

  private parseDefine(): Node {
    this.open('define')
    this.skipWs()
    const ref = this.tryRef()
    if (ref === null || ref.chain.length > 0) this.fail('#define needs a variable')
    this.close('define')
    return { k: 'define', name: ref.name, body: this.expectBlockEnd('define') }
  }

  private parseMacro(): void {
    this.open('macro')
    this.skipWs()
    const name = this.identifier()
    if (name === null) this.fail('#macro needs a name')
    const params: string[] = []
    for (;;) {
      this.skipWs()
      if (this.src[this.pos] === ',') {
        this.pos++
        continue
      }
      if (this.src[this.pos] === ')') break
      const p = this.tryRef()
      if (p === null || p.chain.length > 0) this.fail('#macro parameters are $names')
      params.push(p.name)
    }
    this.pos++
    this.gobbleNewline()
    const body = this.expectBlockEnd('macro')
    this.macros.set(name, { params, body })
  }

  // ---- references ----

  private identifier(): string | null {
    const start = this.pos
    if (!ID_START.test(this.src[start] ?? '')) return null
    let p = start + 1
    while (p < this.src.length && ID_CHAR.test(this.src[p]!)) p++
    this.pos = p
    return this.src.slice(start, p)
  }

  /** A reference at `$`; null (position unchanged) when the text is not one. */
  private tryRef(): Ref | null {
    const start = this.pos
    let p = start + 1
    const quiet = this.src[p] === '!'
    if (quiet) p++
    const braced = this.src[p] === '{'
    if (braced) p++
    this.pos = p
    const name = this.identifier()
    if (name === null) {
      this.pos = start
      return null
    }
    const chain: Access[] = []
    for (;;) {
      const c = this.src[this.pos]
      if (c === '.' && /[A-Za-z]/.test(this.src[this.pos + 1] ?? '')) {
        this.pos++
        const prop = this.identifier()!
        if (this.src[this.pos] === '(') {
          this.pos++
          chain.push({ k: 'call', name: prop, args: this.parseArgs(')', false) })
        } else chain.push({ k: 'prop', name: prop })
        continue
      }
      if (c === '[') {
        const save = this.pos
        try {
          this.pos++
          const expr = this.parseExpr()
          this.skipWs()
          if (this.src[this.pos] !== ']') throw new VtlParseError('expected ]', 0, 0)
          this.pos++
          chain.push({ k: 'index', expr })
          continue
        } catch (err) {
          if (!(err instanceof VtlParseError)) throw err
          this.pos = save
        }
      }
      break
    }
    if (braced) {
      if (this.src[this.pos] !== '}') {
        this.pos = start
        return null
      }
      this.pos++
    }
    return { name, quiet, chain, text: this.src.slice(start, this.pos) }
  }

  // ---- expressions ----

  private skipSpaces(): void {
    while (this.src[this.pos] === ' ' || this.src[this.pos] === '\t') this.pos++
  }

  private skipWs(): void {
    while (/\s/.test(this.src[this.pos] ?? '')) this.pos++
  }

  private parseArgs(close: string, spaceSeparated: boolean): Expr[] {
    const args: Expr[] = []
    for (;;) {
      this.skipWs()
      if (this.src[this.pos] === close) {
        this.pos++
        return args
      }
      if (args.length > 0) {
        if (this.src[this.pos] === ',') this.pos++
        else if (!spaceSeparated) this.fail(`expected , or ${close}`)
      }
      args.push(this.parseExpr())
    }
  }

  private word(): string | null {
    this.skipWs()
    const m = /^[A-Za-z]+/.exec(this.src.slice(this.pos, this.pos + 8))
    return m === null ? null : m[0]
  }

  private op(ops: readonly string[]): BinaryOp | null {
    this.skipWs()
    for (const op of ops) {
      if (/^[a-z]/.test(op)) {
        const w = this.word()
        if (w === op) {
          this.pos += op.length
          return WORD_OPS[op]!
        }
        continue
      }
      if (this.src.startsWith(op, this.pos)) {
        // "=" alone is not "==", "<" must not be "<=" when looking for "<"
        const next = this.src[this.pos + op.length]
        if ((op === '<' || op === '>' || op === '!') && next === '=') continue
        this.pos += op.length
        return op as BinaryOp
      }
    }
    return null
  }

  parseExpr(): Expr {
    return this.parseBinary(0)
  }

  private static readonly LEVELS: readonly (readonly string[])[] = [
    ['||', 'or'],
    ['&&', 'and'],
    ['==', '!=', 'eq', 'ne'],
    ['<=', '>=', '<', '>', 'le', 'ge', 'lt', 'gt'],
    ['+', '-'],
    ['*', '/', '%'],
  ]

  private parseBinary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.parseUnary()
    let left = this.parseBinary(level + 1)
    for (;;) {
      const op = this.op(Parser.LEVELS[level]!)
      if (op === null) return left
      const right = this.parseBinary(level + 1)
      left = { k: 'bin', op, left, right }
    }
  }

  private parseUnary(): Expr {
    this.skipWs()
    if (this.src[this.pos] === '!' && this.src[this.pos + 1] !== '=') {
      this.pos++
      return { k: 'not', expr: this.parseUnary() }
    }
    if (this.word() === 'not') {
      this.pos += 3
      return { k: 'not', expr: this.parseUnary() }
    }
    return this.parsePrimary()
  }

  private parsePrimary(): Expr {
    this.skipWs()
    const c = this.src[this.pos]
    if (c === undefined) this.fail('unexpected end of template')
    if (c === '(') {
      this.pos++
      const e = this.parseExpr()
      this.skipWs()
      if (this.src[this.pos] !== ')') this.fail('expected )')
      this.pos++
      return e
    }
    if (c === '$') {
      const ref = this.tryRef()
      if (ref === null) this.fail('invalid reference')
      return { k: 'ref', ref }
    }
    if (c === '"' || c === "'") return this.parseString(c)
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.src.slice(this.pos, this.pos + 64))
    if (num !== null) {
      this.pos += num[0].length
      if (num[1] !== undefined || num[2] !== undefined) return { k: 'dbl', value: Number(num[0]) }
      return { k: 'int', value: Number(num[0]) }
    }
    if (c === '[') {
      this.pos++
      this.skipWs()
      if (this.src[this.pos] === ']') {
        this.pos++
        return { k: 'list', items: [] }
      }
      const first = this.parseExpr()
      this.skipWs()
      if (this.src.startsWith('..', this.pos)) {
        this.pos += 2
        const to = this.parseExpr()
        this.skipWs()
        if (this.src[this.pos] !== ']') this.fail('expected ] after range')
        this.pos++
        return { k: 'range', from: first, to }
      }
      const items = [first]
      for (;;) {
        this.skipWs()
        if (this.src[this.pos] === ']') {
          this.pos++
          return { k: 'list', items }
        }
        if (this.src[this.pos] !== ',') this.fail('expected , or ] in list')
        this.pos++
        items.push(this.parseExpr())
      }
    }
    if (c === '{') {
      this.pos++
      const entries: [Expr, Expr][] = []
      for (;;) {
        this.skipWs()
        if (this.src[this.pos] === '}') {
          this.pos++
          return { k: 'map', entries }
        }
        if (entries.length > 0) {
          if (this.src[this.pos] !== ',') this.fail('expected , or } in map')
          this.pos++
        }
        const key = this.parseExpr()
        this.skipWs()
        if (this.src[this.pos] !== ':') this.fail('expected : in map')
        this.pos++
        entries.push([key, this.parseExpr()])
      }
    }
    const w = this.word()
    if (w === 'true' || w === 'false') {
      this.pos += w.length
      return { k: 'bool', value: w === 'true' }
    }
    this.fail(`unexpected ${JSON.stringify(c)}`)
  }

  /** A string literal. Double-quoted ones interpolate references and directives; backslashes stay. */
  private parseString(quote: string): Expr {
    const start = this.pos + 1
    let p = start
    while (p < this.src.length && this.src[p] !== quote) p += this.src[p] === '\\' ? 2 : 1
    if (p >= this.src.length) this.fail('unterminated string')
    const body = this.src.slice(start, p)
    this.pos = p + 1
    if (quote === "'" || (!body.includes('$') && !body.includes('#'))) return { k: 'str', value: body }
    const inner = new Parser(body)
    const ast = inner.parseTemplate()
    for (const [name, macro] of ast.macros) this.macros.set(name, macro)
    return { k: 'istr', parts: ast.nodes }
  }
}
