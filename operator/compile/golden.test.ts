// Golden tests: testdata/<case>.in.yaml compiles to testdata/<case>.out.yaml, the YAML of
// {config, statuses}. Regenerate after an intended change with
//   UPDATE_GOLDEN=1 npx tap operator/compile/golden.test.ts
// and review the diff of the .out.yaml files: it is the behaviour change.
import t from 'tap'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { compile } from './index.js'
import { isIamIdentity } from './iam.js'
import { configProblems } from '../../proxy/config/validate.js'
import { caseNames, GOLDEN_OPTIONS, readCase, TESTDATA as dir } from './testdata/cases.js'

const update = process.env.UPDATE_GOLDEN === '1'
const cases = caseNames()

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
    const secrets = resources.filter((r) => r.apiVersion === 'v1' && r.kind === 'Secret' && !isIamIdentity(r)).length
    t.equal(result.statuses.length, resources.length - secrets, 'one status per input resource but Secrets (IAM identity Secrets have one)')
    const actual = stringify(result, { lineWidth: 0 })
    const outFile = join(dir, `${name}.out.yaml`)
    if (update) writeFileSync(outFile, actual)
    t.ok(existsSync(outFile), `${name}.out.yaml exists (run with UPDATE_GOLDEN=1 to create it)`)
    if (existsSync(outFile)) t.equal(actual, readFileSync(outFile, 'utf8'), `${name}.out.yaml is up to date`)
  })
}
