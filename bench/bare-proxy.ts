// The baseline: the least a *correct* Node reverse proxy does — node:http in, one undici Pool
// dispatch out, bodies streamed with backpressure, hop-by-hop headers dropped in both directions
// (RFC 9110 7.6.1: Connection and the names it lists, Keep-Alive, TE, Trailer,
// Transfer-Encoding, Upgrade, Proxy-*; without this a chunked upload or a `Connection: close`
// from a client would break it), Host set by undici to the upstream's, a broken upstream
// answered 502 (or the client connection cut once the head is out). No routing, no ids, no
// forwarding headers, no timeouts: gateway work is what Tollgate is measured for.
//
// It uses undici's fastest handler API (the legacy onHeaders/onData one, raw header buffers,
// no parsed header object); Tollgate uses the controller API (onResponseStart).
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { Pool } from 'undici'
import { numberArg, reportPort } from './child.js'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host'])

/** Names listed by a Connection header (besides close/keep-alive), or null. */
function listed(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null
  const text = String(value).toLowerCase()
  if (text === 'keep-alive' || text === 'close') return null
  return new Set(text.split(',').map((s) => s.trim()))
}

function requestHeaders(headers: IncomingHttpHeaders): string[] {
  const named = listed(headers.connection)
  const out: string[] = []
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('proxy-') || named?.has(name)) continue
    if (typeof value === 'string') out.push(name, value)
    else for (const v of value) out.push(name, v)
  }
  return out
}

const upstream = numberArg('upstream')
const pool = new Pool(`http://127.0.0.1:${upstream}`, { connections: 128, pipelining: 1 })

const server = createServer((req, res) => {
  const noBody = req.method === 'GET' || req.method === 'HEAD'
  pool.dispatch(
    { method: req.method as 'GET', path: req.url ?? '/', headers: requestHeaders(req.headers), body: noBody ? null : req },
    {
      onConnect() {},
      onHeaders(status, rawHeaders, resume) {
        if (status < 200) return true
        let named: Set<string> | null = null
        const names: string[] = []
        const headers: string[] = []
        for (let i = 0; i < rawHeaders.length; i += 2) {
          const name = rawHeaders[i]!.toString('latin1')
          const lower = name.toLowerCase()
          const value = rawHeaders[i + 1]!.toString('latin1')
          if (lower === 'connection') named = listed(value)
          if (HOP_BY_HOP.has(lower) || lower.startsWith('proxy-')) continue
          names.push(lower)
          headers.push(name, value)
        }
        if (named !== null) {
          for (let i = names.length - 1; i >= 0; i--) if (named.has(names[i]!)) headers.splice(2 * i, 2)
        }
        res.writeHead(status, headers)
        res.on('drain', resume)
        return true
      },
      onData(chunk) {
        return res.write(chunk)
      },
      onComplete() {
        res.end()
      },
      onError() {
        if (res.headersSent) res.destroy()
        else {
          res.writeHead(502, { 'content-length': 0 })
          res.end()
        }
      },
    },
  )
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => reportPort(server))
