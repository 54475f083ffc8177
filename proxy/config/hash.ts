// Canonical JSON and the content hash of a GatewayConfig. Keys are sorted at every level so
// the same content always gives the same bytes, whatever order it was built in.
import { createHash } from 'node:crypto'

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The hash of a config: sha256 of its canonical JSON without the `hash` field. */
export function configHash(config: object): string {
  const { hash: _ignored, ...rest } = config as Record<string, unknown>
  return sha256Hex(canonicalJson(rest))
}
