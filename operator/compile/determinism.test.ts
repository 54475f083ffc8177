// The same resources in any order compile to the same bytes and the same hash.
import t, { type Test } from 'tap'
import { stringify } from 'yaml'
import { compile } from './index.js'
import { caseNames, GOLDEN_OPTIONS, readCase } from './testdata/cases.js'
import type { ResourceObject } from '../../crds/validate.js'

const cases = caseNames()

/** Deterministic Fisher-Yates with a small LCG, so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

function check(t: Test, resources: ResourceObject[]): void {
  const expected = compile(resources, GOLDEN_OPTIONS)
  const expectedText = stringify(expected)
  for (let seed = 1; seed <= 8; seed++) {
    const actual = compile(structuredClone(shuffled(resources, seed)), GOLDEN_OPTIONS)
    t.equal(actual.config.hash, expected.config.hash, `seed ${seed}: same hash`)
    t.equal(stringify(actual), expectedText, `seed ${seed}: same output`)
  }
}

for (const name of cases) t.test(name, async (t) => check(t, readCase(name)))

t.test('all cases together (with their duplicates and conflicts)', async (t) => {
  const all = cases.flatMap(readCase)
  t.ok(all.length > 50)
  check(t, all)
})
