// The baseline: the least a Node reverse proxy can do — node:http in, one undici Pool
// dispatch out, bodies streamed, no routing or header policy. Tollgate is measured against it.
import { createServer } from 'node:http'
import { Pool } from 'undici'
import { numberArg, reportPort } from './child.js'

const upstream = numberArg('upstream')
const pool = new Pool(`http://127.0.0.1:${upstream}`, { connections: 128, pipelining: 1 })

const server = createServer((req, res) => {
  pool.dispatch(
    { method: req.method as 'GET', path: req.url ?? '/', headers: req.headers as Record<string, string>, body: req },
    {
      onConnect() {},
      onHeaders(status, rawHeaders, resume) {
        const headers: string[] = []
        for (let i = 0; i < rawHeaders.length; i += 2) {
          const name = rawHeaders[i]!.toString()
          if (name.toLowerCase() === 'connection' || name.toLowerCase() === 'keep-alive') continue
          headers.push(name, rawHeaders[i + 1]!.toString())
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
        if (!res.headersSent) res.writeHead(502)
        res.end()
      },
    },
  )
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => reportPort(server))
