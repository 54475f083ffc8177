import t, { type Test } from 'tap'
import type { Problem } from './problems.js'
import { validateResource } from './validate.js'

/** Exactly these problems (t.match alone accepts extra items). */
function expectProblems(t: Test, found: Problem[], wanted: object[]): void {
  t.equal(found.length, wanted.length, `problem count of ${JSON.stringify(found)}`)
  t.match(found, wanted)
}

const key = (spec: Record<string, unknown>) => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'ApiKey',
  metadata: { name: 'alice', namespace: 'default' },
  spec,
})

t.test('a key from a Secret and a generated key are valid', async (t) => {
  t.same(validateResource(key({ enabled: false, customerId: 'c1', valueFrom: { secretKeyRef: { name: 's', key: 'value' } } })).problems, [])
  t.same(validateResource(key({ generate: true, description: 'bob' })).problems, [])
})

t.test('exactly one value source', async (t) => {
  expectProblems(t, validateResource(key({})).problems, [{ field: 'spec.valueFrom', reason: 'MissingValueSource', message: /valueFrom\.secretKeyRef, or generate: true/ }])
  expectProblems(t, validateResource(key({ generate: false })).problems, [{ field: 'spec.valueFrom', reason: 'MissingValueSource' }])
  expectProblems(t, validateResource(key({ generate: true, valueFrom: { secretKeyRef: { name: 's', key: 'k' } } })).problems, [
    { field: 'spec.generate', reason: 'ConflictingValueSource', message: 'set either valueFrom or generate: true, not both' },
  ])
})

t.test('the value itself cannot be written into the resource', async (t) => {
  expectProblems(t, validateResource(key({ value: 'abcdefghijklmnopqrstuvwxyz' })).problems, [{ field: 'spec.value', message: 'is not a known field' }])
})

t.test('a secretKeyRef needs a key', async (t) => {
  expectProblems(t, validateResource(key({ valueFrom: { secretKeyRef: { name: 's' } } })).problems, [{ field: 'spec.valueFrom.secretKeyRef.key', message: 'is required' }])
})

t.test('enabled must be a boolean', async (t) => {
  expectProblems(t, validateResource(key({ enabled: 'yes', generate: true })).problems, [{ field: 'spec.enabled', message: /^expected boolean; got "yes"/ }])
})
