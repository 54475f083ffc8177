// Route priority: static beats {param} beats {proxy+}; a specific method beats ANY; HEAD is
// not served by GET; a method mismatch falls back to a less specific path.
import t from 'tap'
import { Router } from './router.js'

function router(keys: string[]): Router<string> {
  const r = new Router<string>()
  for (const key of keys) {
    const [method, path] = key.split(' ')
    r.add(method!, path!, key)
  }
  return r
}

const segs = (path: string) => path.split('/').filter((s) => s !== '')

t.test('static beats param beats greedy', async (t) => {
  const r = router(['GET /pets/dog', 'GET /pets/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}'])
  t.equal(r.match('GET', segs('/pets/dog'))?.value, 'GET /pets/dog')
  t.equal(r.match('GET', segs('/pets/cat'))?.value, 'GET /pets/{id}')
  t.equal(r.match('GET', segs('/pets/cat/1'))?.value, 'GET /pets/{proxy+}')
  t.equal(r.match('GET', segs('/owners/1'))?.value, 'ANY /{proxy+}')
})

t.test("AWS's HTTP API example table", async (t) => {
  const r = router(['GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}'])
  t.equal(r.match('GET', segs('/pets/dog/1'))?.value, 'GET /pets/dog/{id}')
  t.equal(r.match('GET', segs('/pets/cat/1'))?.value, 'GET /pets/{proxy+}')
  t.equal(r.match('POST', segs('/test/5'))?.value, 'ANY /{proxy+}')
})

t.test('a specific method beats ANY on the same path', async (t) => {
  const r = router(['ANY /pets', 'POST /pets'])
  t.equal(r.match('POST', segs('/pets'))?.value, 'POST /pets')
  t.equal(r.match('GET', segs('/pets'))?.value, 'ANY /pets')
})

t.test('a method mismatch falls back to a less specific path', async (t) => {
  const r = router(['GET /pets/{id}', 'ANY /{proxy+}'])
  t.equal(r.match('DELETE', segs('/pets/1'))?.value, 'ANY /{proxy+}')
  t.equal(router(['GET /pets/{id}']).match('DELETE', segs('/pets/1')), null)
})

t.test('HEAD is matched only by HEAD or ANY, never by GET', async (t) => {
  t.equal(router(['GET /pets']).match('HEAD', segs('/pets')), null)
  t.equal(router(['GET /pets', 'ANY /pets']).match('HEAD', segs('/pets'))?.value, 'ANY /pets')
  t.equal(router(['HEAD /pets', 'GET /pets']).match('HEAD', segs('/pets'))?.value, 'HEAD /pets')
})

t.test('ANY covers the seven API Gateway methods only', async (t) => {
  const r = router(['ANY /x'])
  for (const m of ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']) t.equal(r.match(m, ['x'])?.value, 'ANY /x', m)
  t.equal(r.match('TRACE', ['x']), null)
  t.equal(r.match('PROPFIND', ['x']), null)
})

t.test('greedy needs at least one segment; the root is its own route', async (t) => {
  const r = router(['ANY /{proxy+}'])
  t.equal(r.match('GET', []), null)
  t.equal(router(['GET /', 'ANY /{proxy+}']).match('GET', [])?.value, 'GET /')
})

t.test('parameters capture spans, names per route', async (t) => {
  const r = router(['GET /a/{x}/b/{rest+}', 'DELETE /a/{y}/c'])
  const m = r.match('GET', segs('/a/1/b/2/3/4'))!
  t.same(m.names, ['x', 'rest'])
  t.same(m.spans, [1, 2, 3, 6])
  t.same(r.match('DELETE', segs('/a/9/c'))!.names, ['y'])
})

t.test('a static candidate that dead-ends backtracks to the param branch', async (t) => {
  const r = router(['GET /pets/dog/food', 'GET /pets/{id}/toys'])
  t.equal(r.match('GET', segs('/pets/dog/toys'))?.value, 'GET /pets/{id}/toys')
})

t.test('bad templates are refused', async (t) => {
  t.throws(() => router(['GET /{proxy+}/x']), { name: 'RouterError' })
  t.throws(() => router(['GET pets']), { name: 'RouterError' })
  t.throws(() => router(['GET /a//b']), { name: 'RouterError' })
  t.throws(() => router(['GET /a{b}']), { name: 'RouterError' })
})
