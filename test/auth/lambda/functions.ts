// Authorizer functions for tests: real HTTP servers on port 0 speaking the Lambda invoke API
// (POST /2015-03-31/functions/{name}/invocations), as the runtime interface emulator of the AWS
// base images does. Each counts its calls and keeps the events it received.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LambdaAuthorizerConfig } from '../../../proxy/config/schema.js'

/** What the function does with one event. */
export type Behaviour =
  | { readonly result: unknown; readonly delayMs?: number } // 200 with the result (after delayMs)
  | { readonly error: string; readonly errorType?: string; readonly style: 'lambda' | 'emulator' } // a failed invocation
  | { readonly raw: string; readonly status?: number } // anything else
  | { readonly hang: true } // never answers

export interface AuthorizerFunction {
  readonly origin: string
  /** The invoke URL of function `name` (default "function", as the emulator names it). */
  invokeUri(name?: string): string
  /** Events received, parsed, in order. */
  readonly events: Record<string, unknown>[]
  /** Paths called. */
  readonly paths: string[]
  readonly calls: number
  close(): Promise<void>
}

export async function startFunction(behave: (event: Record<string, unknown>) => Behaviour): Promise<AuthorizerFunction> {
  const events: Record<string, unknown>[] = []
  const paths: string[] = []
  const hanging: ServerResponse[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method !== 'POST' || !/^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(req.url ?? '')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}')
        return
      }
      paths.push(req.url!)
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
      events.push(event)
      const b = behave(event)
      if ('hang' in b) {
        hanging.push(res)
        return
      }
      if ('result' in b) {
        const send = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(b.result))
        if (b.delayMs === undefined) send()
        else setTimeout(send, b.delayMs)
        return
      }
      if ('raw' in b) {
        res.writeHead(b.status ?? 200, { 'content-type': 'text/plain' }).end(b.raw)
        return
      }
      const doc = JSON.stringify({ errorType: b.errorType ?? 'Error', errorMessage: b.error, trace: ['Error: ' + b.error, '    at handler (index.js:1:1)'] })
      // Real Lambda flags a failed invocation with X-Amz-Function-Error; the emulator sends 200 and the document.
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (b.style === 'lambda') headers['x-amz-function-error'] = 'Unhandled'
      res.writeHead(200, headers).end(doc)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    invokeUri: (name = 'function') => `${origin}/2015-03-31/functions/${name}/invocations`,
    events,
    paths,
    get calls() {
      return events.length
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** An IAM policy answer over execute-api:Invoke. */
export function policy(principalId: string, statements: { effect: 'Allow' | 'Deny'; resource: string | string[] }[], extra: Record<string, unknown> = {}): unknown {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: statements.map((s) => ({ Action: 'execute-api:Invoke', Effect: s.effect, Resource: s.resource })),
    },
    ...extra,
  }
}

export function lambdaAuthorizer(partial: Partial<LambdaAuthorizerConfig> & { invokeUri: string }): LambdaAuthorizerConfig {
  return {
    type: 'TOKEN',
    name: 'default/auth',
    source: { kind: 'Authorizer', namespace: 'default', name: 'auth' },
    identitySources: ['method.request.header.Authorization'],
    resultTtlSeconds: 0,
    enableSimpleResponses: false,
    ...partial,
  }
}
