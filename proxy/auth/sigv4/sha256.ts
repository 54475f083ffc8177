// SHA-256 and HMAC-SHA256 from node:crypto in the shape @smithy/signature-v4 takes
// (`new Sha256(secret?)`, update, digest): the signer's canonicalization with Node's native hashes.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'
import type { Checksum, SourceData } from '@smithy/types'

function bytes(data: SourceData): Buffer | Uint8Array | string {
  if (typeof data === 'string' || data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return new Uint8Array(data)
}

export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac
  constructor(private readonly secret?: SourceData) {
    this.hash = NodeSha256.create(secret)
  }

  private static create(secret: SourceData | undefined): Hash | Hmac {
    return secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret))
  }

  update(data: Uint8Array | string): void {
    this.hash.update(data)
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest())
  }

  reset(): void {
    this.hash = NodeSha256.create(this.secret)
  }
}
