// The pure pieces of the test API server: patches, selectors, schemas, server-side apply.
import t from 'tap'
import { jsonPatch, mergePatch, strategicMergePatch, type JsonObject } from './patch.js'
import { parseFieldSelector, parseLabelSelector } from './selectors.js'
import { applyDefaults, prune, validate, type Schema } from './schema.js'
import { apply, recordUpdate, renderManagedFields } from './apply.js'

t.test('JSON merge patch (RFC 7386)', async (t) => {
  t.same(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] }), { a: 1, b: { d: 3, e: 4 }, l: [3] })
})

t.test('JSON patch (RFC 6902)', async (t) => {
  const doc = { a: { b: [1, 2] }, 'x/y': 1 }
  t.same(jsonPatch(doc, [{ op: 'add', path: '/a/b/-', value: 3 }]), { a: { b: [1, 2, 3] }, 'x/y': 1 })
  t.same(jsonPatch(doc, [{ op: 'add', path: '/a/b/0', value: 0 }]), { a: { b: [0, 1, 2] }, 'x/y': 1 })
  t.same(jsonPatch(doc, [{ op: 'remove', path: '/x~1y' }]), { a: { b: [1, 2] } })
  t.same(jsonPatch(doc, [{ op: 'move', from: '/a/b', path: '/c' }]), { a: {}, c: [1, 2], 'x/y': 1 })
  t.same(jsonPatch(doc, [{ op: 'copy', from: '/a/b/1', path: '/d' }]), { a: { b: [1, 2] }, 'x/y': 1, d: 2 })
  t.same(jsonPatch(doc, [{ op: 'test', path: '/a/b', value: [1, 2] }]), doc)
  t.throws(() => jsonPatch(doc, [{ op: 'test', path: '/a/b', value: [2] }]), { name: 'PatchError' })
  t.throws(() => jsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }]), { name: 'PatchError' })
  t.throws(() => jsonPatch(doc, [{ op: 'remove', path: '/a/b/5' }]), { name: 'PatchError' })
  t.same(doc, { a: { b: [1, 2] }, 'x/y': 1 }, 'the input is not modified')
})

t.test('strategic merge patch (approximation)', async (t) => {
  const keys = { 'spec.ports': 'port' }
  const svc = { spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }], selector: { a: '1', b: '2' } } }
  t.same(strategicMergePatch(svc, { spec: { ports: [{ port: 443, $patch: 'delete' }, { port: 8080, name: 'alt' }] } }, keys), {
    spec: { ports: [{ port: 80, name: 'http' }, { port: 8080, name: 'alt' }], selector: { a: '1', b: '2' } },
  })
  t.same(strategicMergePatch(svc, { spec: { selector: { $patch: 'replace', c: '3' } } }, keys), { spec: { ports: svc.spec.ports, selector: { c: '3' } } })
  t.same(strategicMergePatch({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, {}), { metadata: { finalizers: ['b'] } })
})

t.test('label and field selectors', async (t) => {
  const l = { app: 'web', tier: 'gold' }
  const yes = (s: string) => parseLabelSelector(s)(l)
  t.ok(yes('app=web'))
  t.ok(yes('app==web,tier'))
  t.ok(yes('app!=db'))
  t.ok(yes('tier in (gold, silver)'))
  t.ok(yes('tier notin (bronze),!missing'))
  t.notOk(yes('app=db'))
  t.notOk(yes('!app'))
  t.notOk(yes('tier in (silver)'))
  t.ok(parseLabelSelector('')(undefined))
  t.throws(() => parseLabelSelector('a b c'), { name: 'ApiError', status: { code: 400 } })
  t.same(parseFieldSelector('metadata.name=x,metadata.namespace!=y'), [
    { field: 'metadata.name', op: '=', value: 'x' },
    { field: 'metadata.namespace', op: '!=', value: 'y' },
  ])
})

t.test('structural schemas: prune, default, validate', async (t) => {
  const s: Schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['n'],
        properties: {
          n: { type: 'integer', minimum: 1 },
          mode: { type: 'string', default: 'a', enum: ['a', 'b'] },
          port: { 'x-kubernetes-int-or-string': true },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        },
      },
    },
  }
  const obj = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x', anything: 1 }, spec: { n: 2, junk: 1, free: { any: { thing: 1 } } }, extra: 1 }
  const pruned = prune(obj, s, true) as JsonObject
  t.same(pruned, { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x', anything: 1 }, spec: { n: 2, free: { any: { thing: 1 } } } })
  t.same((applyDefaults(pruned, s) as JsonObject)['spec'], { n: 2, free: { any: { thing: 1 } }, mode: 'a' })
  const errs = validate({ spec: { n: 0, mode: 'c', port: true, tags: ['a', 'a'] } }, s, '')
  t.same(errs.map((e) => `${e.field} ${e.type}`).sort(), ['spec.mode FieldValueNotSupported', 'spec.n FieldValueInvalid', 'spec.port FieldValueTypeInvalid', 'spec.tags[1] FieldValueDuplicate'])
  t.same(validate({ spec: {} }, s, '').map((e) => e.field), ['spec.n'])
  t.same(validate({ spec: { n: 'x' } }, s, '').map((e) => e.detail), ['spec.n in body must be of type integer: "string"'])
})

t.test('server-side apply: ownership, removal, list-map merge, conflicts', async (t) => {
  const s: Schema = {
    type: 'object',
    properties: {
      status: {
        type: 'object',
        properties: {
          conditions: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], items: { type: 'object' } },
          hosts: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  }
  const now = '2024-01-01T00:00:00Z'
  const live: JsonObject = { metadata: { name: 'x' }, status: { conditions: [{ type: 'Other', status: 'True' }] } }
  const managed0 = recordUpdate(undefined, live, s, [], 'someone', undefined, now)
  const r1 = apply(live, { metadata: { name: 'x' }, status: { conditions: [{ type: 'Ready', status: 'True' }], hosts: ['a'] } }, s, managed0, 'op', 'status', false, now)
  t.same(r1.conflicts, [])
  t.same((r1.object['status'] as JsonObject)['conditions'], [{ type: 'Other', status: 'True' }, { type: 'Ready', status: 'True' }], 'list-map items merge by key')
  const r2 = apply(r1.object, { metadata: { name: 'x' }, status: { conditions: [] } }, s, r1.managed, 'op', 'status', false, now)
  t.same(r2.object['status'], { conditions: [{ type: 'Other', status: 'True' }] }, 'fields no longer applied are removed; others keep theirs')
  const r3 = apply(r2.object, { metadata: { name: 'x' }, status: { conditions: [{ type: 'Other', status: 'False' }] } }, s, r2.managed, 'op', 'status', false, now)
  t.same(r3.conflicts, [{ manager: 'someone', path: '.status.conditions[type="Other"].status' }])
  const rendered = renderManagedFields(r1.managed, 'x/v1')
  t.match(rendered.find((e) => e['manager'] === 'op'), { operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:hosts': {} } } })
})
