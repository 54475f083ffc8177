// The signature a request should carry, computed with the AWS SDK's own SigV4 canonicalization
// (@smithy/signature-v4): the request is rebuilt as the client signed it — method, the raw
// percent-encoded path as sent (stage included; the signer normalizes dot segments and encodes it
// again, as every AWS SDK does for non-S3 services), the query (the signature itself left out),
// the headers the client listed in SignedHeaders and the SHA-256 of the body — and signed with
// the identity's secret. The caller compares the result in constant time.
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { ALGORITHM_IDENTIFIER, createScope, getSigningKey, SignatureV4Base } from '@smithy/signature-v4'
import type { HeaderBag, HttpRequest } from '@smithy/types'
import type { Query, SignedParts } from './parse.js'
import { NodeSha256 } from './sha256.js'

export const SERVICE = 'execute-api'

export interface Computed {
  readonly signature: string
  readonly canonicalRequest: string
  readonly stringToSign: string
}

/** The canonical value of one header: every value trimmed, inner whitespace collapsed, joined by ",". */
function canonicalValue(values: readonly string[] | undefined): string {
  if (values === undefined) return ''
  let out = ''
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '' : ',') + values[i]!.trim().replace(/\s+/g, ' ')
  return out
}

class Verifier extends SignatureV4Base {
  constructor(region: string) {
    super({ service: SERVICE, region, credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: NodeSha256 })
  }

  async compute(req: IncomingMessage, rawPath: string, query: Query, parts: SignedParts, payloadHash: string, accessKeyId: string, secret: string): Promise<Computed> {
    const distinct = req.headersDistinct
    const headers: HeaderBag = {}
    for (const name of parts.signedHeaders) headers[name] = canonicalValue(distinct[name])
    const request: HttpRequest = { method: req.method ?? 'GET', protocol: 'https:', hostname: '', path: rawPath, query, headers }
    const canonicalRequest = this.createCanonicalRequest(request, headers, payloadHash)
    const scope = createScope(parts.scopeDate, parts.region, SERVICE)
    const stringToSign = await this.createStringToSign(parts.longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER)
    const key = await getSigningKey(NodeSha256, { accessKeyId, secretAccessKey: secret }, parts.scopeDate, parts.region, SERVICE)
    const hmac = new NodeSha256(key)
    hmac.update(stringToSign)
    const signature = Buffer.from(await hmac.digest()).toString('hex')
    return { signature, canonicalRequest, stringToSign }
  }
}

const verifiers = new Map<string, Verifier>()

/** The signature the request should carry; `rawPath` as received (before "?"), `query` without changes. */
export function expectedSignature(
  region: string,
  req: IncomingMessage,
  rawPath: string,
  query: Query,
  parts: SignedParts,
  payloadHash: string,
  accessKeyId: string,
  secret: string,
): Promise<Computed> {
  let verifier = verifiers.get(region)
  if (verifier === undefined) verifiers.set(region, (verifier = new Verifier(region)))
  return verifier.compute(req, rawPath, query, parts, payloadHash, accessKeyId, secret)
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(expected: string, given: string): boolean {
  if (expected.length !== given.length) return false
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'))
}
