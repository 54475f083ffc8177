// The floor of a request's cost: node:http answering every request with a fixed response of the
// shape a Tollgate cache hit writes (the upstream's 36-byte JSON body and Date, two id headers),
// without routing, ids or a backend. What node:http and the kernel cost per request by
// themselves; bench/instructions.ts measures the targets against it.
import { createServer } from 'node:http'
import { reportPort } from './child.js'

const body = Buffer.from(JSON.stringify({ id: 1, type: 'dog', price: 249.99 }))
const headers = [
  'content-type',
  'application/json',
  'date',
  'Mon, 30 Nov 2026 00:00:00 GMT',
  'x-amzn-RequestId',
  '00000000-0000-4000-8000-000000000000',
  'x-amz-apigw-id',
  'AAAAAAAAAAAAAAA=',
  'content-length',
  String(body.length),
]
const server = createServer((_req, res) => {
  res.writeHead(200, headers)
  res.end(body)
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => reportPort(server))
