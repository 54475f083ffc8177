// The router of one revision, built once at config load: a tree of path segments.
//
// Priority (REST and HTTP APIs alike, AWS's "most specific match"): compared segment by segment
// from the left, a static segment beats a `{param}`, which beats a greedy `{proxy+}` (which must
// be last and matches one or more segments). At the same path a specific method beats ANY.
// A candidate whose path matches but whose method does not is skipped, and matching goes on with
// the next less specific path (so `POST /pets/1` reaches `ANY /{proxy+}` when `/pets/{id}` only
// has GET). HEAD matches only HEAD or ANY routes: API Gateway does not answer HEAD with a GET
// method. ANY covers API Gateway's seven methods (DELETE GET HEAD OPTIONS PATCH POST PUT).
//
// HOT PATH — change with care: `match` runs for every request. It allocates one result object
// and one small array of captured parameter positions.

export const ANY_METHODS: ReadonlySet<string> = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'])

export interface RouteMatch<T> {
  readonly value: T
  /** Parameter names, in path order. */
  readonly names: readonly string[]
  /** For each name: [first segment index, end index (exclusive)]. Greedy spans several. */
  readonly spans: readonly number[]
}

interface Entry<T> {
  readonly value: T
  readonly names: readonly string[]
}

class Leaf<T> {
  readonly methods = new Map<string, Entry<T>>()
  any: Entry<T> | undefined = undefined

  pick(method: string): Entry<T> | undefined {
    const exact = this.methods.get(method)
    if (exact !== undefined) return exact
    return this.any !== undefined && ANY_METHODS.has(method) ? this.any : undefined
  }
}

class Node<T> {
  readonly statics = new Map<string, Node<T>>()
  param: Node<T> | null = null
  leaf: Leaf<T> | null = null
  /** A greedy child: matches the rest of the path (one or more segments). */
  greedy: Leaf<T> | null = null
}

export class RouterError extends Error {
  override name = 'RouterError'
}

/** Splits a resource path template into segments; throws RouterError when it is not a valid template. */
export function parseTemplate(path: string): { kind: 'static' | 'param' | 'greedy'; text: string }[] {
  if (path === '/') return []
  if (!path.startsWith('/')) throw new RouterError(`path ${JSON.stringify(path)} must start with /`)
  const parts = path.slice(1).split('/')
  return parts.map((part, i) => {
    if (part === '') throw new RouterError(`path ${JSON.stringify(path)} has an empty segment`)
    const m = /^\{([A-Za-z0-9._-]+)(\+?)\}$/.exec(part)
    if (m === null) {
      if (part.includes('{') || part.includes('}')) throw new RouterError(`segment ${JSON.stringify(part)} is not a valid parameter`)
      return { kind: 'static' as const, text: part }
    }
    if (m[2] === '+' && i !== parts.length - 1) throw new RouterError(`greedy parameter ${part} must be the last segment`)
    return { kind: m[2] === '+' ? ('greedy' as const) : ('param' as const), text: m[1]! }
  })
}

export class Router<T> {
  private readonly root = new Node<T>()

  /** Adds a route; the first one added for a method and path wins. Throws RouterError on a bad template. */
  add(method: string, path: string, value: T): void {
    let node = this.root
    const names: string[] = []
    let leaf: Leaf<T> | null = null
    for (const seg of parseTemplate(path)) {
      if (seg.kind === 'static') {
        let next = node.statics.get(seg.text)
        if (next === undefined) node.statics.set(seg.text, (next = new Node<T>()))
        node = next
      } else if (seg.kind === 'param') {
        names.push(seg.text)
        node = node.param ??= new Node<T>()
      } else {
        names.push(seg.text)
        leaf = node.greedy ??= new Leaf<T>()
      }
    }
    leaf ??= node.leaf ??= new Leaf<T>()
    const entry = { value, names }
    if (method === 'ANY') leaf.any ??= entry
    else if (!leaf.methods.has(method)) leaf.methods.set(method, entry)
  }

  /** The most specific route for a method and the decoded path segments, or null. */
  match(method: string, segments: readonly string[]): RouteMatch<T> | null {
    const spans: number[] = []
    return this.walk(this.root, method, segments, 0, spans)
  }

  private walk(node: Node<T>, method: string, segments: readonly string[], i: number, spans: number[]): RouteMatch<T> | null {
    if (i === segments.length) {
      const entry = node.leaf?.pick(method)
      return entry === undefined ? null : { value: entry.value, names: entry.names, spans: spans.slice() }
    }
    const next = node.statics.get(segments[i]!)
    if (next !== undefined) {
      const found = this.walk(next, method, segments, i + 1, spans)
      if (found !== null) return found
    }
    if (node.param !== null) {
      spans.push(i, i + 1)
      const found = this.walk(node.param, method, segments, i + 1, spans)
      if (found !== null) return found
      spans.length -= 2
    }
    if (node.greedy !== null) {
      const entry = node.greedy.pick(method)
      if (entry !== undefined) {
        spans.push(i, segments.length)
        const result = { value: entry.value, names: entry.names, spans: spans.slice() }
        spans.length -= 2
        return result
      }
    }
    return null
  }
}
