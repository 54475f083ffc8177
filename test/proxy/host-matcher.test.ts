// API selection by Host: the answers, and the memory of Hosts seen lately that spares the parse.
import t from 'tap'
import { HOSTS_REMEMBERED, HostMatcher } from '../../proxy/host.js'
import { api, gatewayConfig, integration, route, startGateway, startUpstream } from './helpers.js'

const CASES: [string | undefined, string | null][] = [
  ['abc.execute-api.example.com', 'abc'],
  ['ABC.Execute-Api.Example.COM', 'abc'],
  ['abc.execute-api.example.com:8443', 'abc'],
  ['abc.execute-api.example.com.', 'abc'],
  ['abc.execute-api.example.com.:80', 'abc'],
  ['execute-api.example.com', null],
  ['.execute-api.example.com', null],
  ['a.b.execute-api.example.com', null],
  ['abc.execute-api.example.org', null],
  ['[::1]:8080', null],
  ['', null],
  [undefined, null],
]

t.test('the apiId a Host names, the same on every call (remembered after the first)', async (t) => {
  const hosts = new HostMatcher('Example.com')
  for (let round = 0; round < 3; round++) {
    for (const [host, id] of CASES) t.equal(hosts.apiId(host), id, `${round}: ${String(host)}`)
  }
  t.equal(hosts.remembered, CASES.length - 1, 'one entry per Host value (none for a missing Host)')
})

t.test('the memory is bounded: a client sending ever new Hosts costs a parse each, not memory', async (t) => {
  const hosts = new HostMatcher('example.com')
  const wrong: string[] = []
  let most = 0
  for (let i = 0; i < 10 * HOSTS_REMEMBERED; i++) {
    if (hosts.apiId(`x${i}.execute-api.example.com`) !== `x${i}`) wrong.push(`x${i}`)
    most = Math.max(most, hosts.remembered)
  }
  t.same(wrong, [], 'every Host answered right')
  t.equal(most, HOSTS_REMEMBERED, 'never more remembered than the bound')
  t.equal(hosts.apiId('abc.execute-api.example.com'), 'abc')
  const long = `${'a'.repeat(300)}.execute-api.example.com`
  const before = hosts.remembered
  t.equal(hosts.apiId(long), 'a'.repeat(300), 'a Host longer than a DNS name is answered')
  t.equal(hosts.remembered, before, 'but not remembered')
})

t.test('through HTTP: after many unknown Hosts, a known one still reaches its API', async (t) => {
  const backend = await startUpstream((_req, res) => res.end('served'))
  t.teardown(() => backend.close())
  const gw = await startGateway(gatewayConfig([api('abc', [route('GET /x', integration({ uri: `http://127.0.0.1:${backend.port}/x` }))])]))
  t.teardown(() => gw.close())
  for (let i = 0; i < HOSTS_REMEMBERED + 10; i++) {
    const r = await gw.fetch(`nope${i}`, '/prod/x')
    if (r.status !== 403) return t.fail(`unknown API ${i}: ${r.status}`)
  }
  const r = await gw.fetch('abc', '/prod/x')
  t.equal(r.status, 200)
  t.equal(r.text, 'served')
  const upper = await gw.fetch('ABC', '/prod/x')
  t.equal(upper.text, 'served', 'the Host in other case names the same API')
})
