// The release notes (NOTES.txt) and docs/install.md tell the first request: the notes render for
// every value set with the right names, and the API they create is valid for Tollgate's own
// resource schemas. Neither `helm template` nor minihelm prints NOTES.txt, so the test renders
// the notes' named template through a throwaway template in a copy of the chart.
import t, { type Test } from 'tap'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { validateResource } from '../../crds/validate.js'
import { chartDir, renderChart, repoRoot } from './helpers.js'
import { scenarios } from './scenarios.js'

t.setTimeout(15 * 60_000)

const copy = mkdtempSync(join(tmpdir(), 'tollgate-notes-'))
t.teardown(() => rmSync(copy, { recursive: true, force: true }))
cpSync(chartDir, copy, { recursive: true })
writeFileSync(
  join(copy, 'templates/zz-notes-test.yaml'),
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes-test}\ndata:\n  notes: {{ include "tollgate.notes" . | toJson }}\n',
)
t.ok(readFileSync(join(chartDir, 'templates/NOTES.txt'), 'utf8').includes('include "tollgate.notes"'), 'NOTES.txt is the named template')

function notes(values: object, release: string, namespace: string): string {
  const cm = renderChart(values, { chart: copy, release, namespace }).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'notes-test')
  return (cm?.data as { notes: string }).notes
}

/** The manifests of the first `kubectl apply ... <<'YAML'` heredoc in a text, de-indented. */
function heredoc(text: string): unknown[] {
  const m = /<<'YAML'\n([\s\S]*?)\n\s*YAML\n/.exec(text)
  if (!m) return []
  const lines = m[1]!.split('\n')
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length))
  return parseAllDocuments(lines.map((l) => l.slice(indent)).join('\n')).map((d) => d.toJS())
}

function checkFirstRequest(t: Test, manifests: unknown[]): void {
  t.equal(manifests.length, 2, 'an Api and a Stage')
  for (const m of manifests) {
    const r = validateResource(m as Parameters<typeof validateResource>[0])
    t.same(r.problems, [], `${(m as { kind: string }).kind} is valid for the resource schemas`)
  }
  t.equal((manifests[0] as { spec: { apiId: string } }).spec.apiId, 'hello01')
  t.equal((manifests[1] as { spec: { stageName: string } }).spec.stageName, 'prod')
}

for (const sc of scenarios) {
  t.test(`notes for "${sc.name}"`, async (t) => {
    const text = notes(sc.values, sc.release, sc.namespace)
    const v = sc.values as { fullnameOverride?: string; watchNamespaces?: string[]; redis?: object; gateway?: { domain?: string } }
    const full = v.fullnameOverride ?? (sc.release.includes('tollgate') ? sc.release : `${sc.release}-tollgate`)
    t.match(text, `kubectl -n ${sc.namespace} port-forward service/${full}-proxy 8080:80`, 'the port-forward names the public Service')
    const domain = v.gateway?.domain ?? 'localhost'
    if (domain === 'localhost') t.match(text, 'curl http://hello01.execute-api.localhost:8080/prod/hello', 'the curl uses the execute-api host')
    else t.match(text, `curl -H 'Host: hello01.execute-api.${domain}' http://127.0.0.1:8080/prod/hello`, 'the curl names the execute-api host')
    t.match(text, `kubectl apply -n ${v.watchNamespaces?.[0] ?? 'default'} -f -`, 'the API goes to a watched namespace')
    t.equal(text.includes('no Redis is configured'), v.redis === undefined, 'the in-memory warning iff no Redis')
    t.equal(text.includes('may read Secrets in every namespace'), !v.watchNamespaces, 'the Secrets warning iff cluster-wide')
    if (v.gateway?.domain) t.match(text, `https://hello01.execute-api.${v.gateway.domain}/prod/hello`, 'the URL on the real domain')
    t.notMatch(text, /<no value>|%!/, 'no template artefacts')
    checkFirstRequest(t, heredoc(text))
  })
}

t.test('docs/install.md: the same first request', async (t) => {
  const doc = readFileSync(join(repoRoot, 'docs/install.md'), 'utf8')
  const section = doc.slice(doc.indexOf('## The first request'))
  checkFirstRequest(t, heredoc(section))
  t.match(section, 'kubectl -n tollgate-system port-forward service/tollgate-proxy 8080:80')
  t.match(section, 'curl http://hello01.execute-api.localhost:8080/prod/hello')
  const defaultsNotes = notes({}, 'tollgate', 'tollgate-system')
  t.same(heredoc(section), heredoc(defaultsNotes), 'the docs and the notes create the same API')
})
