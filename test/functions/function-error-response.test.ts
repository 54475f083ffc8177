// A failed function (AWS_PROXY) has no gateway response type of its own on AWS: it answers
// through DEFAULT_5XX (status 502), so a DEFAULT_5XX customization applies to it and keeps the 502
// unless it sets a status. AWS: "Handling Lambda errors with an API Gateway API", "Gateway
// response types" (DEFAULT_5XX covers every 5XX response type not customized).
import t from 'tap'
import type { Running } from '../proxy/helpers.js'
import { apiManifest, serve, stageManifest, startFunction, type FunctionServer } from './helpers.js'

let fn: FunctionServer
let gw: Running

t.before(async () => {
  fn = await startFunction(() => ({ error: 'boom', errorType: 'TypeError', style: 'lambda' }))
  gw = await serve([
    apiManifest('fe', {
      gatewayResponses: {
        DEFAULT_5XX: {
          responseParameters: { 'gatewayresponse.header.X-Failed': "'yes'" },
          responseTemplates: { 'application/json': '{"error": $context.error.messageString, "type": "$context.error.responseType"}' },
        },
      },
      routes: [{ path: '/fail', method: 'GET', integration: { type: 'AWS_PROXY', uri: fn.invokeUri() } }],
    }),
    stageManifest('fe', 'prod'),
  ])
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
})

t.test('a failed function answers through the DEFAULT_5XX customization, keeping 502', async (t) => {
  const res = await gw.fetch('fe', '/prod/fail')
  t.equal(res.status, 502)
  t.equal(res.headers['x-failed'], 'yes')
  t.same(res.json(), { error: 'Internal server error', type: 'DEFAULT_5XX' })
  t.equal(fn.calls, 1, 'the function was called once')
})
