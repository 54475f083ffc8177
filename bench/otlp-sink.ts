// Benchmark OTLP/HTTP receiver for the traced target (tollgate-traced-target.ts): takes the
// exporter's POSTs to /v1/traces, counts the spans and discards them. Runs in its own process
// (pinned with the upstream), so its work is not counted as the target's. Prints its totals
// when stopped, so a run shows whether the batch processor kept up (spans dropped otherwise).
import { createServer } from 'node:http'
import { reportPort } from './child.js'

let exports = 0
let spans = 0
let bytes = 0
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    exports++
    bytes += body.length
    // "spanId" appears once per span in OTLP JSON (links aside: the gateway makes none).
    for (let at = body.indexOf('"spanId"'); at !== -1; at = body.indexOf('"spanId"', at + 8)) spans++
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => reportPort(server))
process.on('exit', () => console.log(`otlp sink: ${exports} exports, ${spans} spans, ${(bytes / 1e6).toFixed(1)} MB`))
