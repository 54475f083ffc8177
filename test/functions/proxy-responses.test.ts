// What AWS_PROXY does with the function's answer, through HTTP: the result becomes the response
// (headers and multiValueHeaders merged, cookies, base64 bodies, HTTP APIs' 2.0 inference), a
// malformed result and a failed invocation (both ways of flagging it) become AWS's errors, the
// integration timeout 504, and the gateway frames the response itself (a stale Content-Length
// from the function is dropped). AWS: "Output format of a Lambda function for proxy integration"
// (set-up-lambda-proxy-integrations), "Lambda function response format"
// (http-api-develop-integrations-lambda), "Handling Lambda errors with an API Gateway API".
import t from 'tap'
import type { Running } from '../proxy/helpers.js'
import { apiManifest, serve, stageManifest, startFunction, type Behaviour, type FunctionServer } from './helpers.js'

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff])

/** What the function answers, by the request's path (REST: event.path; HTTP APIs: event.rawPath). */
const ANSWERS: Record<string, Behaviour> = {
  '/headers': {
    result: {
      statusCode: 201,
      headers: { 'X-One': 'a', 'X-Both': 'from-headers', 'X-Bool': true, 'Content-Length': '999', 'Transfer-Encoding': 'chunked', Connection: 'close' },
      multiValueHeaders: { 'X-Both': ['m1', 'm2'], 'Set-Cookie': ['a=1; Path=/', 'b=2'] },
      body: 'hello',
    },
  },
  '/image': { result: { statusCode: 200, headers: { 'Content-Type': 'image/png' }, body: PNG.toString('base64'), isBase64Encoded: true } },
  '/status-text': { result: { statusCode: '404', body: 'missing' } },
  '/no-status': { result: { body: 'defaulted' } },
  '/empty': { result: {} },
  '/malformed/body-object': { result: { statusCode: 200, body: { not: 'a string' } } },
  '/malformed/extra-field': { result: { statusCode: 200, body: 'x', cookies: ['a=1'] } },
  '/malformed/status': { result: { statusCode: 'OK', body: 'x' } },
  '/malformed/status-range': { result: { statusCode: 99, body: 'x' } },
  '/malformed/header-number': { result: { statusCode: 200, headers: { 'X-Count': 3 }, body: 'x' } },
  '/malformed/string': { result: 'just a string' },
  '/malformed/null': { result: null },
  '/malformed/not-json': { raw: 'this is not JSON' },
  '/error/lambda': { error: 'boom', errorType: 'TypeError', style: 'lambda' },
  '/error/emulator': { error: 'boom', errorType: 'TypeError', style: 'emulator' },
  '/refused': { raw: '{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:x"}', status: 404 },
  '/slow': { result: { statusCode: 200, body: 'late' }, delayMs: 1500 },
  '/infer/string': { result: 'Hello from Lambda!' },
  '/infer/object': { raw: '{ "message": "Hello from Lambda!" }' },
  '/infer/number': { result: 42 },
  '/cookies': { result: { statusCode: 200, cookies: ['a=1; Path=/', 'b=2'], headers: { 'set-cookie': 'c=3' }, body: '' } },
  '/v2-image': { result: { statusCode: 200, headers: { 'content-type': 'image/png' }, body: PNG.toString('base64'), isBase64Encoded: true } },
  '/v2-plain': { result: { statusCode: 202, body: 'accepted' } },
}

let fn: FunctionServer
let gw: Running

t.before(async () => {
  fn = await startFunction((event) => {
    const path = String(event.version === '2.0' ? event.rawPath : event.path)
    return ANSWERS[path.replace(/^\/v1/, '')] ?? { result: { statusCode: 500, body: `no answer for ${path}` } }
  })
  const aws = (extra: Record<string, unknown> = {}) => ({ type: 'AWS_PROXY', uri: fn.invokeUri(), ...extra })
  gw = await serve([
    apiManifest('rp', {
      binaryMediaTypes: ['image/png'],
      routes: [
        { path: '/{proxy+}', method: 'ANY', integration: aws() },
        { path: '/slow', method: 'GET', integration: aws({ timeoutInMillis: 300 }) },
      ],
    }),
    stageManifest('rp', 'prod'),
    apiManifest('hp', {
      protocol: 'HTTP',
      routes: [
        { routeKey: 'ANY /{proxy+}', integration: aws() },
        { routeKey: 'ANY /v1/{proxy+}', integration: aws({ payloadFormatVersion: '1.0' }) },
        { routeKey: 'GET /slow', integration: aws({ timeoutInMillis: 300 }) },
      ],
    }),
    stageManifest('hp', '$default'),
  ])
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
})

const REST_ERROR = { message: 'Internal server error' }

t.test('REST: status, headers and multiValueHeaders merged (multiValueHeaders win), Content-Length set by the gateway', async (t) => {
  const res = await gw.fetch('rp', '/prod/headers')
  t.equal(res.status, 201)
  t.equal(res.text, 'hello')
  t.equal(res.headers['x-one'], 'a')
  t.strictSame(res.headers['x-both'], ['m1', 'm2'], 'multiValueHeaders replace headers of the same name')
  t.equal(res.headers['x-bool'], 'true', 'a boolean header value is sent as text')
  t.strictSame(res.headers['set-cookie'], ['a=1; Path=/', 'b=2'])
  t.equal(res.headers['content-length'], '5', "the function's stale Content-Length is replaced by the real one")
  t.equal(res.headers['transfer-encoding'], undefined)
  t.equal(res.headers.connection, 'keep-alive', "the function's Connection header is not forwarded")
  t.equal(res.headers['content-type'], 'application/json', 'REST default Content-Type')
  t.ok(res.headers['x-amzn-requestid'])
  t.ok(res.headers['x-amz-apigw-id'])
})

t.test('REST: a status as digits, a missing status (200), an empty result', async (t) => {
  const text = await gw.fetch('rp', '/prod/status-text')
  t.equal(text.status, 404)
  t.equal(text.text, 'missing')
  const none = await gw.fetch('rp', '/prod/no-status')
  t.equal(none.status, 200)
  t.equal(none.text, 'defaulted')
  const empty = await gw.fetch('rp', '/prod/empty')
  t.equal(empty.status, 200)
  t.equal(empty.text, '')
})

t.test('REST: a base64 body is decoded only when the first Accept type is a binaryMediaType', async (t) => {
  const binary = await gw.fetch('rp', '/prod/image', { headers: { accept: 'image/png' } })
  t.equal(binary.status, 200)
  t.equal(binary.headers['content-type'], 'image/png')
  t.equal(binary.headers['content-length'], String(PNG.length), 'the decoded bytes')
  const raw = await gw.fetch('rp', '/prod/image', { headers: { accept: 'text/html, image/png' } })
  t.equal(raw.text, PNG.toString('base64'), 'a first Accept type that is not binary: the base64 text as it is')
  const none = await gw.fetch('rp', '/prod/image')
  t.equal(none.text, PNG.toString('base64'), 'no Accept: the base64 text')
})

t.test('REST: a malformed result is 502 {"message": "Internal server error"}', async (t) => {
  for (const path of ['body-object', 'extra-field', 'status', 'status-range', 'header-number', 'string', 'null', 'not-json']) {
    const res = await gw.fetch('rp', `/prod/malformed/${path}`)
    t.equal(res.status, 502, `${path}: 502`)
    t.strictSame(res.json(), REST_ERROR)
    t.equal(res.headers['x-amzn-errortype'], 'InternalServerErrorException')
    t.equal(res.headers['content-type'], 'application/json')
  }
})

t.test('REST: a failed invocation is 502, flagged by X-Amz-Function-Error (Lambda) or as the emulator does', async (t) => {
  for (const style of ['lambda', 'emulator']) {
    const res = await gw.fetch('rp', `/prod/error/${style}`)
    t.equal(res.status, 502, `${style}: 502`)
    t.strictSame(res.json(), REST_ERROR)
    t.notMatch(res.text, /boom|TypeError/, "the function's error never reaches the client")
  }
})

t.test('REST: the invoke API refusing the call (no such function) is 500', async (t) => {
  const res = await gw.fetch('rp', '/prod/refused')
  t.equal(res.status, 500)
  t.strictSame(res.json(), REST_ERROR)
})

t.test('REST: no answer within the integration timeout is 504 "Endpoint request timed out"', async (t) => {
  const started = Date.now()
  const res = await gw.fetch('rp', '/prod/slow')
  t.equal(res.status, 504)
  t.strictSame(res.json(), { message: 'Endpoint request timed out' })
  t.ok(Date.now() - started < 1400, 'answered at the timeout, not when the function finished')
})

t.test('HTTP API 2.0: a result without statusCode is the body of a 200 application/json response', async (t) => {
  const string = await gw.fetch('hp', '/infer/string')
  t.equal(string.status, 200)
  t.equal(string.headers['content-type'], 'application/json')
  t.equal(string.text, 'Hello from Lambda!', 'a string result is the body itself')
  const object = await gw.fetch('hp', '/infer/object')
  t.equal(object.text, '{ "message": "Hello from Lambda!" }', 'any other JSON as the function returned it')
  const number = await gw.fetch('hp', '/infer/number')
  t.equal(number.text, '42')
  t.ok(object.headers['apigw-requestid'])
})

t.test('HTTP API 2.0: cookies become Set-Cookie headers; base64 bodies are decoded; Content-Type defaults to text/plain', async (t) => {
  const cookies = await gw.fetch('hp', '/cookies')
  t.strictSame(cookies.headers['set-cookie'], ['c=3', 'a=1; Path=/', 'b=2'])
  const image = await gw.fetch('hp', '/v2-image')
  t.equal(image.headers['content-type'], 'image/png')
  t.equal(image.headers['content-length'], String(PNG.length), 'decoded whatever the Accept header')
  const plain = await gw.fetch('hp', '/v2-plain')
  t.equal(plain.status, 202)
  t.equal(plain.headers['content-type'], 'text/plain; charset=utf-8')
})

t.test('HTTP API 1.0: multiValueHeaders, decoded base64, the same stale Content-Length dropped', async (t) => {
  const res = await gw.fetch('hp', '/v1/headers')
  t.equal(res.status, 201)
  t.strictSame(res.headers['x-both'], ['m1', 'm2'])
  t.equal(res.headers['content-length'], '5')
  t.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
  const image = await gw.fetch('hp', '/v1/image')
  t.equal(image.headers['content-length'], String(PNG.length))
})

t.test('HTTP APIs: a malformed result or a failed invocation is 500 {"message": "Internal Server Error"}', async (t) => {
  for (const path of ['/malformed/status', '/malformed/not-json', '/error/lambda', '/error/emulator', '/v1/malformed/body-object', '/v1/malformed/string']) {
    const res = await gw.fetch('hp', path)
    t.equal(res.status, 500, `${path}: 500`)
    t.strictSame(res.json(), { message: 'Internal Server Error' })
    t.equal(res.headers['x-amzn-errortype'], undefined)
  }
})

t.test('HTTP APIs: no answer within the integration timeout is 503 "Service Unavailable"', async (t) => {
  const res = await gw.fetch('hp', '/slow')
  t.equal(res.status, 503)
  t.strictSame(res.json(), { message: 'Service Unavailable' })
})
