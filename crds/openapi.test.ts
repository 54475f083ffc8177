// TypeBox → structural OpenAPI: each rule of the conversion on its own.
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { toStructural } from './openapi.js'

t.test('a union of string literals becomes a string enum', async (t) => {
  const s = Type.Union([Type.Literal('OFF'), Type.Literal('INFO')], { description: 'Level.' })
  t.same(toStructural(s), { description: 'Level.', type: 'string', enum: ['OFF', 'INFO'] })
})

t.test('a single literal becomes a one-value enum of its type', async (t) => {
  t.same(toStructural(Type.Literal('v1')), { type: 'string', enum: ['v1'] })
  t.same(toStructural(Type.Literal(3)), { type: 'integer', enum: [3] })
})

t.test('a record becomes an object with additionalProperties; its key pattern is dropped', async (t) => {
  const s = Type.Record(Type.String({ pattern: '^[a-z]+$' }), Type.Integer({ minimum: 0 }), { additionalProperties: false, description: 'Counts.' })
  t.same(toStructural(s), { description: 'Counts.', type: 'object', additionalProperties: { type: 'integer', minimum: 0 } })
})

t.test('objects lose additionalProperties: false and list properties sorted, required sorted', async (t) => {
  const s = Type.Object(
    { b: Type.String({ description: 'B.' }), a: Type.Optional(Type.Boolean({ description: 'A.', default: true })), c: Type.Number({ description: 'C.' }) },
    { additionalProperties: false, $id: 'X' },
  )
  const out = toStructural(s)
  t.same(out, {
    type: 'object',
    required: ['b', 'c'],
    properties: { a: { description: 'A.', type: 'boolean', default: true }, b: { description: 'B.', type: 'string' }, c: { description: 'C.', type: 'number' } },
  })
  t.same(Object.keys(out.properties as object), ['a', 'b', 'c'])
  t.notOk('additionalProperties' in out)
})

t.test('an open object keeps unknown fields', async (t) => {
  t.same(toStructural(Type.Object({}, { additionalProperties: true })), { type: 'object', 'x-kubernetes-preserve-unknown-fields': true })
})

t.test('unknown with preserve-unknown-fields keeps the flag and no type', async (t) => {
  const s = Type.Unknown({ description: 'Any JSON.', 'x-kubernetes-preserve-unknown-fields': true })
  t.same(toStructural(s), { description: 'Any JSON.', 'x-kubernetes-preserve-unknown-fields': true })
})

t.test('a union of shapes marked preserve-unknown-fields is untyped', async (t) => {
  const s = Type.Union([Type.String(), Type.Array(Type.String())], { description: 'One or many.', 'x-kubernetes-preserve-unknown-fields': true })
  t.same(toStructural(s), { description: 'One or many.', 'x-kubernetes-preserve-unknown-fields': true })
})

t.test('constraints, formats and x-kubernetes keys are kept', async (t) => {
  t.same(toStructural(Type.String({ format: 'date-time', pattern: '^x', minLength: 1, maxLength: 9 })), {
    type: 'string', format: 'date-time', pattern: '^x', minLength: 1, maxLength: 9,
  })
  const list = Type.Array(Type.Object({ type: Type.String({ description: 'Key.' }) }), {
    minItems: 1, maxItems: 8, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'],
  })
  t.same(toStructural(list), {
    type: 'array',
    items: { type: 'object', required: ['type'], properties: { type: { description: 'Key.', type: 'string' } } },
    minItems: 1,
    maxItems: 8,
    'x-kubernetes-list-map-keys': ['type'],
    'x-kubernetes-list-type': 'map',
  })
})

t.test('what a CRD cannot express is a generator error naming the path', async (t) => {
  t.throws(() => toStructural(Type.Object({ a: Type.Union([Type.String(), Type.Number()]) })), { message: /^a: only unions of string literals/ })
  t.throws(() => toStructural(Type.Object({ n: Type.Number({ exclusiveMinimum: 0 }) })), { message: 'n: keyword exclusiveMinimum cannot be carried into a CRD schema' })
  t.throws(() => toStructural(Type.Object({ u: Type.Unknown() })), { message: /^u: TypeBox kind Unknown/ })
  t.throws(() => toStructural(Type.Object({ l: Type.Array(Type.Null()) })), { message: /^l\[\]: TypeBox kind Null/ })
})
