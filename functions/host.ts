// A Lambda handler as a server of the Lambda invoke API, so an ordinary handler runs as a pod
// behind Tollgate's AWS and AWS_PROXY integrations (`tollgate function serve`, docs/functions.md):
//
//   POST /2015-03-31/functions/{name}/invocations   the event as JSON → the result as JSON
//   GET  /healthz                                   200 once the handler is loaded (probes)
//
// As real Lambda answers: 200 with the result (X-Amz-Executed-Version: $LATEST); a failed
// invocation 200 with `X-Amz-Function-Error: Unhandled` and the Node runtime's error document;
// a body that is not JSON 400 InvalidRequestContentException; over 6 MB 413
// RequestTooLargeException; another function name (when `functionName` is set) 404
// ResourceNotFoundException. {name} may be the name, or a function ARN ending with it (and a
// qualifier). Unlike one Lambda instance, the host runs invocations concurrently.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { invokeHandler, type Handler, type InvokeSettings } from './handler.js'

/** Lambda's synchronous invocation payload limit. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024

export interface FunctionHostOptions {
  readonly handler: Handler
  /** Accept only this function name (or an ARN of it); absent: any name, as the runtime interface emulator's "function". */
  readonly functionName?: string
  /** Per-invocation timeout (default 30 s). */
  readonly timeoutMs?: number
  readonly region?: string
  readonly accountId?: string
  readonly log?: (line: string) => void
}

export interface FunctionHost {
  readonly server: Server
  readonly port: number
  /** The invoke URL of the function on this host (for an integration's uri). */
  readonly invokeUri: string
  close(): Promise<void>
}

const INVOKE = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers })
  res.end(body)
}

function lambdaError(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, JSON.stringify({ Type: 'User', message }), { 'x-amzn-errortype': type })
}

/** The function name in an invoke path: a name, or an ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]). */
function nameOf(raw: string): string {
  const decoded = decodeURIComponent(raw)
  const m = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(decoded)
  return m !== null ? m[1]! : decoded
}

export function functionHostHandler(options: FunctionHostOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const settings: InvokeSettings = {
    functionName: options.functionName ?? 'function',
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    timeoutMs: options.timeoutMs ?? 30_000,
  }
  const log = options.log ?? (() => {})
  return (req, res) => {
    const url = req.url ?? '/'
    if (req.method === 'GET' && url === '/healthz') return send(res, 200, '{"status":"ok"}')
    const m = INVOKE.exec(url)
    if (m === null || req.method !== 'POST') return lambdaError(res, 404, 'ResourceNotFoundException', `no route for ${req.method} ${url}`)
    const name = nameOf(m[1]!)
    if (options.functionName !== undefined && name !== options.functionName) {
      return lambdaError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`)
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_EVENT_BYTES) tooLarge = true
      else chunks.push(chunk)
    })
    req.on('end', () => {
      if (tooLarge) return lambdaError(res, 413, 'RequestTooLargeException', `Request must be smaller than ${MAX_EVENT_BYTES} bytes for the InvokeFunction operation`)
      const text = Buffer.concat(chunks).toString('utf8')
      let event: unknown
      try {
        event = text.trim() === '' ? {} : JSON.parse(text)
      } catch {
        return lambdaError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json: the body is not valid JSON')
      }
      const started = Date.now()
      void invokeHandler(options.handler, event, { ...settings, functionName: name }).then((outcome) => {
        if (outcome.ok) {
          let body: string
          try {
            body = JSON.stringify(outcome.result === undefined ? null : outcome.result)
          } catch (err) {
            log(`${name}: the result is not JSON: ${(err as Error).message}`)
            return send(res, 200, JSON.stringify({ errorType: 'Runtime.MarshalError', errorMessage: 'Unable to stringify response body', trace: [] }), {
              'x-amz-function-error': 'Unhandled',
            })
          }
          send(res, 200, body, { 'x-amz-executed-version': '$LATEST' })
        } else {
          log(`${name}: invocation failed after ${Date.now() - started} ms: ${outcome.error.errorMessage}`)
          send(res, 200, JSON.stringify(outcome.error), { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' })
        }
      })
    })
  }
}

/** Starts a host on `port` (0: any free port) and `host`. */
export async function startFunctionHost(options: FunctionHostOptions, port = 0, host = '127.0.0.1'): Promise<FunctionHost> {
  const server = createServer(functionHostHandler(options))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const bound = (server.address() as AddressInfo).port
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  return {
    server,
    port: bound,
    invokeUri: `http://${shown}:${bound}/2015-03-31/functions/${options.functionName ?? 'function'}/invocations`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
