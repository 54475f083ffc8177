// JSON helpers and the three non-apply patch formats: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and an approximation of strategic merge patch for the core kinds.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T)
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => deepEqual(x, b[i]))
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined)
    const kb = Object.keys(b).filter((k) => b[k] !== undefined)
    if (ka.length !== kb.length) return false
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
  }
  return false
}

/** RFC 7386: objects merge recursively, null deletes, everything else (arrays too) replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch)
  const out: JsonObject = isObject(target) ? clone(target) : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

export class PatchError extends Error {
  override name = 'PatchError'
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`)
  return pointer.slice(1).split('/').map(unescapePointer)
}

function parent(doc: Json, tokens: string[], path: string): { container: Json; key: string } {
  let cur: Json = doc
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = Number(t)
      if (!/^\d+$/.test(t) || i >= cur.length) throw new PatchError(`doc is missing path: "${path}": missing value`)
      cur = cur[i]!
    } else if (isObject(cur)) {
      if (!(t in cur)) throw new PatchError(`doc is missing path: "${path}": missing value`)
      cur = cur[t]!
    } else throw new PatchError(`doc is missing path: "${path}": missing value`)
  }
  return { container: cur, key: tokens[tokens.length - 1]! }
}

function getAt(doc: Json, path: string): Json {
  let cur: Json = doc
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur) && /^\d+$/.test(t) && Number(t) < cur.length) cur = cur[Number(t)]!
    else if (isObject(cur) && t in cur) cur = cur[t]!
    else throw new PatchError(`doc is missing path: "${path}": missing value`)
  }
  return cur
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path)
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document')
  const { container, key } = parent(doc, tokens, path)
  if (Array.isArray(container)) {
    const i = Number(key)
    if (!/^\d+$/.test(key) || i >= container.length) throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`)
    return container.splice(i, 1)[0]!
  }
  if (isObject(container)) {
    if (!(key in container)) throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`)
    const v = container[key]!
    delete container[key]
    return v
  }
  throw new PatchError(`doc is missing path: "${path}": missing value`)
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(path)
  if (tokens.length === 0) return value
  const { container, key } = parent(doc, tokens, path)
  if (Array.isArray(container)) {
    if (replace) {
      const i = Number(key)
      if (!/^\d+$/.test(key) || i >= container.length) throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`)
      container[i] = value
    } else if (key === '-') container.push(value)
    else {
      const i = Number(key)
      if (!/^\d+$/.test(key) || i > container.length) throw new PatchError(`add operation does not apply: doc is missing path: "${path}": missing value`)
      container.splice(i, 0, value)
    }
    return doc
  }
  if (isObject(container)) {
    if (replace && !(key in container)) throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`)
    container[key] = value
    return doc
  }
  throw new PatchError(`doc is missing path: "${path}": missing value`)
}

/** RFC 6902. Throws PatchError on a failing operation (including a failed `test`). */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  let doc = clone(target)
  for (const raw of ops) {
    if (!isObject(raw)) throw new PatchError('invalid JSON patch operation')
    const op = raw['op']
    const path = raw['path']
    if (typeof path !== 'string') throw new PatchError(`operation missing "path" field`)
    switch (op) {
      case 'add':
        doc = addAt(doc, path, clone(raw['value'] ?? null), false)
        break
      case 'replace':
        doc = addAt(doc, path, clone(raw['value'] ?? null), true)
        break
      case 'remove':
        removeAt(doc, path)
        break
      case 'move': {
        const from = raw['from']
        if (typeof from !== 'string') throw new PatchError('operation missing "from" field')
        const v = removeAt(doc, from)
        doc = addAt(doc, path, v, false)
        break
      }
      case 'copy': {
        const from = raw['from']
        if (typeof from !== 'string') throw new PatchError('operation missing "from" field')
        doc = addAt(doc, path, clone(getAt(doc, from)), false)
        break
      }
      case 'test': {
        let actual: Json | undefined
        try {
          actual = getAt(doc, path)
        } catch {
          actual = undefined
        }
        if (!deepEqual(actual, raw['value'] ?? null)) throw new PatchError(`testing value ${path} failed: test failed`)
        break
      }
      default:
        throw new PatchError(`Unexpected kind: ${String(op)}`)
    }
  }
  return doc
}

/**
 * Strategic merge patch, approximated: like a merge patch, except that lists named in
 * `mergeKeys` (by their dotted path, list items shown as `[]`) merge item by item on their key,
 * and the `$patch: replace | delete` and `$retainKeys` directives are honoured on maps and list
 * items. Lists without a merge key replace, as in the real implementation.
 */
export function strategicMergePatch(target: Json | undefined, patch: Json, mergeKeys: Record<string, string>, path = ''): Json {
  if (!isObject(patch)) return clone(patch)
  const directive = patch['$patch']
  if (directive === 'replace') {
    const out = clone(patch)
    delete out['$patch']
    return out
  }
  if (directive === 'delete') return null
  const out: JsonObject = isObject(target) ? clone(target) : {}
  const retain = patch['$retainKeys']
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue
    if (k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) {
      if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
        const field = k.slice('$deleteFromPrimitiveList/'.length)
        const cur = out[field]
        if (Array.isArray(cur)) out[field] = cur.filter((x) => !v.some((d) => deepEqual(d, x)))
      }
      continue
    }
    const childPath = path ? `${path}.${k}` : k
    if (v === null) {
      delete out[k]
      continue
    }
    const key = mergeKeys[childPath]
    if (key !== undefined && Array.isArray(v)) {
      const cur = Array.isArray(out[k]) ? clone(out[k] as Json[]) : []
      for (const item of v) {
        if (!isObject(item)) continue
        const idx = cur.findIndex((c) => isObject(c) && deepEqual(c[key], item[key]))
        if (item['$patch'] === 'delete') {
          if (idx >= 0) cur.splice(idx, 1)
          continue
        }
        if (idx >= 0) cur[idx] = strategicMergePatch(cur[idx], item, mergeKeys, `${childPath}[]`)
        else cur.push(strategicMergePatch(undefined, item, mergeKeys, `${childPath}[]`))
      }
      out[k] = cur
      continue
    }
    out[k] = strategicMergePatch(out[k], v, mergeKeys, childPath)
  }
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k]
  }
  return out
}
