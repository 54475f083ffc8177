// API Gateway's content type conversion tables for REST APIs, row by row, as data:
// "Content type conversions in API Gateway"
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
// Each row gives the payload, whether the header (request Content-Type / response Accept)
// matches binaryMediaTypes, whether binaryMediaTypes is set, contentHandling, and what the
// integration (or method) payload becomes, in the doc's words and as an outcome on real bytes.
// Run by proxy/integrations/content-handling.test.ts (the compiled rules) and end to end through
// HTTP by test/proxy/binary-payloads.test.ts.
import type { ContentHandling } from '../../proxy/integrations/content-handling.js'

// A PNG signature: bytes that are not valid UTF-8 (0x89), and its base64 text.
export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52])
export const PNG_BASE64 = PNG.toString('base64')

export type Outcome = 'as is' | 'base64-decoded' | 'base64-encoded'

export interface RequestRow {
  /** Method request payload: text is base64 (so it can be decoded), binary is the PNG bytes. */
  readonly payload: 'text' | 'binary'
  /** The request Content-Type matches binaryMediaTypes. */
  readonly binaryType: boolean
  readonly binaryMediaTypes: 'undefined' | 'set'
  readonly contentHandling: ContentHandling
  /** Integration request payload, in the doc's words. */
  readonly doc: string
  readonly outcome: Outcome
}

// API request content type conversions (9 rows).
export const REQUEST_TABLE: readonly RequestRow[] = [
  { payload: 'text', binaryType: false, binaryMediaTypes: 'undefined', contentHandling: null, doc: 'UTF8-encoded string', outcome: 'as is' },
  { payload: 'text', binaryType: false, binaryMediaTypes: 'undefined', contentHandling: 'CONVERT_TO_BINARY', doc: 'Base64-decoded binary blob', outcome: 'base64-decoded' },
  { payload: 'text', binaryType: false, binaryMediaTypes: 'undefined', contentHandling: 'CONVERT_TO_TEXT', doc: 'UTF8-encoded string', outcome: 'as is' },
  { payload: 'text', binaryType: false, binaryMediaTypes: 'set', contentHandling: null, doc: 'Text data', outcome: 'as is' },
  { payload: 'text', binaryType: false, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_BINARY', doc: 'Base64-decoded binary blob', outcome: 'base64-decoded' },
  { payload: 'text', binaryType: false, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_TEXT', doc: 'Text data', outcome: 'as is' },
  { payload: 'binary', binaryType: true, binaryMediaTypes: 'set', contentHandling: null, doc: 'Binary data', outcome: 'as is' },
  { payload: 'binary', binaryType: true, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_BINARY', doc: 'Binary data', outcome: 'as is' },
  { payload: 'binary', binaryType: true, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_TEXT', doc: 'Base64-encoded string', outcome: 'base64-encoded' },
]

export interface ResponseRow {
  /** Integration response payload: text is base64 (so it can be decoded), binary is the PNG bytes. */
  readonly payload: 'text' | 'binary'
  /** The first media type of the request's Accept matches binaryMediaTypes. */
  readonly binaryAccept: boolean
  readonly binaryMediaTypes: 'undefined' | 'set'
  readonly contentHandling: ContentHandling
  /** Method response payload, in the doc's words. */
  readonly doc: string
  readonly outcome: Outcome
}

// API Gateway response content type conversions (15 rows). The first three say "Text or binary
// data": without binaryMediaTypes nothing is binary, so a payload is text whatever its bytes
// (binary bytes under CONVERT_TO_BINARY are not base64: a 500, see the e2e test).
export const RESPONSE_TABLE: readonly ResponseRow[] = [
  { payload: 'text', binaryAccept: false, binaryMediaTypes: 'undefined', contentHandling: null, doc: 'UTF8-encoded string', outcome: 'as is' },
  { payload: 'text', binaryAccept: false, binaryMediaTypes: 'undefined', contentHandling: 'CONVERT_TO_BINARY', doc: 'Base64-decoded blob', outcome: 'base64-decoded' },
  { payload: 'text', binaryAccept: false, binaryMediaTypes: 'undefined', contentHandling: 'CONVERT_TO_TEXT', doc: 'UTF8-encoded string', outcome: 'as is' },
  { payload: 'text', binaryAccept: false, binaryMediaTypes: 'set', contentHandling: null, doc: 'Text data', outcome: 'as is' },
  { payload: 'text', binaryAccept: false, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_BINARY', doc: 'Base64-decoded blob', outcome: 'base64-decoded' },
  { payload: 'text', binaryAccept: false, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_TEXT', doc: 'UTF8-encoded string', outcome: 'as is' },
  { payload: 'text', binaryAccept: true, binaryMediaTypes: 'set', contentHandling: null, doc: 'Base64-decoded blob', outcome: 'base64-decoded' },
  { payload: 'text', binaryAccept: true, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_BINARY', doc: 'Base64-decoded blob', outcome: 'base64-decoded' },
  { payload: 'text', binaryAccept: true, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_TEXT', doc: 'UTF8-encoded string', outcome: 'as is' },
  { payload: 'binary', binaryAccept: false, binaryMediaTypes: 'set', contentHandling: null, doc: 'Base64-encoded string', outcome: 'base64-encoded' },
  { payload: 'binary', binaryAccept: false, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_BINARY', doc: 'Binary data', outcome: 'as is' },
  { payload: 'binary', binaryAccept: false, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_TEXT', doc: 'Base64-encoded string', outcome: 'base64-encoded' },
  { payload: 'binary', binaryAccept: true, binaryMediaTypes: 'set', contentHandling: null, doc: 'Binary data', outcome: 'as is' },
  { payload: 'binary', binaryAccept: true, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_BINARY', doc: 'Binary data', outcome: 'as is' },
  { payload: 'binary', binaryAccept: true, binaryMediaTypes: 'set', contentHandling: 'CONVERT_TO_TEXT', doc: 'Base64-encoded string', outcome: 'base64-encoded' },
]

/** binaryMediaTypes of a row's API; image/png is the binary type, text/plain a text one. */
export function typesOf(row: { binaryMediaTypes: 'undefined' | 'set' }): string[] {
  return row.binaryMediaTypes === 'set' ? ['image/png'] : []
}

export function payloadOf(row: { payload: 'text' | 'binary' }): Buffer {
  return row.payload === 'binary' ? PNG : Buffer.from(PNG_BASE64)
}

export function expectedOf(row: { outcome: Outcome; payload: 'text' | 'binary' }): Buffer {
  const input = payloadOf(row)
  if (row.outcome === 'as is') return input
  return row.outcome === 'base64-encoded' ? Buffer.from(input.toString('base64')) : Buffer.from(input.toString(), 'base64')
}
