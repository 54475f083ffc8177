// How a cached method response is stored: status, headers and body in one buffer; on stages
// with an encrypted cache, sealed with AES-256-GCM (random 96-bit IV, 128-bit tag) with the
// entry's space and key as additional data, so an entry copied to another key (or stage) fails
// authentication instead of being served there. An entry that does not decode (another key,
// a tampered or foreign value) is a miss.
//
//   plain:     u32 length of the head | head JSON {s: status, h: headers} | body
//   encrypted: IV (12) | tag (16) | AES-256-GCM(plain)
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

export interface CachedResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[]>>
  readonly body: Buffer
}

export class CacheCodec {
  private readonly key: Buffer | null

  /** `keyBase64`: the stage's AES-256 key (StageCacheConfig.encryptionKey); absent: stored in clear. */
  constructor(keyBase64?: string) {
    this.key = keyBase64 === undefined ? null : Buffer.from(keyBase64, 'base64')
    if (this.key !== null && this.key.length !== 32) throw new RangeError('the cache encryption key must be 32 bytes')
  }

  get encrypted(): boolean {
    return this.key !== null
  }

  encode(entry: CachedResponse, aad: string): Buffer {
    const head = Buffer.from(JSON.stringify({ s: entry.status, h: entry.headers }))
    const length = Buffer.allocUnsafe(4)
    length.writeUInt32BE(head.length)
    const plain = Buffer.concat([length, head, entry.body])
    if (this.key === null) return plain
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(Buffer.from(aad))
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), sealed])
  }

  decode(data: Buffer, aad: string): CachedResponse | null {
    try {
      let plain = data
      if (this.key !== null) {
        const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12))
        decipher.setAAD(Buffer.from(aad))
        decipher.setAuthTag(data.subarray(12, 28))
        plain = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()])
      }
      const length = plain.readUInt32BE(0)
      const head = JSON.parse(plain.subarray(4, 4 + length).toString('utf8')) as { s: unknown; h: unknown }
      if (typeof head.s !== 'number' || head.h === null || typeof head.h !== 'object') return null
      return { status: head.s, headers: head.h as Record<string, string | string[]>, body: plain.subarray(4 + length) }
    } catch {
      return null
    }
  }
}
