import t from 'tap'
import { acceptsBinary, compileBinaryMediaTypes } from './binary-types.js'

t.test('exact, type wildcard and */*', async (t) => {
  const m = compileBinaryMediaTypes(['image/png', 'application/*'])
  t.equal(m('image/png'), true)
  t.equal(m('IMAGE/PNG; q=1'), true)
  t.equal(m('image/jpeg'), false)
  t.equal(m('application/octet-stream'), true)
  t.equal(m(undefined), false)
  t.equal(compileBinaryMediaTypes([])('image/png'), false)
  const all = compileBinaryMediaTypes(['*/*'])
  t.equal(all('text/plain'), true)
  t.equal(all(undefined), false)
})

t.test('an Accept header is binary when one of its types is', async (t) => {
  const m = compileBinaryMediaTypes(['image/png'])
  t.equal(acceptsBinary(m, 'text/html, image/png;q=0.8'), true)
  t.equal(acceptsBinary(m, 'text/html'), false)
  t.equal(acceptsBinary(m, undefined), false)
})
