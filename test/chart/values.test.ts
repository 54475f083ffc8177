// values.yaml and values.schema.json: the defaults and every test value set pass the schema, bad
// values fail it (with ajv here; also through `helm template` where helm is installed, since
// minihelm does not apply the schema), every value is documented, and the values table in
// docs/install.md is current (UPDATE_GOLDEN=1 or `npm run chart:docs` rewrites it).
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import AjvModule from 'ajv'
import { chartDir, defaultValues, getRenderer, mergeValues, renderChartRaw, repoRoot } from './helpers.js'
import { scenarios } from './scenarios.js'
import { documentedValues, tableBegin, tableEnd, valuesTable } from './values-doc.js'

t.setTimeout(15 * 60_000)

const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as new (opts: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null }
}
const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object
const validate = new Ajv({ allErrors: true, strict: true, strictTypes: false }).compile(schema)

function problems(overrides: Record<string, unknown>): string[] {
  const values = mergeValues(defaultValues(), overrides)
  return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`)
}

t.test('the default values pass the schema', async (t) => {
  t.same(problems({}), [])
})

for (const sc of scenarios) {
  t.test(`values of "${sc.name}" pass the schema`, async (t) => {
    t.same(problems(sc.values), [])
  })
}

const bad: Array<[string, Record<string, unknown>]> = [
  ['operator.replicas "two"', { operator: { replicas: 'two' } }],
  ['a misspelt key (proxy.replica)', { proxy: { replica: 3 } }],
  ['an unknown top-level key', { redisUrl: 'redis://x' }],
  ['an unknown Service type', { proxy: { service: { type: 'Ingress' } } }],
  ['a port out of range', { proxy: { port: 70000 } }],
  ['a namespace that is no DNS label', { watchNamespaces: ['Team_A'] }],
  ['both redis.url and redis.existingSecret', { redis: { url: 'redis://r:6379', existingSecret: 'r' } }],
  ['a Redis URL without redis://', { redis: { url: 'r:6379' } }],
  ['two operators without leader election', { operator: { replicas: 2, leaderElection: { enabled: false } } }],
  ['an HPA target above 100%', { proxy: { autoscaling: { targetCPUUtilizationPercentage: 150 } } }],
  ['an endpoint scheme other than http/https', { gateway: { endpointScheme: 'ftp' } }],
  ['a malformed image digest', { image: { digest: 'latest' } }],
  ['an unknown resources key', { proxy: { resources: { request: { cpu: '1' } } } }],
  ['a trace sample ratio above 1', { proxy: { tracing: { sampleRatio: 1.5 } } }],
  ['an OTLP endpoint without http(s)://', { proxy: { tracing: { otlpEndpoint: 'otel-collector:4318' } } }],
]

t.test('the schema rejects bad values', async (t) => {
  for (const [what, overrides] of bad) {
    const p = problems(overrides)
    t.not(p.length, 0, `${what} is rejected`)
    t.comment(`${what}: ${p.join("; ")}`)
  }
  t.match(problems({ operator: { replicas: 'two' } }).join('\n'), /\/operator\/replicas must be integer/, 'and says where and why')
})

t.test('helm applies the schema at render time', async (t) => {
  const r = getRenderer()
  if (!r.appliesSchema) {
    // minihelm renders templates only; the schema is enforced by ajv above (as helm would).
    t.equal(r.kind, 'minihelm', 'only minihelm skips the schema, and ajv covers it')
    return
  }
  const res = renderChartRaw({ operator: { replicas: 'two' } })
  t.notOk(res.ok, 'helm template refuses replicas "two"')
  t.match(res.stderr, /replicas/, 'naming the value')
})

t.test('every value in values.yaml has a `# -- ` description', async (t) => {
  const values = documentedValues()
  t.ok(values.length > 50, `${values.length} values`)
  for (const v of values) t.ok(v.description, `${v.path} is described`)
})

t.test('docs/install.md lists every value with its default and description', async (t) => {
  const file = join(repoRoot, 'docs/install.md')
  const text = readFileSync(file, 'utf8')
  const begin = text.indexOf(tableBegin)
  const end = text.indexOf(tableEnd)
  t.ok(begin >= 0 && end > begin, 'docs/install.md has the values-table markers')
  if (begin < 0 || end < begin) return
  const fresh = `${text.slice(0, begin + tableBegin.length)}\n${valuesTable()}\n${text.slice(end)}`
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, fresh)
    t.pass('rewrote the values table')
    return
  }
  t.equal(text, fresh, 'the values table is current — run `npm run chart:docs`')
})
