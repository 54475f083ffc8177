// examples/validation serves as its header says: valid, a good body reaches the example
// backend, a bad one and a missing parameter are refused with AWS's messages, the template answers.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { request } from 'undici'
import { startStandalone } from '../../cli/run.js'
import { startBackend } from '../../examples/backend.js'
import { manifestDir } from '../helpers/servers.js'

const example = readFileSync(new URL('../../examples/validation/petstore-validated.yaml', import.meta.url), 'utf8')

t.test('examples/validation', async (t) => {
  const backend = await startBackend(0)
  t.teardown(() => new Promise<void>((resolve) => backend.server.close(() => resolve())))
  const dir = manifestDir({ 'petstore-validated.yaml': example.replace('127.0.0.1:9000', `127.0.0.1:${backend.port}`) })
  const logs: string[] = []
  const s = await startStandalone({ files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 }, (l) => logs.push(l))
  t.teardown(() => s.close())
  t.notMatch(logs.join('\n'), /error|warning/, 'no problems')
  const call = async (method: string, path: string, body?: string) => {
    const r = await request(`http://127.0.0.1:${s.port}/prod${path}`, {
      method: method as 'GET' | 'POST',
      headers: { host: `petvalid01.execute-api.localhost:${s.port}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body ?? null,
    })
    return { status: r.statusCode, body: await r.body.text() }
  }
  t.same(await call('POST', '/pets', '{"type": "dog", "price": 30}'), { status: 201, body: '{"id":4,"type":"dog","price":30}' })
  t.same(await call('POST', '/pets', '{"type": "bird", "price": 30}'), { status: 400, body: '{"message":"Invalid request body"}' }, 'the $ref to PetType is followed')
  t.same(await call('POST', '/pets', '{"type": "cat", "price": 30, "name": "Tom"}'), { status: 400, body: '{"message":"Invalid request body"}' })
  t.same(await call('GET', '/pets/search'), { status: 400, body: '{"message":"Missing required request parameters: [type]"}' })
  t.same(await call('GET', '/pets/search?type=cat'), { status: 200, body: '{"type": "cat", "pets": []}' })
})
