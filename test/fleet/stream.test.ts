// The config stream between the operator and a proxy, with real sockets: push, ACK, NACK with
// the old config still serving, no re-send of an identical hash, authentication, reconnect,
// and the last-known-good file a restarted proxy serves while the operator is away.
import t, { type Test } from 'tap'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, statSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import WebSocket from 'ws'
import { ConfigStream } from '../../operator/publish/stream-server.js'
import { compile } from '../../operator/compile/index.js'
import { startProxy, type ProxyProcess } from '../../cli/proxy.js'
import type { ProxyOptions } from '../../cli/options.js'
import type { GatewayConfig } from '../../proxy/config/schema.js'
import { startServer, waitFor } from '../helpers/servers.js'

const TOKEN = 'test-stream-token-0123456789'

function configFor(backendPort: number, path = '/item'): GatewayConfig {
  const { config } = compile(
    [
      {
        apiVersion: 'tollgate.dev/v1alpha1',
        kind: 'Api',
        metadata: { name: 'fleet', namespace: 'default' },
        spec: { apiId: 'fleet', routes: [{ path, method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backendPort}/item` } }] },
      },
      { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'fleet-prod', namespace: 'default' }, spec: { apiRef: { name: 'fleet' }, stageName: 'prod' } },
    ],
    { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } },
  )
  return config
}

async function operator(t: Test): Promise<{ stream: ConfigStream; server: Server; url: string; logs: string[]; stop(): Promise<void> }> {
  const logs: string[] = []
  const stream = new ConfigStream({ token: TOKEN, log: (l) => logs.push(l), heartbeatMs: 1000 })
  const server = createServer((_req, res) => res.writeHead(404).end())
  stream.attach(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/config`
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    stream.close()
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  }
  t.teardown(stop)
  return { stream, server, url, logs, stop }
}

function proxyOptions(url: string, cache: string): ProxyOptions {
  return {
    operatorUrl: url,
    streamTokenFile: '',
    proxyId: 'proxy-a',
    host: '127.0.0.1',
    port: 0,
    privatePort: 0,
    adminPort: 0,
    configCache: cache,
    redisUrl: '',
    shutdownGraceMs: 0,
    drainTimeoutMs: 1000,
  }
}

async function startTestProxy(t: Test, url: string, cache: string, token = TOKEN): Promise<{ proxy: ProxyProcess; logs: string[] }> {
  const logs: string[] = []
  const proxy = await startProxy(proxyOptions(url, cache), token, (l) => logs.push(l))
  t.teardown(() => proxy.shutdown())
  return { proxy, logs }
}

async function call(proxy: ProxyProcess, path = '/prod/item') {
  const r = await request(`http://127.0.0.1:${proxy.port}${path}`, { headers: { host: `fleet.execute-api.localhost:${proxy.port}` } })
  return { status: r.statusCode, body: await r.body.text() }
}

async function ready(proxy: ProxyProcess): Promise<number> {
  const r = await request(`http://127.0.0.1:${proxy.adminPort}/readyz`)
  await r.body.dump()
  return r.statusCode
}

t.test('push, ACK, identical hashes not re-sent, NACK keeps the old config', async (t) => {
  const backend = await startServer((_req, res) => res.end('from backend'))
  t.teardown(backend.close)
  const op = await operator(t)
  const cache = join(mkdtempSync(join(tmpdir(), 'tollgate-lkg-')), 'lkg.json')
  const { proxy, logs } = await startTestProxy(t, op.url, cache)

  t.equal(await ready(proxy), 503, 'not ready before a config is loaded')
  const first = configFor(backend.port)
  op.stream.publish(first)
  await waitFor(() => op.stream.proxies()[0]?.ackedHash === first.hash, 5000, 'ACK')
  t.equal(op.stream.proxies()[0]?.id, 'proxy-a')
  t.same(await call(proxy), { status: 200, body: 'from backend' })
  t.equal(await ready(proxy), 200, 'ready once a config is loaded')
  t.ok(existsSync(cache), 'the last-known-good config is persisted')
  t.equal(statSync(cache).mode & 0o777, 0o600, 'with mode 0600')

  // The same config again is not re-sent: the proxy logs each applied snapshot once.
  op.stream.publish(first)
  await new Promise((r) => setTimeout(r, 100))
  t.equal(logs.filter((l) => l.startsWith('applied config')).length, 1, `an identical hash is not sent again: ${logs.join(' | ')}`)

  const bad = { ...configFor(backend.port, '/other'), hash: 'f'.repeat(64) }
  op.stream.publish(bad)
  await waitFor(() => op.stream.proxies()[0]?.nack?.hash === bad.hash, 5000, 'NACK')
  t.match(op.stream.proxies()[0]?.nack?.reason, /hash/, 'the NACK says why')
  t.equal(op.stream.proxies()[0]?.ackedHash, first.hash, 'the proxy still serves the first config')
  t.same(await call(proxy), { status: 200, body: 'from backend' }, 'the old config keeps serving')
})

t.test('a wrong token is refused; the proxy keeps retrying', async (t) => {
  const op = await operator(t)
  const cache = join(mkdtempSync(join(tmpdir(), 'tollgate-lkg-')), 'lkg.json')
  const { logs } = await startTestProxy(t, op.url, cache, 'wrong-token')
  await waitFor(() => logs.filter((l) => l.includes('HTTP 401')).length >= 2, 10000, 'two refused attempts')
  t.same(op.stream.proxies(), [], 'no proxy is connected')

  const raw = await new Promise<number>((resolve) => {
    const ws = new WebSocket(op.url)
    // With this listener the request is ours to end: end it, and swallow the reset that follows.
    ws.on('unexpected-response', (req, res) => {
      req.on('error', () => {})
      res.on('error', () => {})
      resolve(res.statusCode ?? 0)
      req.destroy()
    })
    ws.on('error', () => {})
  })
  t.equal(raw, 401, 'no token → 401')
})

t.test('operator down: the proxy keeps serving, and a restarted proxy serves its last-known-good config', async (t) => {
  const backend = await startServer((_req, res) => res.end('still here'))
  t.teardown(backend.close)
  const op = await operator(t)
  const cache = join(mkdtempSync(join(tmpdir(), 'tollgate-lkg-')), 'lkg.json')
  const first = await startProxy(proxyOptions(op.url, cache), TOKEN, () => {})
  const config = configFor(backend.port)
  op.stream.publish(config)
  await waitFor(() => op.stream.proxies()[0]?.ackedHash === config.hash, 5000, 'ACK')

  await op.stop()
  await new Promise((r) => setTimeout(r, 100))
  t.same(await call(first), { status: 200, body: 'still here' }, 'serves with the operator gone')
  await first.shutdown()

  const { proxy: second, logs } = await startTestProxy(t, op.url, cache)
  t.same(await call(second), { status: 200, body: 'still here' }, 'a restarted proxy serves the cached config')
  t.equal(await ready(second), 200, 'and is ready')
  t.match(logs.join('\n'), /last-known-good/)
})

t.test('the proxy reconnects and catches up after the operator returns', async (t) => {
  const backend = await startServer((_req, res) => res.end('v2'))
  t.teardown(backend.close)
  const op = await operator(t)
  const port = Number(new URL(op.url).port)
  const cache = join(mkdtempSync(join(tmpdir(), 'tollgate-lkg-')), 'lkg.json')
  const { proxy } = await startTestProxy(t, op.url, cache)
  await waitFor(() => op.stream.proxies().length === 1, 5000, 'connected')
  await op.stop()

  // A new operator on the same port with a new config.
  const stream = new ConfigStream({ token: TOKEN, log: () => {} })
  const server = createServer()
  stream.attach(server)
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()))
  t.teardown(() => {
    stream.close()
    server.closeAllConnections()
    server.close()
  })
  const config = configFor(backend.port)
  stream.publish(config)
  await waitFor(() => stream.proxies()[0]?.ackedHash === config.hash, 15000, 'reconnect and ACK')
  t.same(await call(proxy), { status: 200, body: 'v2' })
})

t.test('an unwritable cache file is logged; the applied config is still ACKed', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const op = await operator(t)
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-lkg-'))
  const blocker = join(dir, 'not-a-folder')
  writeFileSync(blocker, 'x')
  const { proxy, logs } = await startTestProxy(t, op.url, join(blocker, 'lkg.json'))
  const config = configFor(backend.port)
  op.stream.publish(config)
  await waitFor(() => op.stream.proxies()[0]?.ackedHash === config.hash, 5000, 'ACK')
  t.equal(op.stream.proxies()[0]?.nack, null, 'no NACK for a config that serves')
  t.match(logs.join('\n'), /warning: cannot write the last-known-good config/)
  t.same(await call(proxy), { status: 200, body: 'ok' })
})
