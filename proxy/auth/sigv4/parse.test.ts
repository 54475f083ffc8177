// The shapes of SigV4 signatures: what the Authorization header and a presigned query string
// must carry, and AWS's messages when they do not.
import t from 'tap'
import { isPresigned, parseAuthorizationHeader, parsePresigned, parseQuery } from './parse.js'

const CRED = 'AKIAALICE0000000001/20260101/us-east-1/execute-api/aws4_request'

t.test('a complete Authorization header', async (t) => {
  const r = parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=Host;X-Amz-Date, Signature=abc`, { 'x-amz-date': '20260101T120000Z' })
  t.ok(r.ok)
  if (!r.ok) return
  t.same(r.parts.signedHeaders, ['host', 'x-amz-date'])
  t.equal(r.parts.accessKeyId, 'AKIAALICE0000000001')
  t.equal(r.parts.region, 'us-east-1')
  t.equal(r.parts.dateMs, Date.UTC(2026, 0, 1, 12, 0, 0))
  t.equal(r.parts.expiresSeconds, null)
})

t.test('the Date header stands in for X-Amz-Date', async (t) => {
  const r = parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;date, Signature=abc`, { date: 'Thu, 01 Jan 2026 12:00:00 GMT' })
  t.ok(r.ok)
  if (r.ok) t.equal(r.parts.longDate, '20260101T120000Z')
})

t.test('incomplete headers: AWS lists what is missing', async (t) => {
  const r = parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CRED}, Signature=abc`, {})
  t.notOk(r.ok)
  if (!r.ok) {
    t.equal(r.refusal.type, 'INCOMPLETE_SIGNATURE')
    t.equal(
      r.refusal.message,
      `Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=${CRED}, Signature=abc`,
    )
  }
  const eq = parseAuthorizationHeader('AWS4-HMAC-SHA256 Credential', { 'x-amz-date': '20260101T120000Z' })
  t.match(!eq.ok && eq.refusal.message, /^'Credential' not a valid key=value pair \(missing equal-sign\) in Authorization header/)
  const four = parseAuthorizationHeader('AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/execute-api, SignedHeaders=host, Signature=abc', { 'x-amz-date': '20260101T120000Z' })
  t.match(!four.ok && four.refusal.message, /^Credential must have exactly 5 slash-delimited elements/)
  const date = parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=abc`, { 'x-amz-date': '2026-01-01T12:00:00Z' })
  t.match(!date.ok && date.refusal.message, /^Date must be in ISO-8601 'basic format'\. Got '2026-01-01T12:00:00Z'/)
})

t.test('presigned query strings', async (t) => {
  const q = parseQuery(
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(CRED)}&X-Amz-Date=20260101T120000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=abc&a=1&a=2&b=%ZZ`,
  )
  t.ok(isPresigned(q))
  t.same(q.a, ['1', '2'], 'repeated names keep every value')
  t.equal(q.b, '%ZZ', 'bad percent-encoding is kept as sent')
  const r = parsePresigned(q, {})
  t.ok(r.ok)
  if (r.ok) t.equal(r.parts.expiresSeconds, 300)
  const missing = parsePresigned(parseQuery('X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc'), {})
  t.match(!missing.ok && missing.refusal.message, /^AWS query-string parameters must include 'X-Amz-Algorithm'/)
  const long = parsePresigned({ ...q, 'X-Amz-Expires': '604801' }, {})
  t.match(!long.ok && long.refusal.message, /X-Amz-Expires must be a number of seconds from 0 to 604800/)
  const token = parsePresigned({ ...q, 'X-Amz-Security-Token': 'x' }, {})
  t.ok(token.ok && token.parts.sessionToken, 'a session token is noticed')
  t.notOk(isPresigned(parseQuery('q=1')))
})
