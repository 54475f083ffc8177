// How an integration names its function, through HTTP: a stage variable standing for the function
// name or the host (per stage, as API Gateway allows in Lambda uris), a Lambda ARN uri invoked at
// the gateway-wide function endpoint (as with LocalStack), and a stage that lacks the variable
// (500, as API Gateway answers an undefined stage variable).
import t from 'tap'
import { startGateway, type Running } from '../proxy/helpers.js'
import { apiManifest, compiled, stageManifest, startFunction, type FunctionServer } from './helpers.js'

let fn: FunctionServer
let gw: Running

t.before(async () => {
  fn = await startFunction(() => ({ result: { statusCode: 200, body: 'ok' } }))
  const host = fn.origin.replace('http://', '')
  const arnUri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations'
  gw = await startGateway(
    compiled(
      [
        apiManifest('names', {
          routes: [
            { path: '/by-name', method: 'GET', integration: { type: 'AWS_PROXY', uri: `${fn.origin}/2015-03-31/functions/pets-\${stageVariables.fn}/invocations` } },
            { path: '/by-host', method: 'GET', integration: { type: 'AWS_PROXY', uri: 'http://${stageVariables.fnHost}/2015-03-31/functions/function/invocations' } },
            { path: '/by-arn', method: 'GET', integration: { type: 'AWS_PROXY', uri: arnUri } },
          ],
        }),
        stageManifest('names', 'blue', { fn: 'blue', fnHost: host }),
        stageManifest('names', 'green', { fn: 'green', fnHost: host }),
        stageManifest('names', 'bare'),
      ],
      fn.origin,
    ),
  )
})
t.teardown(async () => {
  await gw.close()
  await fn.close()
})

async function invokedPath(path: string): Promise<string> {
  const before = fn.paths.length
  const res = await gw.fetch('names', path)
  if (res.status !== 200 || fn.paths.length !== before + 1) throw new Error(`${path}: ${res.status} ${res.text}`)
  return fn.paths[before]!
}

t.test('a stage variable in the function name: each stage invokes its own function', async (t) => {
  t.equal(await invokedPath('/blue/by-name'), '/2015-03-31/functions/pets-blue/invocations')
  t.equal(await invokedPath('/green/by-name'), '/2015-03-31/functions/pets-green/invocations')
})

t.test('a stage variable as the host', async (t) => {
  t.equal(await invokedPath('/blue/by-host'), '/2015-03-31/functions/function/invocations')
})

t.test('a Lambda ARN uri is invoked at the function endpoint with the function ARN as its name', async (t) => {
  t.equal(await invokedPath('/green/by-arn'), '/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:green/invocations')
})

t.test('a stage without the variable answers 500 without calling anything', async (t) => {
  const before = fn.paths.length
  const res = await gw.fetch('names', '/bare/by-name')
  t.equal(res.status, 500)
  t.strictSame(res.json(), { message: 'Internal server error' })
  t.equal(fn.paths.length, before)
  t.ok(gw.logs.some((l) => /stage variable fn .*not defined on stage bare/.test(l)), 'the problem is reported when the config is applied')
})
