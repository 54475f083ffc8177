// Benchmark upstream: answers every request with the same small JSON body.
import { createServer } from 'node:http'
import { reportPort } from './child.js'

const body = Buffer.from(JSON.stringify({ id: 1, type: 'dog', price: 249.99 }))
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => reportPort(server))
