// AWS (non-proxy) integrations of functions through HTTP: the request template's output is the
// event (passthrough rules as for HTTP), integration responses are selected by matching
// selectionPattern against the function's errorMessage — the empty string for a success — and
// responseTemplates / responseParameters shape the method response. AWS: "Handle Lambda errors in
// API Gateway" (handle-errors-in-lambda-integration), IntegrationResponse.selectionPattern ("If
// the back end is an AWS Lambda function, the AWS Lambda function error header is matched").
import t from 'tap'
import type { Running } from '../proxy/helpers.js'
import { apiManifest, serve, stageManifest, startFunction, type FunctionServer } from './helpers.js'

let fn: FunctionServer
let gw: Running

t.before(async () => {
  fn = await startFunction((event) => {
    switch (event.action) {
      case 'greet':
        return { result: { greeting: `hello ${String(event.name)}`, stage: event.stage } }
      case 'invalid':
        return { error: `Invalid input: ${String(event.name)}`, errorType: 'ValidationError', style: 'lambda' }
      case 'missing':
        return { error: `Not found: ${String(event.name)}`, style: 'emulator' }
      case 'multiline':
        return { error: 'Invalid\nsecond line', style: 'lambda' }
      case 'crash':
        return { error: 'Something else broke', errorType: 'Error', style: 'lambda' }
      default:
        return { result: event }
    }
  })
  const template = `{"action": "$input.path('$.action')", "name": $input.json('$.name'), "stage": "$context.stage"}`
  const aws = (extra: Record<string, unknown>) => ({ type: 'AWS', httpMethod: 'POST', uri: fn.invokeUri('legacy'), ...extra })
  gw = await serve([
    apiManifest('legacy', {
      routes: [
        {
          path: '/greet',
          method: 'POST',
          integration: aws({
            requestTemplates: { 'application/json': template },
            responses: [
              { statusCode: '200', responseTemplates: { 'application/json': `{"message": $input.json('$.greeting'), "stage": "$input.path('$.stage')"}` } },
              {
                statusCode: '400',
                selectionPattern: 'Invalid.*',
                responseParameters: { 'method.response.header.X-Error': "'invalid'" },
                responseTemplates: { 'application/json': `{"error": "$util.escapeJavaScript($input.path('$.errorMessage'))", "type": "$input.path('$.errorType')"}` },
              },
              { statusCode: '404', selectionPattern: 'Not found: .*' },
            ],
          }),
          methodResponses: [{ statusCode: '200' }, { statusCode: '400', responseParameters: { 'method.response.header.X-Error': false } }, { statusCode: '404' }],
        },
        { path: '/raw', method: 'POST', integration: aws({ responses: [{ statusCode: '200' }] }) },
        {
          path: '/strict',
          method: 'POST',
          integration: aws({ passthroughBehavior: 'NEVER', requestTemplates: { 'application/json': template }, responses: [{ statusCode: '200' }] }),
        },
        {
          path: '/catch-all',
          method: 'POST',
          integration: aws({ responses: [{ statusCode: '200' }, { statusCode: '500', selectionPattern: '.*' }] }),
        },
        {
          path: '/errors-only',
          method: 'POST',
          integration: aws({ responses: [{ statusCode: '200' }, { statusCode: '500', selectionPattern: '.+' }] }),
        },
        { path: '/no-default', method: 'POST', integration: aws({ responses: [{ statusCode: '400', selectionPattern: 'Invalid.*' }] }) },
        {
          path: '/upload',
          method: 'POST',
          integration: aws({
            contentHandling: 'CONVERT_TO_TEXT',
            requestTemplates: { 'image/png': `{"action": "echo", "image": "$input.body"}` },
            responses: [{ statusCode: '200' }],
          }),
        },
        { path: '/upload-raw', method: 'POST', integration: aws({ responses: [{ statusCode: '200' }] }) },
      ],
      binaryMediaTypes: ['image/png'],
    }),
    stageManifest('legacy', 'prod'),
  ])
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
})

const post = (path: string, body: string, contentType = 'application/json') => gw.fetch('legacy', `/prod${path}`, { method: 'POST', headers: { 'content-type': contentType }, body })

t.test('success: the template output is the event; the default response maps the result', async (t) => {
  const seen = fn.events.length
  const res = await post('/greet', JSON.stringify({ action: 'greet', name: 'Ann', ignored: true }))
  t.equal(res.status, 200)
  t.strictSame(fn.events[seen], { action: 'greet', name: 'Ann', stage: 'prod' }, 'the function received the rendered template')
  t.equal(fn.paths[seen], '/2015-03-31/functions/legacy/invocations')
  t.strictSame(res.json(), { message: 'hello Ann', stage: 'prod' })
  t.equal(res.headers['content-type'], 'application/json')
})

t.test('an error whose errorMessage matches a selectionPattern (X-Amz-Function-Error): that response, its template and header', async (t) => {
  const res = await post('/greet', JSON.stringify({ action: 'invalid', name: 'Bob' }))
  t.equal(res.status, 400)
  t.equal(res.headers['x-error'], 'invalid')
  t.strictSame(res.json(), { error: 'Invalid input: Bob', type: 'ValidationError' })
})

t.test("the emulator's plain 200 error document is selected on its errorMessage too", async (t) => {
  const res = await post('/greet', JSON.stringify({ action: 'missing', name: 'cat' }))
  t.equal(res.status, 404)
  t.match(res.json(), { errorMessage: 'Not found: cat', errorType: 'Error' }, 'no template: the error document passes through')
})

t.test('an error no pattern matches: the default response, 200 with the error document (as on AWS)', async (t) => {
  const res = await post('/greet', JSON.stringify({ action: 'crash', name: 'x' }))
  t.equal(res.status, 200)
  t.match(res.json(), { message: '' }, "the default response's template renders over the error document (it has no greeting)")
  const raw = await post('/raw', JSON.stringify({ action: 'crash' }))
  t.equal(raw.status, 200)
  t.match(raw.json(), { errorMessage: 'Something else broke', errorType: 'Error', trace: Array })
})

t.test('`.` does not match a line break, as in Java: a multi-line errorMessage escapes Invalid.*', async (t) => {
  const res = await post('/greet', JSON.stringify({ action: 'multiline' }))
  t.equal(res.status, 200)
})

t.test('`.*` matches the empty errorMessage of a success too; `.+` only errors', async (t) => {
  t.equal((await post('/catch-all', JSON.stringify({ action: 'echo' }))).status, 500, '.* catches the success')
  t.equal((await post('/catch-all', JSON.stringify({ action: 'crash' }))).status, 500)
  const ok = await post('/errors-only', JSON.stringify({ action: 'echo', n: 1 }))
  t.equal(ok.status, 200)
  t.strictSame(ok.json(), { action: 'echo', n: 1 }, 'passthrough: the body is the event, the result the body')
  t.equal((await post('/errors-only', JSON.stringify({ action: 'crash' }))).status, 500)
})

t.test('a success with no default response and no match: 500, as API Gateway answers', async (t) => {
  const res = await post('/no-default', JSON.stringify({ action: 'echo' }))
  t.equal(res.status, 500)
  t.strictSame(res.json(), { message: 'Internal server error' })
  t.equal((await post('/no-default', JSON.stringify({ action: 'invalid', name: 'z' }))).status, 400)
})

t.test('passthrough: no body is the event {}; a body that is not JSON is refused with 500 before any call', async (t) => {
  const seen = fn.events.length
  const empty = await gw.fetch('legacy', '/prod/raw', { method: 'POST' })
  t.equal(empty.status, 200)
  t.strictSame(fn.events[seen], {})
  const text = await post('/raw', 'plain words', 'text/plain')
  t.equal(text.status, 500)
  t.strictSame(text.json(), { message: 'Internal server error' })
  t.equal(fn.events.length, seen + 1, 'the function was not called for the body that is not JSON')
})

t.test('passthroughBehavior NEVER: a content type without a template is 415', async (t) => {
  const res = await post('/strict', 'a=1', 'application/x-www-form-urlencoded')
  t.equal(res.status, 415)
  t.strictSame(res.json(), { message: 'Unsupported Media Type' })
  t.equal((await post('/strict', JSON.stringify({ action: 'greet', name: 'Cy' }))).status, 200)
})

t.test('contentHandling CONVERT_TO_TEXT: a binary request reaches the template as base64 (binaryMediaTypes)', async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff])
  const res = await gw.fetch('legacy', '/prod/upload', { method: 'POST', headers: { 'content-type': 'image/png' }, body: png })
  t.equal(res.status, 200)
  t.same(res.json(), { action: 'echo', image: png.toString('base64') }, 'the function got the base64 text')
  const before = fn.calls
  const raw = await gw.fetch('legacy', '/prod/upload-raw', { method: 'POST', headers: { 'content-type': 'image/png' }, body: png })
  t.equal(raw.status, 500, 'without a conversion the binary body is not a JSON event: refused')
  t.equal(fn.calls, before, 'without calling the function')
})
