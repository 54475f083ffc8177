// A real Lambda handler library behind AWS_PROXY: the Express app of examples/functions (wrapped
// by serverless-http, unchanged from what runs on AWS Lambda), loaded by the function host
// (functions/host.ts) from its file, behind the example manifests (examples/functions/local),
// called with undici: GET with a query, POST with JSON, a binary response, cookies, errors —
// through a REST API (payload 1.0) and an HTTP API (payload 2.0).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { request } from 'undici'
import type { ResourceObject } from '../../crds/validate.js'
import { loadHandler } from '../../functions/handler.js'
import { startFunctionHost, type FunctionHost } from '../../functions/host.js'
import { PHOTO } from '../../examples/functions/app.js'
import { startGateway, type Running } from '../proxy/helpers.js'
import { compiled } from './helpers.js'

const LOCAL = fileURLToPath(new URL('../../examples/functions/local/', import.meta.url))

/** The example manifests, with the function's port replaced by the test host's. */
function exampleManifests(port: number): ResourceObject[] {
  return ['rest-api.yaml', 'http-api.yaml'].flatMap((file) =>
    parseAllDocuments(readFileSync(`${LOCAL}${file}`, 'utf8').replaceAll('127.0.0.1:9001', `127.0.0.1:${port}`)).map((d) => d.toJS() as ResourceObject),
  )
}

let host: FunctionHost
let gw: Running

t.before(async () => {
  host = await startFunctionHost({ handler: await loadHandler(fileURLToPath(new URL('../../examples/functions/app.ts#handler', import.meta.url))) })
  gw = await startGateway(compiled(exampleManifests(host.port)))
})
t.teardown(async () => {
  await gw.close()
  await host.close()
})

/** A request whose body comes back as bytes. */
async function bytes(apiId: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(`http://127.0.0.1:${gw.port}${path}`, { headers: { host: `${apiId}.execute-api.localhost:${gw.port}`, ...headers }, dispatcher: gw.agent })
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) }
}

for (const [api, prefix, protocol] of [
  ['pets', '/prod', 'REST'],
  ['pets-http', '', 'HTTP API'],
] as const) {
  t.test(`${protocol}: GET with a query`, async (t) => {
    const res = await gw.fetch(api, `${prefix}/pets?type=dog&limit=1`)
    t.equal(res.status, 200)
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    t.strictSame(res.json(), [{ id: 1, type: 'dog', name: 'Rex' }])
    t.equal(res.headers['content-length'], String(Buffer.byteLength(res.text)))
    t.equal(res.headers['x-powered-by'], 'Express', "the app's own headers come through")
  })

  t.test(`${protocol}: POST with JSON`, async (t) => {
    const res = await gw.fetch(api, `${prefix}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Nemo', type: 'fish' }) })
    t.equal(res.status, 201)
    t.match(res.json(), { type: 'fish', name: 'Nemo', id: Number })
    t.match(res.headers.location, /^\/pets\/\d+$/)
    const bad = await gw.fetch(api, `${prefix}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": 1}' })
    t.equal(bad.status, 400)
    t.strictSame(bad.json(), { message: 'a pet needs a name and a type' })
  })

  t.test(`${protocol}: a binary response arrives as the original bytes`, async (t) => {
    const res = await bytes(api, `${prefix}/pets/1/photo`, { accept: 'image/png' })
    t.equal(res.status, 200)
    t.equal(res.headers['content-type'], 'image/png')
    t.ok(res.body.equals(PHOTO), 'byte for byte')
    t.equal(res.headers['content-length'], String(PHOTO.length))
  })

  t.test(`${protocol}: cookies set by the app, and sent back to it`, async (t) => {
    const set = await gw.fetch(api, `${prefix}/session`, { method: 'POST' })
    t.equal(set.status, 200)
    t.strictSame(set.headers['set-cookie'], ['session=abc123; Path=/; HttpOnly', 'theme=dark; Path=/'])
    const read = await gw.fetch(api, `${prefix}/session`, { headers: { cookie: 'session=abc123; theme=dark' } })
    t.strictSame(read.json(), { cookies: { session: 'abc123', theme: 'dark' } })
  })

  t.test(`${protocol}: the app's own error response, and a handler that fails`, async (t) => {
    const teapot = await gw.fetch(api, `${prefix}/teapot`)
    t.equal(teapot.status, 418)
    t.strictSame(teapot.json(), { message: "I'm a teapot" })
    const crash = await gw.fetch(api, `${prefix}/crash`)
    t.equal(crash.status, protocol === 'REST' ? 502 : 500)
    t.strictSame(crash.json(), { message: protocol === 'REST' ? 'Internal server error' : 'Internal Server Error' })
  })
}

t.test("REST: without a binary Accept the base64 text is the body, with its real length (not the app's stale Content-Length)", async (t) => {
  const res = await bytes('pets', '/prod/pets/1/photo')
  t.equal(res.body.toString('utf8'), PHOTO.toString('base64'))
  t.equal(res.headers['content-length'], String(PHOTO.toString('base64').length))
})
