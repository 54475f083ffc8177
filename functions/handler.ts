// Running one Lambda handler invocation the way the Node.js Lambda runtime does: the handler is
// `(event, context, callback)`; it answers by returning a promise (async handlers) or by calling
// the callback, whichever comes first. A thrown error, a rejected promise or `callback(err)` is a
// failed invocation, reported as the Node runtime's error document {errorType, errorMessage,
// trace}; a string error is errorType "string" (`callback('Unauthorized')`). Past the timeout the
// invocation fails with Lambda's "Task timed out after N.NN seconds" document.
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'

/** What the handler's second argument offers (the Node.js runtime's context object). */
export interface LambdaContext {
  readonly functionName: string
  readonly functionVersion: string
  readonly invokedFunctionArn: string
  readonly memoryLimitInMB: string
  readonly awsRequestId: string
  readonly logGroupName: string
  readonly logStreamName: string
  callbackWaitsForEmptyEventLoop: boolean
  getRemainingTimeInMillis(): number
  /** Legacy completion methods, as the runtime still offers them. */
  done(err?: unknown, result?: unknown): void
  succeed(result?: unknown): void
  fail(err: unknown): void
}

export type Callback = (err?: unknown, result?: unknown) => void
export type Handler = (event: unknown, context: LambdaContext, callback: Callback) => unknown

/** The Node runtime's error document. */
export interface ErrorDocument {
  errorType: string
  errorMessage: string
  trace: string[]
}

export type Outcome = { ok: true; result: unknown } | { ok: false; error: ErrorDocument | { errorMessage: string } }

export interface InvokeSettings {
  readonly functionName: string
  readonly region: string
  readonly accountId: string
  /** How long an invocation may run; past it, Lambda's timeout error. */
  readonly timeoutMs: number
}

export function errorDocument(err: unknown): ErrorDocument {
  if (err instanceof Error) {
    return { errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') }
  }
  if (typeof err === 'string') return { errorType: 'string', errorMessage: err, trace: [] }
  let message: string
  try {
    message = JSON.stringify(err) ?? String(err)
  } catch {
    message = String(err)
  }
  return { errorType: typeof err, errorMessage: message, trace: [] }
}

/** Invokes `handler` with `event`; never rejects. */
export function invokeHandler(handler: Handler, event: unknown, settings: InvokeSettings, requestId: string = randomUUID()): Promise<Outcome> {
  const deadline = Date.now() + settings.timeoutMs
  return new Promise<Outcome>((settle) => {
    let settled = false
    const finish = (outcome: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      settle(outcome)
    }
    const callback: Callback = (err, result) => (err === undefined || err === null ? finish({ ok: true, result }) : finish({ ok: false, error: errorDocument(err) }))
    const timer = setTimeout(() => {
      const seconds = (settings.timeoutMs / 1000).toFixed(2)
      finish({ ok: false, error: { errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${seconds} seconds` } })
    }, settings.timeoutMs)
    const context: LambdaContext = {
      functionName: settings.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${settings.region}:${settings.accountId}:function:${settings.functionName}`,
      memoryLimitInMB: '128',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${settings.functionName}`,
      logStreamName: 'tollgate',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: callback,
      succeed: (result) => callback(null, result),
      fail: (err) => callback(err ?? new Error('handled')),
    }
    try {
      const returned = handler(event, context, callback)
      if (returned !== null && typeof returned === 'object' && typeof (returned as Promise<unknown>).then === 'function') {
        ;(returned as Promise<unknown>).then(
          (result) => finish({ ok: true, result }),
          (err: unknown) => finish({ ok: false, error: errorDocument(err) }),
        )
      } else if (handler.length < 3) {
        // A synchronous handler that takes no callback answers with what it returns.
        finish({ ok: true, result: returned })
      }
    } catch (err) {
      finish({ ok: false, error: errorDocument(err) })
    }
  })
}

export class HandlerLoadError extends Error {}

/** Loads `FILE[#EXPORT]` (export default "handler"), as Lambda's handler setting names one. */
export async function loadHandler(spec: string, cwd: string = process.cwd()): Promise<Handler> {
  const hash = spec.lastIndexOf('#')
  const file = hash === -1 ? spec : spec.slice(0, hash)
  const name = hash === -1 ? 'handler' : spec.slice(hash + 1)
  if (file === '' || name === '') throw new HandlerLoadError(`--handler must be FILE#EXPORT, got ${JSON.stringify(spec)}`)
  let mod: Record<string, unknown>
  try {
    mod = (await import(pathToFileURL(resolve(cwd, file)).href)) as Record<string, unknown>
  } catch (err) {
    throw new HandlerLoadError(`cannot load ${file}: ${(err as Error).message}`)
  }
  const fromDefault = mod.default !== null && typeof mod.default === 'object' ? (mod.default as Record<string, unknown>)[name] : undefined
  const handler = mod[name] ?? fromDefault
  if (typeof handler !== 'function') throw new HandlerLoadError(`${file} exports no function ${JSON.stringify(name)}`)
  return handler as Handler
}
