// Standalone mode through HTTP: the contract example served from files, live edits under load
// with zero failed requests, a bad edit that leaves the previous version serving, and one broken
// Api that does not stop another from serving.
import t, { type Test } from 'tap'
import { writeFileSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'undici'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { manifestDir, startServer, waitFor } from '../helpers/servers.js'

const petstore = readFileSync(new URL('../../examples/manifests/petstore.yaml', import.meta.url), 'utf8')

function tagged(tag: string) {
  return startServer((req, res) => {
    const body = JSON.stringify({ tag, method: req.method, url: req.url })
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': tag })
    res.end(body)
  })
}

async function get(s: Standalone, host: string, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const r = await request(`http://127.0.0.1:${s.port}${path}`, { headers: { host: `${host}.execute-api.localhost:${s.port}` } })
  return { status: r.statusCode, body: await r.body.text(), headers: r.headers }
}

async function start(t: Test, files: string[]): Promise<{ s: Standalone; logs: string[] }> {
  const logs: string[] = []
  const s = await startStandalone(
    { files, domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 },
    (line) => logs.push(line),
  )
  t.teardown(() => s.close())
  return { s, logs }
}

/** Atomically replaces a file, as editors do, so a reader never sees half a file. */
function save(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content)
  renameSync(`${file}.tmp`, file)
}

t.test('serves the contract example from files', async (t) => {
  const a = await tagged('a')
  t.teardown(a.close)
  const dir = manifestDir({ 'petstore.yaml': petstore.replaceAll('127.0.0.1:9000', `127.0.0.1:${a.port}`) })
  const { s, logs } = await start(t, [dir])
  t.match(logs.join('\n'), `http://petstore01.execute-api.localhost:${s.port}/prod/`)

  const pets = await get(s, 'petstore01', '/prod/pets')
  t.equal(pets.status, 200)
  t.same(JSON.parse(pets.body), { tag: 'a', method: 'GET', url: '/pets' })

  const one = await get(s, 'petstore01', '/prod/pets/42')
  t.same(JSON.parse(one.body).url, '/pets/42', 'stage variable and path parameter in the URI')

  const proxied = await get(s, 'petstore01', '/prod/store/inventory?x=1')
  t.same(JSON.parse(proxied.body).url, '/store/inventory?x=1', '{proxy+} with ANY')

  const health = await get(s, 'petstore01', '/prod/health')
  t.equal(health.status, 200)
  t.same(JSON.parse(health.body), { ok: true }, 'MOCK integration')

  const unknownStage = await get(s, 'petstore01', '/beta/pets')
  t.equal(unknownStage.status, 403)
  t.same(JSON.parse(unknownStage.body), { message: 'Forbidden' }, 'unknown stage, as API Gateway answers it')
})

t.test('edits under load: zero failed requests, new config takes over', async (t) => {
  const a = await tagged('a')
  const b = await tagged('b')
  t.teardown(a.close)
  t.teardown(b.close)
  const manifest = (port: number, extra = '') =>
    `apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: live}
spec:
  apiId: live
  routes:
    - path: /item
      method: GET
      integration: {type: HTTP_PROXY, httpMethod: GET, uri: "http://127.0.0.1:${port}/item"}${extra}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: live-prod}
spec: {apiRef: {name: live}, stageName: prod}
`
  const dir = manifestDir({ 'live.yaml': manifest(a.port) })
  const file = join(dir, 'live.yaml')
  const { s, logs } = await start(t, [dir])

  let stop = false
  let ok = 0
  const failures: string[] = []
  const seen = new Set<string>()
  const worker = async () => {
    while (!stop) {
      try {
        const r = await get(s, 'live', '/prod/item')
        if (r.status === 200) {
          ok++
          seen.add(String(r.headers['x-backend']))
        } else failures.push(`${r.status} ${r.body}`)
      } catch (err) {
        failures.push(String(err))
      }
    }
  }
  const workers = Array.from({ length: 8 }, worker)
  for (let i = 0; i < 10; i++) {
    const port = i % 2 === 0 ? b.port : a.port
    const extra = i % 3 === 0 ? `\n    - path: /extra${i}\n      method: GET\n      integration: {type: MOCK, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: [{statusCode: "200"}]}` : ''
    save(file, manifest(port, extra))
    await new Promise((r) => setTimeout(r, 150))
  }
  save(file, manifest(b.port))
  await waitFor(() => s.gateway.config?.apis[0]?.revisions[0]?.routes.length === 1, 5000, `last edit applied; log:\n${logs.join('\n')}`)
  await new Promise((r) => setTimeout(r, 200))
  stop = true
  await Promise.all(workers)
  t.same(failures, [], 'no request failed while the manifest was edited')
  t.ok(ok > 50, `requests were served during the edits (${ok})`)
  t.same([...seen].sort(), ['a', 'b'], 'both backends served while edits alternated')
  const last = await get(s, 'live', '/prod/item')
  t.equal(last.headers['x-backend'], 'b', 'the last edit is live')
})

t.test('a bad edit is reported and the previous version keeps serving', async (t) => {
  const a = await tagged('a')
  t.teardown(a.close)
  const good = `apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: keep}
spec:
  apiId: keep
  routes:
    - {path: /item, method: GET, integration: {type: HTTP_PROXY, httpMethod: GET, uri: "http://127.0.0.1:${a.port}/item"}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: keep-prod}
spec: {apiRef: {name: keep}, stageName: prod}
`
  const dir = manifestDir({ 'keep.yaml': good })
  const file = join(dir, 'keep.yaml')
  const { s, logs } = await start(t, [dir])
  const hash = s.gateway.config?.hash
  t.equal((await get(s, 'keep', '/prod/item')).status, 200)

  save(file, good.replace('path: /item', 'path: "/item/{proxy+}/x"'))
  await waitFor(() => logs.some((l) => l.includes('keeps serving')), 5000, 'the error report')
  const report = logs.join('\n')
  t.match(report, `${file}:1`, 'names the file and line')
  t.match(report, 'spec.routes[0].path', 'names the field')
  t.match(report, /Api default\/keep/, 'names the resource')
  t.equal(s.gateway.config?.hash, hash, 'the config did not change')
  t.equal((await get(s, 'keep', '/prod/item')).status, 200, 'the previous version keeps serving')

  save(file, 'apiVersion: [unclosed\n')
  await waitFor(() => logs.some((l) => l.includes('manifests not applied')), 5000, 'the YAML error report')
  t.equal((await get(s, 'keep', '/prod/item')).status, 200, 'a YAML syntax error changes nothing')
})

t.test('one broken Api does not stop another from serving', async (t) => {
  const a = await tagged('a')
  t.teardown(a.close)
  const api = (name: string, path: string) => `apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: ${name}}
spec:
  apiId: ${name}
  routes:
    - {path: "${path}", method: GET, integration: {type: HTTP_PROXY, httpMethod: GET, uri: "http://127.0.0.1:${a.port}/x"}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: ${name}-prod}
spec: {apiRef: {name: ${name}}, stageName: prod}
`
  const dir = manifestDir({ 'good.yaml': api('good', '/ok'), 'broken.yaml': api('broken', 'no-leading-slash') })
  const { s, logs } = await start(t, [dir])
  t.equal((await get(s, 'good', '/prod/ok')).status, 200)
  t.not((await get(s, 'broken', '/prod/no-leading-slash')).status, 200)
  t.match(logs.join('\n'), /broken\.yaml:1: Api default\/broken: spec\.routes\[0\]\.path/)
})
