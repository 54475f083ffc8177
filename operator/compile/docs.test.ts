// docs/compiler.md is the reference of every reason the compiler and the file source can give;
// this test fails when one is missing, or when the documented apiId example is wrong.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { defaultApiId } from './apiid.js'
import { caseNames, TESTDATA } from './testdata/cases.js'

const root = join(import.meta.dirname, '..', '..')
const doc = readFileSync(join(root, 'docs', 'compiler.md'), 'utf8')

function literalReasons(file: string): string[] {
  const code = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('//'))
    .join('\n')
  return [...code.matchAll(/'([A-Z][a-z]+(?:[A-Z][a-z]*)+)'/g)].map((m) => m[1]!)
}

t.test('every reason in the code is documented', async (t) => {
  const files = [
    ...readdirSync(import.meta.dirname)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(import.meta.dirname, f)),
    join(root, 'crds', 'validate.ts'),
    join(root, 'operator', 'sources', 'files.ts'),
  ]
  const reasons = new Set(files.flatMap(literalReasons))
  reasons.add('Required') // crds/validate.ts: one word, missed by the pattern above
  // The kinds' own cross-field checks in crds/: the reason is the second argument of error()/warning().
  for (const f of readdirSync(join(root, 'crds')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const code = readFileSync(join(root, 'crds', f), 'utf8')
    for (const m of code.matchAll(/\b(?:error|warning)\([^,]+,\s*'([A-Za-z]+)'/g)) reasons.add(m[1]!)
  }
  t.ok(reasons.size > 30, `${reasons.size} reasons found`)
  for (const reason of [...reasons].sort()) t.ok(doc.includes(`\`${reason}\``), `${reason} is in docs/compiler.md`)
})

t.test('every reason the golden outputs show is documented', async (t) => {
  const seen = new Set<string>()
  for (const name of caseNames()) {
    const out = parse(readFileSync(join(TESTDATA, `${name}.out.yaml`), 'utf8')) as {
      statuses: Array<{ problems: Array<{ reason: string }>; status: { conditions: Array<{ reason: string }> } }>
    }
    for (const s of out.statuses) {
      for (const p of s.problems) seen.add(p.reason)
      for (const c of s.status.conditions) seen.add(c.reason)
    }
  }
  for (const reason of [...seen].sort()) t.ok(doc.includes(`\`${reason}\``), `${reason} is in docs/compiler.md`)
})

t.test('the documented apiId example is what the formula gives', async (t) => {
  t.match(doc, `\`shop/inventory\` → \`${defaultApiId('shop', 'inventory')}\``)
})
