// One call to an upstream for the HTTP integration (HTTP_PROXY has its own streaming handler,
// proxy-call.ts), as an undici dispatch handler: no per-response stream objects. The body is
// held when the head arrives until the mapping step decides: its chunks then go straight into
// the client's ServerResponse with backpressure (pause/resume of the upstream socket), or are
// collected when a mapping or template needs the body.
//
// Timeouts: the integration timeout runs from dispatch until the response headers arrive
// (504 INTEGRATION_TIMEOUT, deadlines.ts); after that the body streams for as long as it flows.
// Errors: DNS failures are API_CONFIGURATION_ERROR (AWS: "Invalid endpoint address", 500);
// connection refused/reset and other network errors are INTEGRATION_FAILURE (504 "Network
// error communicating with endpoint").
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { GatewayError } from '../errors.js'
import type { DeadlineList, Expirable } from './deadlines.js'

export interface UpstreamRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string | string[]> | string[]
  readonly body: string | Buffer | Readable | null
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'])

/** The gateway error an upstream failure is answered with. */
export function classifyUpstreamError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err
  const cause = (err as { cause?: unknown } | null)?.cause
  if (cause instanceof GatewayError) return cause
  const code = (err as { code?: string } | null)?.code ?? (cause as { code?: string } | null)?.code
  if (code !== undefined && DNS_CODES.has(code)) {
    return new GatewayError('TG_ERR_INVALID_ENDPOINT', 'API_CONFIGURATION_ERROR', `invalid endpoint address (${code})`)
  }
  return new GatewayError('TG_ERR_INTEGRATION_FAILURE', 'INTEGRATION_FAILURE', `network error communicating with endpoint (${code ?? (err as Error).message})`)
}

type Settle<T> = { resolve(value: T): void; reject(err: Error): void }

export class UpstreamCall implements Dispatcher.DispatchHandler, Expirable {
  // Expirable: the call is a node of its deadline list.
  deadline = 0
  prevDeadline: Expirable | null = null
  nextDeadline: Expirable | null = null
  deadlines: DeadlineList | null = null

  status = 0
  headers: IncomingHttpHeaders = {}
  /** Resolves when the response headers arrived; rejects with a GatewayError. */
  readonly started: Promise<void>

  private controller: Dispatcher.DispatchController | null = null
  private abortReason: Error | null = null
  private startSettle: Settle<void> | null = null
  private bodySettle: Settle<Buffer> | null = null
  private sink: ServerResponse | null = null
  private pending: Buffer[] | null = null
  private pendingBytes = 0
  private bodyLimit = 0
  private ended = false
  private failure: GatewayError | null = null
  private waitingDrain = false

  constructor(dispatcher: Dispatcher, deadlines: DeadlineList, request: UpstreamRequest) {
    this.started = new Promise<void>((resolve, reject) => {
      this.startSettle = { resolve, reject }
    })
    deadlines.add(this)
    dispatcher.dispatch(
      { path: request.path, method: request.method as Dispatcher.HttpMethod, headers: request.headers, body: request.body },
      this,
    )
  }

  get finished(): boolean {
    return this.ended || this.failure !== null
  }

  /** The integration timeout passed before the response head arrived. */
  expire(): void {
    this.fail(new GatewayError('TG_ERR_INTEGRATION_TIMEOUT', 'INTEGRATION_TIMEOUT', 'endpoint request timed out'))
  }

  /** Aborts the call (timeout, client gone, gateway error elsewhere). */
  fail(reason: GatewayError): void {
    if (this.finished) return
    this.failure = reason
    this.deadlines?.remove(this)
    this.abortReason = reason
    if (this.controller !== null && !this.controller.aborted) this.controller.abort(reason)
    this.settleError(reason)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.abortReason !== null) controller.abort(this.abortReason)
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return
    this.controller = controller
    this.deadlines?.remove(this)
    this.status = statusCode
    this.headers = headers
    // Hold the body until someone takes it (pipeTo or readBody).
    controller.pause()
    const settle = this.startSettle
    this.startSettle = null
    settle?.resolve()
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const sink = this.sink
    if (sink !== null) {
      if (!sink.write(chunk) && !this.waitingDrain) {
        this.waitingDrain = true
        controller.pause()
        sink.once('drain', this.onDrain)
      }
      return
    }
    ;(this.pending ??= []).push(chunk)
    this.pendingBytes += chunk.length
    if (this.bodySettle !== null && this.pendingBytes > this.bodyLimit) {
      this.fail(new GatewayError('TG_ERR_INTEGRATION_FAILURE', 'INTEGRATION_FAILURE', 'endpoint response body too large'))
    }
  }

  onResponseEnd(): void {
    this.ended = true
    this.deadlines?.remove(this)
    if (this.sink !== null) this.sink.end()
    const settle = this.bodySettle
    this.bodySettle = null
    settle?.resolve(this.takePending())
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.ended) return
    const reason = this.failure ?? classifyUpstreamError(error)
    this.failure = reason
    this.deadlines?.remove(this)
    this.settleError(reason)
    if (this.sink !== null) this.sink.destroy()
  }

  /** Streams the (held) body into the client response; ends it when the upstream ends. */
  pipeTo(res: ServerResponse): void {
    this.sink = res
    const pending = this.takePending()
    if (pending.length > 0) res.write(pending)
    if (this.ended) res.end()
    else if (this.failure !== null) res.destroy()
    else this.controller?.resume()
  }

  /** Reads the whole body (bounded); rejects with a GatewayError. */
  readBody(limit: number): Promise<Buffer> {
    if (this.ended) return Promise.resolve(this.takePending())
    if (this.failure !== null) return Promise.reject(this.failure)
    this.bodyLimit = limit
    const promise = new Promise<Buffer>((resolve, reject) => {
      this.bodySettle = { resolve, reject }
    })
    this.controller?.resume()
    return promise
  }

  private readonly onDrain = (): void => {
    this.waitingDrain = false
    this.controller?.resume()
  }

  private takePending(): Buffer {
    const pending = this.pending
    this.pending = null
    this.pendingBytes = 0
    if (pending === null) return Buffer.alloc(0)
    return pending.length === 1 ? pending[0]! : Buffer.concat(pending)
  }

  private settleError(reason: GatewayError): void {
    const start = this.startSettle
    this.startSettle = null
    start?.reject(reason)
    const body = this.bodySettle
    this.bodySettle = null
    body?.reject(reason)
  }
}
