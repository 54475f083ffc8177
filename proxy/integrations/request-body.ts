// The request body as handed to an upstream: streamed, never buffered. A Content-Length over
// the limit was refused before routing; a chunked body is counted as it streams and the call
// fails with REQUEST_TOO_LARGE when it passes the limit. GET and HEAD send no body.
// Exception: a stage that must see the whole body first (SigV4 verification hashes it) buffers
// it with bufferRequestBody (bounded by the same limit) into ctx.body, which is then sent instead.
// A template, or a contentHandling conversion (payloads.ts), reads it whole, bounded the same way.
import { Readable } from 'node:stream'
import type { RequestContext } from '../context.js'
import { GatewayError } from '../errors.js'

async function* limited(source: Readable, max: number): AsyncGenerator<Buffer> {
  let total = 0
  for await (const chunk of source) {
    const buf = chunk as Buffer
    total += buf.length
    if (total > max) throw new GatewayError('TG_ERR_BODY_TOO_LARGE', 'REQUEST_TOO_LARGE', `request body over ${max} bytes`)
    yield buf
  }
}

/** True when the request carries a body (a non-zero Content-Length, or chunked). */
export function hasBody(ctx: RequestContext): boolean {
  const length = ctx.req.headers['content-length']
  if (length !== undefined) return length !== '0'
  return ctx.req.headers['transfer-encoding'] !== undefined
}

/** The request body stream for an upstream call, or null; marks the body consumed. */
export function requestBody(ctx: RequestContext, method: string): Readable | null {
  if (method === 'GET' || method === 'HEAD' || !hasBody(ctx)) return null
  ctx.bodyConsumed = true
  if (ctx.body !== null) return Readable.from([ctx.body], { objectMode: false })
  if (ctx.req.headers['content-length'] !== undefined) return ctx.req
  return Readable.from(limited(ctx.req, ctx.services.maxBodyBytes), { objectMode: false })
}

/** Reads the whole request body as text (bounded); for templates. */
export async function readRequestBody(ctx: RequestContext): Promise<string> {
  return (await readRequestBytes(ctx)).toString('utf8')
}

/** Reads the whole request body (bounded), for a template or a content conversion. */
export async function readRequestBytes(ctx: RequestContext): Promise<Buffer> {
  if (!hasBody(ctx)) return EMPTY
  if (ctx.body !== null) return ctx.body
  ctx.bodyConsumed = true
  const chunks: Buffer[] = []
  for await (const chunk of limited(ctx.req, ctx.services.maxBodyBytes)) chunks.push(chunk)
  return Buffer.concat(chunks)
}

const EMPTY = Buffer.alloc(0)

/** Reads the whole request body (bounded) into ctx.body, for a stage that needs it before the integration. */
export async function bufferRequestBody(ctx: RequestContext): Promise<Buffer> {
  if (ctx.body !== null) return ctx.body
  ctx.bodyConsumed = true
  const chunks: Buffer[] = []
  for await (const chunk of limited(ctx.req, ctx.services.maxBodyBytes)) chunks.push(chunk)
  ctx.body = Buffer.concat(chunks)
  return ctx.body
}

/**
 * True when the connection should close after the response: a chunked body that is not fully
 * received would otherwise be read (and discarded) whatever its size.
 */
export function unreadChunkedBody(req: RequestContext['req']): boolean {
  return !req.complete && req.headers['transfer-encoding'] !== undefined && req.headers['content-length'] === undefined
}
