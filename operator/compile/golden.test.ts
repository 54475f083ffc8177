// Golden tests: testdata/<case>.in.yaml compiles to testdata/<case>.out.yaml, the YAML of
// {config, statuses}. Regenerate after an intended change with
//   UPDATE_GOLDEN=1 npx tap operator/compile/golden.test.ts
// and review the diff of the .out.yaml files: it is the behaviour change.
import t from 'tap'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments, stringify } from 'yaml'
import { compile, type CompileOptions } from './index.js'
import { configProblems } from '../../proxy/config/validate.js'
import type { ResourceObject } from '../../crds/validate.js'

const dir = join(import.meta.dirname, 'testdata')
const update = process.env.UPDATE_GOLDEN === '1'
export const GOLDEN_OPTIONS: CompileOptions = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http', port: 8080 } }

export function readCase(name: string): ResourceObject[] {
  const text = readFileSync(join(dir, `${name}.in.yaml`), 'utf8')
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${name}.in.yaml: ${doc.errors[0]!.message}`)
      return doc.toJS() as ResourceObject | null
    })
    .filter((r): r is ResourceObject => r !== null)
}

export function render(resources: ResourceObject[]): string {
  return stringify(compile(resources, GOLDEN_OPTIONS), { lineWidth: 0 })
}

const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length))
  .sort()

t.test('there are enough cases and no orphaned outputs', async (t) => {
  t.ok(cases.length >= 18, `${cases.length} cases`)
  const orphans = readdirSync(dir).filter((f) => f.endsWith('.out.yaml') && !cases.includes(f.slice(0, -'.out.yaml'.length)))
  t.same(orphans, [])
})

for (const name of cases) {
  t.test(name, async (t) => {
    const resources = readCase(name)
    const result = compile(resources, GOLDEN_OPTIONS)
    t.same(configProblems(result.config), [], 'the config passes the proxy-side validation')
    t.equal(result.statuses.length, resources.length, 'one status per input resource')
    const actual = stringify(result, { lineWidth: 0 })
    const outFile = join(dir, `${name}.out.yaml`)
    if (update) writeFileSync(outFile, actual)
    t.ok(existsSync(outFile), `${name}.out.yaml exists (run with UPDATE_GOLDEN=1 to create it)`)
    if (existsSync(outFile)) t.equal(actual, readFileSync(outFile, 'utf8'), `${name}.out.yaml is up to date`)
  })
}
