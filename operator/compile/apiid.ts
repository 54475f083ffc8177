// The default apiId of an Api that does not set spec.apiId.
//
// Formula (docs/compiler.md quotes it): take the SHA-256 digest of the UTF-8 string
// "<namespace>/<name>"; map each of the first 10 digest bytes b to the character
// "0123456789abcdefghijklmnopqrstuvwxyz"[b % 36]. The result is 10 lowercase alphanumerics,
// like an AWS apiId, and the same Api gets the same id on every cluster and every run.
// (b % 36 is slightly biased towards the first 4 characters; irrelevant for an identifier.)
import { createHash } from 'node:crypto'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'
export const DEFAULT_API_ID_LENGTH = 10

export function defaultApiId(namespace: string, name: string): string {
  const digest = createHash('sha256').update(`${namespace}/${name}`, 'utf8').digest()
  let id = ''
  for (let i = 0; i < DEFAULT_API_ID_LENGTH; i++) id += ALPHABET[digest[i]! % ALPHABET.length]
  return id
}
