// CORS in standalone mode: spec.cors read from a manifest file, a browser's preflight and
// request through `tollgate run`, and an edit of the allowed origins applied without a restart.
import t from 'tap'
import { writeFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'undici'
import { startStandalone } from '../../cli/run.js'
import { manifestDir, startServer } from '../helpers/servers.js'

const manifest = (port: number, origins: string[]) => `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: web}
spec:
  apiId: web
  protocol: HTTP
  cors:
    allowOrigins: ${JSON.stringify(origins)}
    allowMethods: [GET, PUT]
    allowHeaders: [content-type]
    maxAge: 60
  routes:
    - routeKey: ANY /{proxy+}
      integration: {type: HTTP_PROXY, httpMethod: ANY, uri: "http://127.0.0.1:${port}/{proxy}"}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: web}
spec:
  apiRef: {name: web}
  stageName: $default
`

t.test('spec.cors from a file, and an edit of it, through tollgate run', async (t) => {
  let calls = 0
  const backend = await startServer((req, res) => {
    calls++
    res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': 'https://backend-says.example' })
    res.end(`${req.method} ${req.url}`)
  })
  t.teardown(backend.close)
  const dir = manifestDir({ 'web.yaml': manifest(backend.port, ['https://one.example']) })
  const s = await startStandalone({ files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 }, () => {})
  t.teardown(() => s.close())

  const call = async (method: string, origin: string, extra: Record<string, string> = {}) => {
    const r = await request(`http://127.0.0.1:${s.port}/todos`, {
      method: method as 'GET',
      headers: { host: `web.execute-api.localhost:${s.port}`, origin, ...extra },
    })
    await r.body.text()
    return r
  }

  const pre = await call('OPTIONS', 'https://one.example', { 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' })
  t.equal(pre.statusCode, 204)
  t.equal(pre.headers['access-control-allow-origin'], 'https://one.example')
  t.equal(pre.headers['access-control-allow-methods'], 'GET,PUT')
  t.equal(pre.headers['access-control-max-age'], '60')
  t.equal(calls, 0, 'the ANY /{proxy+} route did not get the preflight')
  const put = await call('PUT', 'https://one.example')
  t.equal(put.statusCode, 200)
  t.equal(put.headers['access-control-allow-origin'], 'https://one.example')
  t.equal(calls, 1)

  const before = await call('GET', 'https://two.example')
  t.equal(before.headers['access-control-allow-origin'], undefined, 'two.example is not allowed yet')

  const file = join(dir, 'web.yaml')
  writeFileSync(`${file}.tmp`, manifest(backend.port, ['https://one.example', 'https://two.example']))
  renameSync(`${file}.tmp`, file)
  const deadline = Date.now() + 5000
  let after = await call('GET', 'https://two.example')
  while (after.headers['access-control-allow-origin'] === undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25))
    after = await call('GET', 'https://two.example')
  }
  t.equal(after.headers['access-control-allow-origin'], 'https://two.example', 'the edit is applied without a restart')
})
