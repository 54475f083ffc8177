// What an AWS_PROXY function returned, turned into the method response.
//
// Payload 1.0 (REST, HTTP APIs that ask for it): { statusCode, headers, multiValueHeaders, body,
// isBase64Encoded }. None is required (statusCode defaults to 200) but nothing else may be there;
// statusCode is an integer (or its digits as a string) from 100 to 599, header values strings or
// booleans (a number is refused, as API Gateway refuses it), body a string. A name in both
// headers and multiValueHeaders takes the multiValueHeaders values. Anything else is a
// malformed result: REST 502, HTTP APIs 500, {"message": "Internal server error"} / "Internal
// Server Error" (AWS: "Malformed Lambda proxy response"; HTTP APIs' access logs show status 500
// with errorResponseType MALFORMED_PROXY_RESPONSE). The rules are those LocalStack validated
// against AWS.
//
// Payload 2.0 (HTTP APIs' default): an object with a statusCode is a response as above, plus
// `cookies` (each becomes a Set-Cookie header); anything else is inferred as the body of a 200
// application/json response: a string as it is, any other JSON as the function returned it.
//
// Bodies: isBase64Encoded true on an HTTP API is decoded; on a REST API it is decoded only when
// the request's first Accept media type is one of the API's binaryMediaTypes (AWS: "API Gateway
// only honors the first Accept media type"), otherwise the base64 text is the body.
// Headers: names are lower-cased; hop-by-hop ones and Content-Length are dropped (the gateway
// frames the response itself: handler libraries copy a stale Content-Length into their results).
// Content-Type when the function sets none: REST application/json; HTTP APIs text/plain;
// charset=utf-8 (application/json for an inferred 2.0 response).
import { HOP_BY_HOP } from '../../hop-by-hop.js'
import type { BinaryMatcher } from '../binary-types.js'

export class MalformedResult extends Error {}

export interface MethodResponse {
  readonly status: number
  readonly headers: Record<string, string | string[]>
  readonly body: string | Buffer
}

const V1_KEYS: ReadonlySet<string> = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'])
const NOT_FORWARDED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'content-length'])

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function headerValue(value: unknown, where: string): string {
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  throw new MalformedResult(`${where} is not a string`)
}

function statusOf(value: unknown): number {
  if (value === undefined || value === null) return 200
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 100 || n > 599) throw new MalformedResult(`statusCode ${JSON.stringify(value)} is not an HTTP status`)
  return n
}

function headersOf(result: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  const single = result.headers
  if (single !== undefined && single !== null) {
    if (!isObject(single)) throw new MalformedResult('headers is not an object')
    for (const [name, value] of Object.entries(single)) {
      const key = name.toLowerCase()
      if (!NOT_FORWARDED.has(key)) out[key] = headerValue(value, `header ${name}`)
    }
  }
  const multi = result.multiValueHeaders
  if (multi !== undefined && multi !== null) {
    if (!isObject(multi)) throw new MalformedResult('multiValueHeaders is not an object')
    const seen = new Set<string>()
    for (const [name, values] of Object.entries(multi)) {
      const key = name.toLowerCase()
      const list = (Array.isArray(values) ? values : [values]).map((v) => headerValue(v, `header ${name}`))
      if (NOT_FORWARDED.has(key)) continue
      // multiValueHeaders win over headers for the same name; two spellings of one name add up.
      const previous = seen.has(key) ? out[key] : undefined
      seen.add(key)
      const merged = previous === undefined ? list : [...(Array.isArray(previous) ? previous : [previous]), ...list]
      out[key] = merged.length === 1 ? merged[0]! : merged
    }
  }
  return out
}

function bodyOf(result: Record<string, unknown>, decode: boolean): string | Buffer {
  const body = result.body
  if (body === undefined || body === null) return ''
  if (typeof body !== 'string') throw new MalformedResult('body is not a string')
  const encoded = result.isBase64Encoded
  if (encoded !== undefined && encoded !== null && typeof encoded !== 'boolean') throw new MalformedResult('isBase64Encoded is not a boolean')
  return encoded === true && decode ? Buffer.from(body, 'base64') : body
}

/** True when the first media type of Accept is binary (REST's rule for decoding base64 bodies). */
export function firstAcceptBinary(matcher: BinaryMatcher, accept: string | undefined): boolean {
  if (accept === undefined) return false
  const comma = accept.indexOf(',')
  return matcher(comma === -1 ? accept : accept.slice(0, comma))
}

/** Payload 1.0 result → response; throws MalformedResult. */
export function responseV1(result: unknown, rest: boolean, decodeBase64: boolean): MethodResponse {
  if (!isObject(result)) throw new MalformedResult('the result is not an object')
  for (const key in result) if (!V1_KEYS.has(key)) throw new MalformedResult(`the result has a field ${JSON.stringify(key)}`)
  const status = statusOf(result.statusCode)
  const headers = headersOf(result)
  const body = bodyOf(result, decodeBase64)
  headers['content-type'] ??= rest ? 'application/json' : 'text/plain; charset=utf-8'
  return { status, headers, body }
}

/** Payload 2.0 result (HTTP APIs) → response, with inference; throws MalformedResult. */
export function responseV2(result: unknown, text: string): MethodResponse {
  if (!isObject(result) || !Object.hasOwn(result, 'statusCode')) {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: typeof result === 'string' ? result : text }
  }
  const status = statusOf(result.statusCode)
  const headers = headersOf({ headers: result.headers })
  const body = bodyOf(result, true)
  const cookies = result.cookies
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies)) throw new MalformedResult('cookies is not a list')
    const list = cookies.map((c) => headerValue(c, 'a cookie'))
    if (list.length > 0) {
      const existing = headers['set-cookie']
      headers['set-cookie'] = existing === undefined ? list : [...(Array.isArray(existing) ? existing : [existing]), ...list]
    }
  }
  headers['content-type'] ??= 'text/plain; charset=utf-8'
  return { status, headers, body }
}
