// A cached method response ready to be written. Decoded once per stored value (on in-process
// stores the service keeps it with the value: cache/service.ts), with the header list of each
// protocol built on first use, so a hit writes its status, headers and body with one writeHead
// (a flat name/value list, nothing allocated for it) and one end.
//
// The list is what writeMethodResponse (pipeline/respond.ts) would write for the response,
// built by the same object operations once, with this request's ids filled in per hit:
//   REST:      stored headers, x-amzn-RequestId, x-amz-apigw-id, content-length
//   HTTP APIs: stored headers, apigw-requestid, content-length
// Responses with CORS headers, the invalidation warning or an unread chunked request body
// take writeMethodResponse itself (pipeline/cache.ts decides).
//
// HOT PATH — a hit is this and the key (cache/key.ts).
import type { RequestContext } from '../context.js'
import type { CachedResponse } from './codec.js'

/** Bodies up to this size are also kept as a latin1 string (the same bytes): node:http then sends head and body in one write. */
const TEXT_BODY_MAX = 16 * 1024

const ID = '\u0000request-id'
const EXTENDED_ID = '\u0000extended-request-id'

interface HeadList {
  /** [name, value, name, value, ...]; the id slots are overwritten per hit (writeHead reads it synchronously and keeps nothing). */
  readonly list: (string | string[])[]
  /** Index of the x-amzn-RequestId value; -1 on HTTP APIs. */
  readonly idAt: number
  /** Index of the x-amz-apigw-id (REST) or apigw-requestid (HTTP APIs) value. */
  readonly extendedIdAt: number
}

function setHeader(headers: Record<string, string | string[]>, name: string, value: string): void {
  delete headers[name.toLowerCase()]
  headers[name] = value
}

/** The header list writeMethodResponse would build for `headers` and a `bodyLength`-byte body. */
function headList(headers: Readonly<Record<string, string | string[]>>, bodyLength: number, rest: boolean): HeadList {
  const h: Record<string, string | string[]> = { ...headers }
  if (rest) {
    setHeader(h, 'x-amzn-RequestId', ID)
    setHeader(h, 'x-amz-apigw-id', EXTENDED_ID)
  } else {
    setHeader(h, 'apigw-requestid', EXTENDED_ID)
  }
  h['content-length'] = String(bodyLength)
  const list: (string | string[])[] = []
  let idAt = -1
  let extendedIdAt = -1
  for (const name of Object.keys(h)) {
    const value = h[name]!
    if (value === ID) idAt = list.length + 1
    else if (value === EXTENDED_ID) extendedIdAt = list.length + 1
    list.push(name, value)
  }
  return { list, idAt, extendedIdAt }
}

export class PreparedResponse implements CachedResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[]>>
  readonly body: Buffer
  private readonly bodyText: string | null
  private rest: HeadList | null = null
  private http: HeadList | null = null

  constructor(entry: CachedResponse) {
    this.status = entry.status
    this.headers = entry.headers
    this.body = entry.body
    this.bodyText = entry.body.length <= TEXT_BODY_MAX ? entry.body.toString('latin1') : null
  }

  /**
   * Writes the response with this request's ids and ends the chain: what writeMethodResponse
   * does for a response without CORS headers, warning or unread request body.
   */
  write(ctx: RequestContext, rest: boolean): void {
    const head = rest ? (this.rest ??= headList(this.headers, this.body.length, true)) : (this.http ??= headList(this.headers, this.body.length, false))
    const list = head.list
    if (head.idAt !== -1) list[head.idAt] = ctx.requestId
    list[head.extendedIdAt] = ctx.extendedRequestId
    ctx.status = this.status
    ctx.responseBody = this.body
    ctx.done = true
    const res = ctx.res
    res.writeHead(this.status, list)
    if (this.bodyText !== null) res.end(this.bodyText, 'latin1')
    else res.end(this.body)
  }
}
