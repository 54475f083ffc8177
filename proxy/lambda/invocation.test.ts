// Answers of the Lambda invoke API, as real Lambda, LocalStack and the runtime interface emulator
// give them (the error documents are the runtimes' own shapes).
import t from 'tap'
import { isErrorDocument, readInvocation } from './invocation.js'

t.test('a 200 with JSON is the result', async (t) => {
  t.same(readInvocation(200, false, '{"statusCode":200,"body":"hi"}'), { kind: 'result', value: { statusCode: 200, body: 'hi' }, text: '{"statusCode":200,"body":"hi"}' })
  t.same(readInvocation(200, false, '"plain"'), { kind: 'result', value: 'plain', text: '"plain"' })
  t.same(readInvocation(200, false, 'null'), { kind: 'result', value: null, text: 'null' })
})

t.test('X-Amz-Function-Error (Lambda, LocalStack) marks a failed invocation', async (t) => {
  const doc = '{"errorMessage":"boom","errorType":"Error","stackTrace":["at x"]}'
  t.same(readInvocation(200, true, doc), { kind: 'error', errorMessage: 'boom', errorType: 'Error', text: doc })
  // Lambda's own timeout comes back the same way, without an errorType.
  const timedOut = '{"errorMessage":"2024-01-01T00:00:00.000Z abc Task timed out after 3.00 seconds"}'
  t.match(readInvocation(200, true, timedOut), { kind: 'error', errorMessage: /Task timed out/, errorType: null })
  t.same(readInvocation(200, true, 'not json'), { kind: 'error', errorMessage: 'not json', errorType: null, text: 'not json' })
})

t.test("the runtime interface emulator's plain 200 error documents are failed invocations", async (t) => {
  const node = '{"errorType":"TypeError","errorMessage":"x is not a function","trace":["TypeError: x is not a function","    at handler (/var/task/index.js:2:3)"]}'
  const python = '{"errorMessage": "division by zero", "errorType": "ZeroDivisionError", "requestId": "", "stackTrace": ["  File \\"/var/task/app.py\\", line 2\\n"]}'
  const go = '{"errorMessage":"nope","errorType":"errorString"}'
  t.match(readInvocation(200, false, node), { kind: 'error', errorMessage: 'x is not a function', errorType: 'TypeError' })
  t.match(readInvocation(200, false, python), { kind: 'error', errorMessage: 'division by zero', errorType: 'ZeroDivisionError' })
  t.match(readInvocation(200, false, go), { kind: 'error', errorMessage: 'nope' })
})

t.test('a result that merely carries errorMessage among other fields stays a result', async (t) => {
  t.equal(isErrorDocument({ statusCode: 400, errorMessage: 'bad input' }), false)
  t.equal(isErrorDocument({ principalId: 'u', errorMessage: 'x' }), false)
  t.equal(isErrorDocument({ errorMessage: 42 }), false)
  t.equal(isErrorDocument(['errorMessage']), false)
  t.equal(isErrorDocument({ errorMessage: '' }), true)
})

t.test('another status without the error header is a refusal; a 200 that is not JSON is no answer', async (t) => {
  t.same(readInvocation(404, false, '{"Type":"User","message":"Function not found"}'), { kind: 'refused', status: 404 })
  t.same(readInvocation(429, false, ''), { kind: 'refused', status: 429 })
  t.same(readInvocation(200, false, '<html>'), { kind: 'not-json' })
})
