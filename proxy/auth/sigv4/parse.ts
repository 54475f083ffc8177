// Reads what a SigV4-signed request says about its signature: from the Authorization header
// (`AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=..,
// Signature=..` with X-Amz-Date or Date) or from a presigned URL's query string (X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature). Only the
// shape is checked here; scope, clock and signature are checked by the caller.
import type { IncomingHttpHeaders } from 'node:http'
import type { ResponseType } from '../../gateway-responses.js'
import { badDate, basicDate, credentialElements, INCOMPLETE_QUERY, incompleteAuthorization } from './messages.js'

export const ALGORITHM = 'AWS4-HMAC-SHA256'

export interface SignedParts {
  readonly presigned: boolean
  readonly accessKeyId: string
  readonly scopeDate: string
  readonly region: string
  readonly service: string
  readonly terminator: string
  /** Lower-case names, in the client's order. */
  readonly signedHeaders: readonly string[]
  readonly signature: string
  /** The request date, ISO 8601 basic format (20260101T120000Z). */
  readonly longDate: string
  readonly dateMs: number
  /** Presigned URLs: X-Amz-Expires in seconds; null for header signatures. */
  readonly expiresSeconds: number | null
  /** X-Amz-Security-Token was sent (temporary credentials, which Tollgate does not issue). */
  readonly sessionToken: boolean
}

export interface Refusal {
  readonly type: ResponseType
  readonly message: string
}

export type Parsed = { ok: true; parts: SignedParts } | { ok: false; refusal: Refusal }

/** The query string as SigV4 sees it: decoded names and values, repeated names as arrays. */
export type Query = Record<string, string | string[]>

function decode(s: string): string {
  if (s.indexOf('%') === -1) return s
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

export function parseQuery(raw: string): Query {
  const out: Query = {}
  if (raw === '') return out
  for (const pair of raw.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decode(eq === -1 ? pair : pair.slice(0, eq))
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1))
    const prev = out[name]
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  return out
}

function single(query: Query, name: string): string | undefined {
  const v = query[name]
  return Array.isArray(v) ? v[0] : v
}

const BASIC_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

function parseBasicDate(value: string): number | null {
  const m = BASIC_DATE.exec(value)
  if (m === null) return null
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  return Number.isNaN(ms) ? null : ms
}

function incomplete(message: string): Parsed {
  return { ok: false, refusal: { type: 'INCOMPLETE_SIGNATURE', message } }
}

function fromCredential(
  credential: string,
  rest: Omit<SignedParts, 'accessKeyId' | 'scopeDate' | 'region' | 'service' | 'terminator' | 'longDate' | 'dateMs'>,
  date: { value: string; basic: boolean },
): Parsed {
  const elements = credential.split('/')
  if (elements.length !== 5 || elements[0] === '') return incomplete(credentialElements(credential))
  const dateMs = date.basic ? parseBasicDate(date.value) : Date.parse(date.value)
  if (dateMs === null || Number.isNaN(dateMs)) return incomplete(badDate(date.value))
  const [accessKeyId, scopeDate, region, service, terminator] = elements as [string, string, string, string, string]
  return { ok: true, parts: { ...rest, accessKeyId, scopeDate, region, service, terminator, longDate: date.basic ? date.value : basicDate(dateMs), dateMs } }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** From the Authorization header (a value that is not AWS4-HMAC-SHA256 is incomplete, as AWS answers). */
export function parseAuthorizationHeader(authorization: string, headers: IncomingHttpHeaders): Parsed {
  const fields = new Map<string, string>()
  if (authorization.startsWith(`${ALGORITHM} `)) {
    for (const raw of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const part = raw.trim()
      if (part === '') continue
      const eq = part.indexOf('=')
      if (eq === -1) return incomplete(`'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`)
      fields.set(part.slice(0, eq), part.slice(eq + 1))
    }
  }
  const amzDate = header(headers, 'x-amz-date')
  const date = amzDate !== undefined ? { value: amzDate, basic: true } : header(headers, 'date') !== undefined ? { value: header(headers, 'date')!, basic: false } : null
  const credential = fields.get('Credential')
  const signature = fields.get('Signature')
  const signedHeaders = fields.get('SignedHeaders')
  if (credential === undefined || signature === undefined || signedHeaders === undefined || date === null) {
    const missing = { credential: credential === undefined, signature: signature === undefined, signedHeaders: signedHeaders === undefined, date: date === null }
    return incomplete(incompleteAuthorization(missing, authorization))
  }
  const rest = {
    presigned: false,
    signedHeaders: signedHeaders.toLowerCase().split(';'),
    signature,
    expiresSeconds: null,
    sessionToken: headers['x-amz-security-token'] !== undefined,
  }
  return fromCredential(credential, rest, date)
}

/** True when the query string carries a presigned signature. */
export function isPresigned(query: Query): boolean {
  return query['X-Amz-Algorithm'] !== undefined || query['X-Amz-Signature'] !== undefined || query['X-Amz-Credential'] !== undefined
}

/** Longest presigned URL lifetime (AWS: 7 days). */
export const MAX_EXPIRES_SECONDS = 604800

export function parsePresigned(query: Query, headers: IncomingHttpHeaders): Parsed {
  const algorithm = single(query, 'X-Amz-Algorithm')
  const credential = single(query, 'X-Amz-Credential')
  const date = single(query, 'X-Amz-Date')
  const signedHeaders = single(query, 'X-Amz-SignedHeaders')
  const signature = single(query, 'X-Amz-Signature')
  if (algorithm === undefined || credential === undefined || date === undefined || signedHeaders === undefined || signature === undefined) {
    return incomplete(INCOMPLETE_QUERY)
  }
  if (algorithm !== ALGORITHM) return incomplete(`X-Amz-Algorithm only supports "${ALGORITHM}"`)
  const expires = single(query, 'X-Amz-Expires')
  let expiresSeconds = MAX_EXPIRES_SECONDS
  if (expires !== undefined) {
    if (!/^\d{1,7}$/.test(expires) || Number(expires) > MAX_EXPIRES_SECONDS) {
      return incomplete(`X-Amz-Expires must be a number of seconds from 0 to ${MAX_EXPIRES_SECONDS} (7 days); got '${expires}'`)
    }
    expiresSeconds = Number(expires)
  }
  const rest = {
    presigned: true,
    signedHeaders: signedHeaders.toLowerCase().split(';'),
    signature,
    expiresSeconds,
    sessionToken: query['X-Amz-Security-Token'] !== undefined || headers['x-amz-security-token'] !== undefined,
  }
  return fromCredential(credential, rest, { value: date, basic: true })
}
