// Request ids: UUID-shaped request id; the extended id is the base64 of the UUID's first 11
// bytes (as AWS's 16-character ids look); the trace id is X-Ray shaped with the current epoch.
import t from 'tap'
import { newRequestIds, withCallerTrace } from './request-id.js'

t.test('ids are shaped as AWS sends them and derived from one UUID', async (t) => {
  const now = Date.UTC(2025, 0, 2, 3, 4, 5)
  const seen = new Set<string>()
  for (let i = 0; i < 2000; i++) {
    const ids = newRequestIds(now)
    t.match(ids.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const hex = ids.requestId.replace(/-/g, '')
    t.equal(ids.extendedRequestId, Buffer.from(hex.slice(0, 22), 'hex').toString('base64'))
    t.match(ids.extendedRequestId, /^[A-Za-z0-9+/]{15}=$/)
    t.equal(ids.traceId, `Root=1-${Math.floor(now / 1000).toString(16)}-${hex.slice(8, 32)}`)
    seen.add(ids.requestId).add(ids.extendedRequestId)
  }
  t.equal(seen.size, 4000, 'no repeats')
})

t.test('the epoch part follows the clock', async (t) => {
  t.match(newRequestIds(1000).traceId, /^Root=1-00000001-[0-9a-f]{24}$/)
  t.match(newRequestIds(0x65000000 * 1000).traceId, /^Root=1-65000000-/)
  t.match(newRequestIds(1000).traceId, /^Root=1-00000001-/)
})

t.test("a caller's well-formed X-Amzn-Trace-Id becomes the trace id; anything else leaves a fresh one", async (t) => {
  const ids = newRequestIds(Date.now())
  t.equal(withCallerTrace(ids, undefined), ids, 'no header: the same object, nothing allocated')
  const caller = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'
  const taken = withCallerTrace(ids, caller)
  t.equal(taken.traceId, caller, 'taken whole, Parent and Sampled included')
  t.equal(taken.requestId, ids.requestId)
  t.equal(taken.extendedRequestId, ids.extendedRequestId)
  t.equal(withCallerTrace(ids, 'Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678').traceId.startsWith('Self='), true, 'Root need not come first')
  for (const bad of ['', 'abc', 'Root=1-5759e988-bd862e3f', 'Root=2-5759e988-bd862e3fe1be46a994272793', 'Root=1-5759e988-bd862e3fe1be46a994272793x', `Root=1-5759e988-bd862e3fe1be46a994272793;x=${'a'.repeat(300)}`, 'Root=1-5759e988-bd862e3fe1be46a994272793;\u00e9']) {
    t.equal(withCallerTrace(ids, bad), ids, `refused: ${JSON.stringify(bad.slice(0, 40))}`)
  }
  t.equal(withCallerTrace(ids, ['Root=1-5759e988-bd862e3fe1be46a994272793']), ids, 'a repeated header is refused')
})
