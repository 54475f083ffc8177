// Payload encoding of non-proxy integrations (HTTP, MOCK; AWS reuses it): API Gateway's content
// type conversions for REST APIs ("Content type conversions in API Gateway",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html).
//
// A payload is binary when its media type matches the API's binaryMediaTypes, text otherwise:
//   request:  the method request's Content-Type;
//   response: the integration response's Content-Type; the client's wish is the FIRST media
//             type of the request's Accept (binary-types.ts).
// contentHandling names the kind the payload must have afterwards: CONVERT_TO_TEXT text,
// CONVERT_TO_BINARY binary; unset passes the request payload as it is, and turns the response
// payload into the kind Accept asks for. Binary to text is a base64 encoding, text to binary a
// base64 decoding (strict, as Java's Base64 decoder: a text that is not base64 fails the request
// with 500, API_CONFIGURATION_ERROR). A mapping template only reads text: a binary payload (after
// the conversion) that meets a template fails with 500 ("Unable to transform request/response"),
// so `$input.body` of a binary request holds its base64 text exactly when CONVERT_TO_TEXT is set.
// The table is in content-handling.test.ts, row by row, and in docs/binary-payloads.md.
//
// Deliberate differences from AWS: a payload with no conversion passes byte for byte (AWS re-
// encodes text payloads as UTF-8, replacing invalid bytes with U+FFFD; Tollgate streams them
// untouched, the hot path); an empty payload is never converted and never counts as binary.
//
// Everything that depends only on the config is decided at build time: an API without
// binaryMediaTypes whose integration sets no contentHandling anywhere never converts (`inert`).
import type { ApiConfig, IntegrationConfig } from '../config/schema.js'
import { GatewayError } from '../errors.js'
import { acceptsBinary, compileBinaryMediaTypes, type BinaryMatcher } from './binary-types.js'

export type ContentHandling = IntegrationConfig['contentHandling']

/** What is done to a payload: nothing, base64-encode (binary → text), base64-decode (text → binary). */
export type Conversion = 'none' | 'encode' | 'decode'

export interface PayloadPlan {
  readonly conversion: Conversion
  /** The payload is binary after the conversion: a mapping template cannot read it. */
  readonly binary: boolean
}

const TEXT: PayloadPlan = { conversion: 'none', binary: false }
const BINARY: PayloadPlan = { conversion: 'none', binary: true }
const ENCODE: PayloadPlan = { conversion: 'encode', binary: false }
const DECODE: PayloadPlan = { conversion: 'decode', binary: true }

/** The plan that takes a payload of one kind to another. */
function plan(payloadBinary: boolean, targetBinary: boolean): PayloadPlan {
  if (payloadBinary) return targetBinary ? BINARY : ENCODE
  return targetBinary ? DECODE : TEXT
}

/** Request payloads: contentHandling decides the kind; unset keeps the payload's own. */
export function requestPlan(handling: ContentHandling, payloadBinary: boolean): PayloadPlan {
  const target = handling === 'CONVERT_TO_BINARY' ? true : handling === 'CONVERT_TO_TEXT' ? false : payloadBinary
  return plan(payloadBinary, target)
}

/** Response payloads: contentHandling decides the kind; unset gives the kind the client accepts. */
export function responsePlan(handling: ContentHandling, payloadBinary: boolean, acceptBinary: boolean): PayloadPlan {
  const target = handling === 'CONVERT_TO_BINARY' ? true : handling === 'CONVERT_TO_TEXT' ? false : acceptBinary
  return plan(payloadBinary, target)
}

/** The payload rules of one integration, compiled at build time (CompiledIntegration.payloads). */
export interface PayloadRules {
  /** The API's binaryMediaTypes. */
  readonly binary: BinaryMatcher
  /** Integration request contentHandling. */
  readonly request: ContentHandling
  /** No binaryMediaTypes and no contentHandling on the integration or its responses: never converts. */
  readonly inert: boolean
}

// binaryMediaTypes compiled once per API (configs are immutable; the entry goes with the config).
const perApi = new WeakMap<ApiConfig, BinaryMatcher>()

function binaryMediaTypes(api: ApiConfig): BinaryMatcher {
  let matcher = perApi.get(api)
  if (matcher === undefined) {
    // binaryMediaTypes are a REST API setting: HTTP APIs pass payloads through unchanged.
    matcher = compileBinaryMediaTypes(api.protocol === 'REST' ? api.binaryMediaTypes : [])
    perApi.set(api, matcher)
  }
  return matcher
}

export function compilePayloadRules(api: ApiConfig, integration: IntegrationConfig): PayloadRules {
  const handled = integration.contentHandling !== null || integration.responses.some((r) => r.contentHandling !== null)
  const typed = api.protocol === 'REST' && api.binaryMediaTypes.length > 0
  return { binary: binaryMediaTypes(api), request: integration.contentHandling, inert: !handled && !typed }
}

/** The plan for a method request payload (`hasBody` false: nothing to convert). */
export function planRequest(rules: PayloadRules, contentType: string | undefined, hasBody: boolean): PayloadPlan {
  if (rules.inert || !hasBody) return TEXT
  return requestPlan(rules.request, rules.binary(contentType))
}

/** The plan for an integration response payload, by the selected response's contentHandling. */
export function planResponse(rules: PayloadRules, handling: ContentHandling, contentType: string | undefined, accept: string | undefined): PayloadPlan {
  if (rules.inert) return TEXT
  return responsePlan(handling, rules.binary(contentType), acceptsBinary(rules.binary, accept))
}

/** Applies a conversion; a payload that must be base64-decoded and is not base64 is a 500. */
export function convertPayload(body: Buffer, conversion: Conversion, side: 'request' | 'response'): Buffer {
  if (conversion === 'none' || body.length === 0) return body
  if (conversion === 'encode') return Buffer.from(body.toString('base64'), 'latin1')
  const decoded = decodeBase64(body)
  if (decoded === null) {
    throw new GatewayError('TG_ERR_CONTENT_CONVERSION', 'API_CONFIGURATION_ERROR', `${side} payload is not base64 and contentHandling converts it to binary`)
  }
  return decoded
}

/** The error of a binary payload that meets a mapping template (AWS: "Unable to transform request"). */
export function binaryTemplateError(side: 'request' | 'response'): GatewayError {
  return new GatewayError('TG_ERR_CONTENT_CONVERSION', 'API_CONFIGURATION_ERROR', `unable to transform ${side}: a mapping template cannot read a binary payload (set contentHandling CONVERT_TO_TEXT)`)
}

// Base64 alphabet of RFC 4648 section 4 (not the URL-safe one): 0..63, else -1.
const ALPHABET = new Int8Array(256).fill(-1)
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) ALPHABET[c.charCodeAt(0)] = i
const PAD = 0x3d

/**
 * Decodes base64 the way java.util.Base64.getDecoder() does, or returns null where it throws:
 * only the basic alphabet (no whitespace, no line breaks, no URL-safe characters); padding is
 * optional but, when present, complete and last; a final unit of one character is refused.
 */
export function decodeBase64(text: Buffer): Buffer | null {
  let end = text.length
  let pads = 0
  while (end > 0 && text[end - 1] === PAD && pads < 2) {
    end--
    pads++
  }
  for (let i = 0; i < end; i++) if (ALPHABET[text[i]!] === -1) return null
  const rest = end % 4
  if (rest === 1) return null
  if (pads > 0 && pads !== 4 - rest) return null
  return Buffer.from(text.toString('latin1', 0, end), 'base64')
}
