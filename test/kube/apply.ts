// Server-side apply, approximated: field ownership per manager (metadata.managedFields in the
// real FieldsV1 format), merging of the applied configuration into the live object (granular
// maps, atomic lists by default, `x-kubernetes-list-type: set | map` lists merged by value or
// key), removal of fields a manager applied before and no longer applies, and conflicts with
// other managers unless `force=true`. Not modelled: version conversion of managed fields,
// `x-kubernetes-map-type: atomic` at the root of metadata, and the reset of managedFields by a
// client that sends them.
import { childSchema, type Schema } from './schema.js'
import { clone, deepEqual, isObject, type Json, type JsonObject } from './patch.js'

/** One step of a field path: `f:name`, `k:{"type":"Ready"}`, `v:"x"`. */
export type Segment = string
export type FieldPath = Segment[]

export interface ManagedEntry {
  manager: string
  operation: 'Apply' | 'Update'
  subresource?: string
  time: string
  /** Serialized paths (JSON of the segment list). */
  fields: Set<string>
}

/** The metadata fields that field management tracks. */
const TRACKED_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences']

/** The list semantics of the metadata fields, as the ObjectMeta schema declares them. */
export const METADATA_SCHEMA: Schema = {
  type: 'object',
  properties: {
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    ownerReferences: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'], items: { type: 'object' } },
  },
}

function itemKey(item: Json, s: Schema | undefined): Segment | undefined {
  const type = s?.['x-kubernetes-list-type']
  if (type === 'set') return `v:${JSON.stringify(item)}`
  if (type === 'map' && isObject(item)) {
    const keys: JsonObject = {}
    for (const k of s?.['x-kubernetes-list-map-keys'] ?? []) if (item[k] !== undefined) keys[k] = item[k]!
    return `k:${JSON.stringify(keys)}`
  }
  return undefined
}

function isAtomicList(s: Schema | undefined): boolean {
  const t = s?.['x-kubernetes-list-type']
  return t !== 'set' && t !== 'map'
}

/** Every owned leaf path of a value (a fragment of an object), given its schema. */
function collect(value: Json, s: Schema | undefined, prefix: FieldPath, out: Set<string>): void {
  if (Array.isArray(value)) {
    if (isAtomicList(s)) {
      out.add(JSON.stringify(prefix))
      return
    }
    for (const item of value) {
      const seg = itemKey(item, s)!
      if (s?.['x-kubernetes-list-type'] === 'set') out.add(JSON.stringify([...prefix, seg]))
      else {
        out.add(JSON.stringify([...prefix, seg, '.']))
        if (isObject(item)) collect(item, s?.items, [...prefix, seg], out)
      }
    }
    return
  }
  if (isObject(value) && s?.['x-kubernetes-map-type'] !== 'atomic' && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) collect(v, childSchema(s, k), [...prefix, `f:${k}`], out)
    return
  }
  if (prefix.length > 0) out.add(JSON.stringify(prefix))
}

/** The owned paths of an object: its content but metadata, and the tracked metadata fields. */
export function fieldSet(obj: JsonObject, s: Schema | undefined, only?: 'status' | 'main'): Set<string> {
  const out = new Set<string>()
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue
    if (only === 'status' && k !== 'status') continue
    if (only === 'main' && k === 'status') continue
    if (k === 'metadata') {
      if (only === 'status' || !isObject(v)) continue
      for (const m of TRACKED_METADATA) if (v[m] !== undefined) collect(v[m]!, METADATA_SCHEMA.properties![m], ['f:metadata', `f:${m}`], out)
      continue
    }
    collect(v, childSchema(s, k), [`f:${k}`], out)
  }
  return out
}

function schemaFor(s: Schema | undefined, seg: Segment, parentKey: string | undefined): Schema | undefined {
  if (seg.startsWith('f:')) {
    const k = seg.slice(2)
    if (parentKey === undefined && k === 'metadata') return METADATA_SCHEMA
    return childSchema(s, k)
  }
  return s?.items
}

function matchItem(item: Json, seg: Segment, s: Schema | undefined): boolean {
  return itemKey(item, s) === seg
}

/** The value at a path, or undefined. */
export function valueAt(obj: Json, path: FieldPath, s: Schema | undefined): Json | undefined {
  let cur: Json | undefined = obj
  let cs = s
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!
    if (seg === '.') return cur
    if (cur === undefined) return undefined
    if (seg.startsWith('f:')) {
      if (!isObject(cur)) return undefined
      cur = cur[seg.slice(2)]
      cs = schemaFor(cs, seg, i === 0 ? undefined : 'x')
    } else {
      if (!Array.isArray(cur)) return undefined
      const listSchema = cs
      cur = cur.find((item) => matchItem(item, seg, listSchema))
      cs = cs?.items
    }
  }
  return cur
}

/** Removes the value at a path; returns whether something was removed. */
function removeAt(obj: JsonObject, path: FieldPath, s: Schema | undefined): void {
  const segs = path[path.length - 1] === '.' ? path.slice(0, -1) : path
  let cur: Json | undefined = obj
  let cs = s
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!
    const last = i === segs.length - 1
    if (seg.startsWith('f:')) {
      if (!isObject(cur)) return
      if (last) {
        delete cur[seg.slice(2)]
        return
      }
      cur = cur[seg.slice(2)]
      cs = schemaFor(cs, seg, i === 0 ? undefined : 'x')
    } else {
      if (!Array.isArray(cur)) return
      const listSchema = cs
      const idx = cur.findIndex((item) => matchItem(item, seg, listSchema))
      if (idx < 0) return
      if (last) {
        cur.splice(idx, 1)
        return
      }
      cur = cur[idx]
      cs = cs?.items
    }
  }
}

/** Merges an applied configuration into the live value. */
function merge(live: Json | undefined, applied: Json, s: Schema | undefined, isRoot: boolean): Json {
  if (Array.isArray(applied)) {
    if (isAtomicList(s) || !Array.isArray(live)) return clone(applied)
    const out = clone(live)
    for (const item of applied) {
      const seg = itemKey(item, s)
      const idx = out.findIndex((x) => itemKey(x, s) === seg)
      if (idx < 0) out.push(clone(item))
      else if (s?.['x-kubernetes-list-type'] === 'map') out[idx] = merge(out[idx], item, s.items, false)
    }
    return out
  }
  if (isObject(applied) && isObject(live) && s?.['x-kubernetes-map-type'] !== 'atomic') {
    const out = clone(live)
    for (const [k, v] of Object.entries(applied)) {
      const cs = isRoot && k === 'metadata' ? METADATA_SCHEMA : childSchema(s, k)
      out[k] = merge(out[k], v, cs, false)
    }
    return out
  }
  return clone(applied)
}

export interface ApplyResult {
  object: JsonObject
  managed: ManagedEntry[]
  /** Conflicting fields, by manager, when the apply is refused. */
  conflicts: { manager: string; path: string }[]
}

/** Renders a path the way apply conflicts name it: `.spec.replicas`, `.status.conditions[type="Ready"]`. */
export function renderPath(path: FieldPath): string {
  let s = ''
  for (const seg of path) {
    if (seg === '.') continue
    if (seg.startsWith('f:')) s += `.${seg.slice(2)}`
    else if (seg.startsWith('k:')) {
      const keys = JSON.parse(seg.slice(2)) as JsonObject
      s += `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`
    } else if (seg.startsWith('v:')) s += `[=${seg.slice(2)}]`
  }
  return s
}

/**
 * Applies `applied` (already restricted to what the endpoint may change) to `live` for `manager`.
 * `live` is undefined on create.
 */
export function apply(
  live: JsonObject | undefined,
  applied: JsonObject,
  s: Schema | undefined,
  managed: ManagedEntry[],
  manager: string,
  subresource: string | undefined,
  force: boolean,
  now: string,
  only?: 'status' | 'main',
): ApplyResult {
  const newSet = fieldSet(applied, s, only)
  const entries = managed.map((e) => ({ ...e, fields: new Set(e.fields) }))
  const base = live ? clone(live) : {}
  const conflicts: { manager: string; path: string }[] = []
  for (const key of newSet) {
    const path = JSON.parse(key) as FieldPath
    // Owning a list item itself ('.') is membership, which two managers can share without conflict.
    if (path[path.length - 1] === '.') continue
    for (const e of entries) {
      if (e.manager === manager && e.operation === 'Apply' && e.subresource === subresource) continue
      if (!e.fields.has(key)) continue
      const same = deepEqual(valueAt(base, path, s), valueAt(applied, path, s))
      if (same) continue
      if (force) e.fields.delete(key)
      else conflicts.push({ manager: e.manager, path: renderPath(path) })
    }
  }
  if (conflicts.length > 0) return { object: base, managed, conflicts }
  let merged = merge(base, applied, s, true) as JsonObject
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply' && e.subresource === subresource)
  if (mine) {
    for (const key of mine.fields) {
      if (newSet.has(key)) continue
      if (entries.some((e) => e !== mine && e.fields.has(key))) continue
      removeAt(merged, JSON.parse(key) as FieldPath, s)
    }
    mine.fields = newSet
    mine.time = now
  } else {
    const e: ManagedEntry = { manager, operation: 'Apply', time: now, fields: newSet }
    if (subresource) e.subresource = subresource
    entries.push(e)
  }
  merged = clone(merged)
  return { object: merged, managed: entries.filter((e) => e.fields.size > 0), conflicts }
}

/** Ownership after a non-apply write: the writer takes every field it changed or added. */
export function recordUpdate(
  before: JsonObject | undefined,
  after: JsonObject,
  s: Schema | undefined,
  managed: ManagedEntry[],
  manager: string,
  subresource: string | undefined,
  now: string,
): ManagedEntry[] {
  const afterSet = fieldSet(after, s)
  const beforeSet = before ? fieldSet(before, s) : new Set<string>()
  const changed = new Set<string>()
  for (const key of afterSet) {
    const path = JSON.parse(key) as FieldPath
    const membership = path[path.length - 1] === '.'
    if (!beforeSet.has(key) || (!membership && !deepEqual(valueAt(before ?? {}, path, s), valueAt(after, path, s)))) changed.add(key)
  }
  const entries = managed.map((e) => ({ ...e, fields: new Set([...e.fields].filter((k) => afterSet.has(k) && !changed.has(k))) }))
  if (changed.size > 0) {
    let mine = entries.find((e) => e.manager === manager && e.operation === 'Update' && e.subresource === subresource)
    if (!mine) {
      mine = { manager, operation: 'Update', time: now, fields: new Set() }
      if (subresource) mine.subresource = subresource
      entries.push(mine)
    }
    for (const k of changed) mine.fields.add(k)
    mine.time = now
  }
  return entries.filter((e) => e.fields.size > 0)
}

/** metadata.managedFields as the API serves it. */
export function renderManagedFields(entries: ManagedEntry[], apiVersion: string): JsonObject[] {
  return entries.map((e) => {
    const tree: JsonObject = {}
    for (const key of [...e.fields].sort()) {
      let node = tree
      for (const seg of JSON.parse(key) as FieldPath) {
        if (!isObject(node[seg])) node[seg] = {}
        node = node[seg] as JsonObject
      }
    }
    const out: JsonObject = { manager: e.manager, operation: e.operation, apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1: tree }
    if (e.subresource) out['subresource'] = e.subresource
    return out
  })
}
