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

// "API Gateway honors only the first Accept media type" (Content type conversions in API Gateway).
t.test('an Accept header is binary when its first media type is', async (t) => {
  const m = compileBinaryMediaTypes(['image/png'])
  t.equal(acceptsBinary(m, 'image/png;q=0.8, text/html'), true)
  t.equal(acceptsBinary(m, 'text/html, image/png;q=0.8'), false)
  t.equal(acceptsBinary(m, 'text/html'), false)
  t.equal(acceptsBinary(m, undefined), false)
  // The documented browser case: image/webp first decides, the later image/* does not.
  t.equal(acceptsBinary(compileBinaryMediaTypes(['image/webp']), 'image/webp,image/*,*/*;q=0.8'), true)
  t.equal(acceptsBinary(compileBinaryMediaTypes(['image/jpeg']), 'image/webp,image/*,*/*;q=0.8'), false)
})
