// One test per row of docs/path-normalization.md, through the gateway with raw requests (so no
// client library normalizes the path first) and a real echo backend.
import t from 'tap'
import { api, bodyOf, echoUpstream, gatewayConfig, integration, integrationResponse, rawRequest, route, stage, startGateway, statusOf, type Running, type Upstream } from './helpers.js'

let backend: Upstream
let gw: Running
t.before(async () => {
  backend = await echoUpstream()
  const mock = (body: string) =>
    integration({ type: 'MOCK', httpMethod: '', requestTemplates: { 'application/json': '{"statusCode":200}' }, responses: [integrationResponse({ responseTemplates: { 'application/json': body } })] })
  const config = gatewayConfig([
    api(
      'abc',
      [
        route('ANY /{proxy+}', integration({ uri: `${backend.origin}/{proxy}` })),
        route(
          'GET /items/{id}',
          integration({ uri: `${backend.origin}/items/{id}`, requestParameters: { 'integration.request.header.x-id': 'method.request.path.id' } }),
        ),
        route('GET /pets', mock('"pets"')),
        route('GET /café', mock('"cafe"')),
      ],
      { stages: [stage('prod'), stage('dev')] },
    ),
  ])
  gw = await startGateway(config)
})
t.teardown(async () => {
  await gw.close()
  await backend.close()
})

async function get(path: string): Promise<{ status: number; body: string }> {
  const raw = await rawRequest(gw.port, `GET ${path} HTTP/1.1\r\nHost: abc.execute-api.localhost\r\nConnection: close\r\n\r\n`)
  return { status: statusOf(raw), body: bodyOf(raw) }
}

async function backendUrl(path: string): Promise<string> {
  const res = await get(path)
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body}`)
  return (JSON.parse(res.body) as { url: string }).url
}

t.test('row 1: "." segments are removed', async (t) => {
  t.equal(await backendUrl('/prod/a/./b/.'), '/a/b')
})

t.test('row 2: ".." removes the previous segment', async (t) => {
  t.equal(await backendUrl('/prod/a/x/../b'), '/a/b')
})

t.test('row 3: percent-encoded dots are dots (%2e, %2E)', async (t) => {
  t.equal(await backendUrl('/prod/a/x/%2e%2e/b'), '/a/b')
  t.equal(await backendUrl('/prod/a/x/%2E%2E/b/%2e'), '/a/b')
  t.equal(await backendUrl('/prod/a/x/.%2E/b'), '/a/b')
})

t.test('row 4: duplicate slashes are merged', async (t) => {
  t.equal(await backendUrl('/prod//a///b'), '/a/b')
  t.equal(await backendUrl('//prod/a'), '/a')
})

t.test('row 5: a trailing slash is ignored', async (t) => {
  const res = await get('/prod/pets/')
  t.equal(res.status, 200)
  t.equal(res.body, '"pets"', 'GET /pets/ is GET /pets')
  t.equal(await backendUrl('/prod/a/b/'), '/a/b')
})

t.test('row 6: an encoded slash stays inside its segment', async (t) => {
  t.equal(await backendUrl('/prod/items/a%2Fb'), '/items/a%2Fb', 'forwarded encoded, one segment')
  const echoed = JSON.parse((await get('/prod/items/a%2fb')).body) as { headers: Record<string, string> }
  t.equal(echoed.headers['x-id'], 'a/b', 'delivered decoded to mappings')
  t.equal(await backendUrl('/prod/x/a%2fb/c'), '/x/a%2Fb/c', 'greedy {proxy} keeps it encoded (hex upper-cased)')
})

t.test('row 7: escapes are normalized: unreserved decoded, others upper-cased', async (t) => {
  t.equal(await backendUrl('/prod/%7Euser/%61bc/a%3fb'), '/~user/abc/a%3Fb')
  const echoed = JSON.parse((await get('/prod/items/hello%20world')).body) as { url: string; headers: Record<string, string> }
  t.equal(echoed.url, '/items/hello%20world')
  t.equal(echoed.headers['x-id'], 'hello world')
})

t.test('row 8: static segments match decoded (UTF-8) text', async (t) => {
  const res = await get('/prod/caf%C3%A9')
  t.equal(res.status, 200)
  t.equal(res.body, '"cafe"')
})

t.test('row 9: invalid percent-encoding is 400', async (t) => {
  for (const path of ['/prod/a%zz', '/prod/a%4', '/prod/a%', '/prod/%G0b']) {
    const res = await get(path)
    t.equal(res.status, 400, path)
    t.same(JSON.parse(res.body), { message: 'Bad Request' }, path)
  }
})

t.test('row 10: percent-encoding that is not UTF-8 is 400', async (t) => {
  t.equal((await get('/prod/a%FF')).status, 400)
  t.equal((await get('/prod/a%C3')).status, 400)
})

t.test('row 11: an encoded NUL is 400', async (t) => {
  t.equal((await get('/prod/a%00b')).status, 400)
})

t.test('row 12: ".." climbing above the root is 400', async (t) => {
  t.equal((await get('/prod/../../etc/passwd')).status, 400)
  t.equal((await get('/..')).status, 400)
  t.equal((await get('/prod/%2e%2e/%2e%2e/x')).status, 400)
})

t.test('row 13: dot segments resolve before the stage is chosen', async (t) => {
  const res = await get('/prod/../dev/a')
  t.equal(res.status, 200)
  t.equal((JSON.parse(res.body) as { url: string }).url, '/a')
})

t.test('row 14: the query string is forwarded as received', async (t) => {
  t.equal(await backendUrl('/prod/a/../q?x=%2e%2e&y=a%2Fb&x=2'), '/q?x=%2e%2e&y=a%2Fb&x=2')
})

t.test('row 15: a request target that is not an absolute path is 400', async (t) => {
  const res = await get('http://abc.execute-api.localhost/prod/pets')
  t.equal(res.status, 400)
})
