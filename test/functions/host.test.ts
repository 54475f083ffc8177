// The function host (functions/host.ts): a Lambda handler behind the Lambda invoke API, answering
// as real Lambda does (results, X-Amz-Function-Error with the Node runtime's error document,
// Lambda's timeout message and request errors), called with undici; and `tollgate function serve`
// as a user runs it.
import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { loadHandler, type Handler } from '../../functions/handler.js'
import { startFunctionHost, type FunctionHost } from '../../functions/host.js'

const handlers: Record<string, Handler> = {
  async: async (event) => ({ got: event }),
  callback: (event, _context, callback) => setImmediate(() => callback(null, { via: 'callback', event })),
  sync: (event) => ({ sync: event }),
  nothing: async () => undefined,
  throws: async () => {
    throw new TypeError('bad input')
  },
  'callback-string': (_event, _context, callback) => callback('Unauthorized'),
  context: async (_event, context) => ({
    functionName: context.functionName,
    arn: context.invokedFunctionArn,
    requestId: context.awsRequestId,
    remaining: context.getRemainingTimeInMillis(),
  }),
  slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 2000)),
}

let host: FunctionHost
let named: FunctionHost
let plain: FunctionHost

t.before(async () => {
  host = await startFunctionHost({ handler: (event, context, callback) => handlers[(event as { kind: string }).kind]!(event, context, callback), timeoutMs: 300 })
  named = await startFunctionHost({ handler: handlers.async!, functionName: 'pets' })
  // A handler that takes no callback answers with what it returns.
  plain = await startFunctionHost({ handler: handlers.sync! })
})
t.teardown(async () => {
  await host.close()
  await named.close()
  await plain.close()
})

async function invoke(h: FunctionHost, body: string, name = 'function') {
  const res = await request(`http://127.0.0.1:${h.port}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

t.test('async, callback and synchronous handlers answer 200 with their result', async (t) => {
  const a = await invoke(host, '{"kind":"async","n":1}')
  t.equal(a.status, 200)
  t.strictSame(a.json(), { got: { kind: 'async', n: 1 } })
  t.equal(a.headers['x-amz-executed-version'], '$LATEST')
  t.equal(a.headers['x-amz-function-error'], undefined)
  t.strictSame((await invoke(host, '{"kind":"callback"}')).json(), { via: 'callback', event: { kind: 'callback' } })
  t.strictSame((await invoke(plain, '{"kind":"sync"}')).json(), { sync: { kind: 'sync' } })
  t.equal((await invoke(host, '{"kind":"nothing"}')).text, 'null', 'undefined is the JSON null, as Lambda returns it')
})

t.test('a failed invocation: X-Amz-Function-Error and the Node runtime error document', async (t) => {
  const res = await invoke(host, '{"kind":"throws"}')
  t.equal(res.status, 200)
  t.equal(res.headers['x-amz-function-error'], 'Unhandled')
  const doc = res.json()
  t.equal(doc.errorType, 'TypeError')
  t.equal(doc.errorMessage, 'bad input')
  t.match(doc.trace, [/^TypeError: bad input/])
  t.strictSame((await invoke(host, '{"kind":"callback-string"}')).json(), { errorType: 'string', errorMessage: 'Unauthorized', trace: [] })
})

t.test("past the timeout: Lambda's Task timed out error", async (t) => {
  const res = await invoke(host, '{"kind":"slow"}')
  t.equal(res.headers['x-amz-function-error'], 'Unhandled')
  t.match(res.json().errorMessage, /^\d{4}-\d{2}-\d{2}T\S+ [0-9a-f-]{36} Task timed out after 0\.30 seconds$/)
})

t.test('the context: function name and ARN from the invoke path, a request id, the time left', async (t) => {
  const res = await invoke(host, '{"kind":"context"}', 'arn:aws:lambda:us-east-1:123456789012:function:pets:live')
  const ctx = res.json()
  t.equal(ctx.functionName, 'pets')
  t.equal(ctx.arn, 'arn:aws:lambda:us-east-1:000000000000:function:pets')
  t.match(ctx.requestId, /^[0-9a-f-]{36}$/)
  t.ok((ctx.remaining as number) > 0 && (ctx.remaining as number) <= 300)
})

t.test("request errors as Lambda answers them: not JSON 400, another function 404; an empty body is {}", async (t) => {
  const bad = await invoke(host, '{nope')
  t.equal(bad.status, 400)
  t.equal(bad.headers['x-amzn-errortype'], 'InvalidRequestContentException')
  const other = await invoke(named, '{}', 'orders')
  t.equal(other.status, 404)
  t.equal(other.headers['x-amzn-errortype'], 'ResourceNotFoundException')
  t.strictSame((await invoke(named, '{"a":1}', 'pets')).json(), { got: { a: 1 } })
  t.strictSame((await invoke(named, '', 'arn:aws:lambda:eu-west-1:123456789012:function:pets')).json(), { got: {} })
  const health = await request(`http://127.0.0.1:${host.port}/healthz`)
  t.equal(health.statusCode, 200)
  await health.body.dump()
})

t.test('loadHandler: FILE#EXPORT, a missing export or file is a clear error', async (t) => {
  const app = fileURLToPath(new URL('../../examples/functions/app.ts', import.meta.url))
  t.type(await loadHandler(`${app}#handler`), 'function')
  t.type(await loadHandler(app), 'function', 'the export defaults to handler')
  await t.rejects(loadHandler(`${app}#nope`), /exports no function "nope"/)
  await t.rejects(loadHandler('/nonexistent/app.js#handler'), /cannot load \/nonexistent\/app\.js/)
})

t.test('tollgate function serve runs a handler file as a server of the invoke API', async (t) => {
  const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))
  const app = fileURLToPath(new URL('../../dist/examples/functions/app.js', import.meta.url))
  const child = spawn(process.execPath, [bin, 'function', 'serve', '--handler', `${app}#handler`, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => {
    child.kill('SIGTERM')
  })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /on 127\.0\.0\.1:(\d+)/.exec(out)
      if (m !== null) resolve(Number(m[1]))
    })
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
  })
  const event = { version: '2.0', routeKey: '$default', rawPath: '/pets', rawQueryString: 'type=cat', headers: {}, queryStringParameters: { type: 'cat' }, requestContext: { http: { method: 'GET', path: '/pets' } }, isBase64Encoded: false }
  const res = await request(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, { method: 'POST', body: JSON.stringify(event) })
  const result = (await res.body.json()) as { statusCode: number; body: string }
  t.equal(result.statusCode, 200)
  t.strictSame(JSON.parse(result.body), [{ id: 2, type: 'cat', name: 'Tom' }])
})

t.test('tollgate function serve without --handler is a usage error', async (t) => {
  const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))
  const child = spawn(process.execPath, [bin, 'function', 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  t.equal(code, 2)
  t.match(err, /function serve needs --handler FILE#EXPORT/)
})
