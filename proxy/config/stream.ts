// The config stream protocol between the operator and the proxies (WebSocket, path /v1/config).
//
//   proxy → operator   HTTP upgrade with `Authorization: Bearer <stream token>` and
//                      `X-Tollgate-Proxy-Id: <pod name>`; then text frames:
//                        {"type":"hello","proxyId":"…","hash":"<hash it serves, or ''>"}
//                        {"type":"ack","hash":"…"}              applied and serving
//                        {"type":"nack","hash":"…","reason":"…"} refused; the old config keeps serving
//   operator → proxy   binary frames: gzip(JSON {"type":"snapshot","version":N,"hash":"…","config":{…}})
//                      and gzip(JSON {"type":"pods","version":N,"pods":[["10.1.2.3","shop"],…]}):
//                      the pod address → namespace index (tollgate:SourceNamespace, ADR 0007),
//                      beside the config so pod churn never changes its hash; not ACKed, the
//                      latest one wins, sent on connect and after changes.
//
// The operator sends a snapshot on connect unless the hello's hash is already the current one,
// and after that only when the hash changes; identical hashes are never re-sent. The config
// carries key hashes and TLS material, so the stream requires the token.
import { gunzipSync, gzipSync } from 'node:zlib'

export const STREAM_PATH = '/v1/config'
export const PROXY_ID_HEADER = 'x-tollgate-proxy-id'

export interface Snapshot {
  type: 'snapshot'
  /** Monotonic per operator process; for humans and metrics, not for ordering across replicas. */
  version: number
  hash: string
  config: unknown
}

/** The pod address index (docs/adr/0007-caller-namespace.md). */
export interface PodsFrame {
  type: 'pods'
  version: number
  pods: Array<[string, string]>
}

export type ProxyMessage =
  | { type: 'hello'; proxyId: string; hash: string }
  | { type: 'ack'; hash: string }
  | { type: 'nack'; hash: string; reason: string }

export function encodeSnapshot(s: Snapshot): Buffer {
  return gzipSync(JSON.stringify(s))
}

/** Limit on the inflated size of a snapshot: a proxy never inflates a bomb. */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024

export function decodeSnapshot(frame: Buffer): Snapshot {
  const json = gunzipSync(frame, { maxOutputLength: MAX_SNAPSHOT_BYTES }).toString('utf8')
  const parsed = JSON.parse(json) as Partial<Snapshot>
  if (parsed.type !== 'snapshot' || typeof parsed.hash !== 'string' || typeof parsed.version !== 'number') {
    throw new Error('not a snapshot frame')
  }
  return parsed as Snapshot
}

export function encodePods(f: PodsFrame): Buffer {
  return gzipSync(JSON.stringify(f))
}

/** A binary frame from the operator: a config snapshot or the pod index. Throws when it is neither. */
export function decodeFrame(frame: Buffer): Snapshot | PodsFrame {
  const json = gunzipSync(frame, { maxOutputLength: MAX_SNAPSHOT_BYTES }).toString('utf8')
  const parsed = JSON.parse(json) as Partial<Snapshot> | Partial<PodsFrame>
  if (parsed.type === 'pods') {
    if (typeof parsed.version !== 'number' || !Array.isArray(parsed.pods)) throw new Error('not a pods frame')
    return parsed as PodsFrame
  }
  if (parsed.type !== 'snapshot' || typeof parsed.hash !== 'string' || typeof parsed.version !== 'number') {
    throw new Error('not a snapshot frame')
  }
  return parsed as Snapshot
}

/** Parses a proxy's text frame; undefined when it is not a known message. */
export function parseProxyMessage(text: string): ProxyMessage | undefined {
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch {
    return undefined
  }
  if (m === null || typeof m !== 'object') return undefined
  const o = m as Record<string, unknown>
  if (typeof o.hash !== 'string') return undefined
  if (o.type === 'hello' && typeof o.proxyId === 'string') return { type: 'hello', proxyId: o.proxyId, hash: o.hash }
  if (o.type === 'ack') return { type: 'ack', hash: o.hash }
  if (o.type === 'nack') return { type: 'nack', hash: o.hash, reason: typeof o.reason === 'string' ? o.reason.slice(0, 1024) : '' }
  return undefined
}
