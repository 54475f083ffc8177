// Request identifiers, derived from one random UUID so a request costs one random draw:
// - requestId: the UUID (x-amzn-RequestId, $context.requestId),
// - extendedRequestId: 16 characters of base64 like AWS's "OkTrUEOEZPgFQFw=" (x-amz-apigw-id,
//   apigw-requestid for HTTP APIs, $context.extendedRequestId),
// - traceId: an X-Ray style "Root=1-{epoch hex}-{24 hex}" (X-Amzn-Trace-Id).
import { randomUUID } from 'node:crypto'

export interface RequestIds {
  readonly requestId: string
  readonly extendedRequestId: string
  readonly traceId: string
}

export function newRequestIds(nowMs: number): RequestIds {
  const requestId = randomUUID()
  const hex = requestId.replace(/-/g, '')
  const extendedRequestId = Buffer.from(hex.slice(0, 22), 'hex').toString('base64')
  const epoch = Math.floor(nowMs / 1000).toString(16).padStart(8, '0')
  return { requestId, extendedRequestId, traceId: `Root=1-${epoch}-${hex.slice(8, 32)}` }
}
