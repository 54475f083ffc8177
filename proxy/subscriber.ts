// The proxy's side of the config stream (protocol: proxy/config/stream.ts). It starts from the
// last-known-good file when there is one, so a proxy restarted while the operator is away
// serves what it served before; then it subscribes, validates and applies every snapshot
// (gateway.apply swaps atomically), persists what it applied (mode 0600: the config carries
// key hashes and TLS material), and answers ACK or NACK. Reconnects with capped exponential
// backoff and full jitter.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import WebSocket from 'ws'
import { decodeFrame, PROXY_ID_HEADER, type ProxyMessage, type Snapshot } from './config/stream.js'
import type { Gateway } from './gateway.js'
import type { PodNamespaceIndex } from './auth/namespace-index.js'

export interface SubscriberOptions {
  /** ws:// or wss:// URL of the operator's stream, e.g. ws://tollgate-operator:8081/v1/config */
  url: string
  token: string
  proxyId: string
  /** Where the last-known-good config is kept; '' disables persistence. */
  cacheFile: string
  backoff?: { initialMs: number; maxMs: number }
  log: (line: string) => void
  /** Test seam for jitter; defaults to Math.random. */
  random?: () => number
  /** Where the operator's pod address index goes (tollgate:SourceNamespace); absent: pods frames are ignored. */
  namespaces?: PodNamespaceIndex
}

export interface Subscriber {
  readonly connected: boolean
  /** Hash of the config being served ('' before the first). */
  readonly hash: string
  close(): void
}

/** Applies the cached last-known-good config, if any. Returns whether one was applied. */
export async function loadLastKnownGood(gateway: Gateway, cacheFile: string, log: (line: string) => void): Promise<boolean> {
  if (cacheFile === '') return false
  let text: string
  try {
    text = await readFile(cacheFile, 'utf8')
  } catch {
    return false
  }
  try {
    gateway.apply(JSON.parse(text))
    log(`serving last-known-good config ${gateway.config?.hash.slice(0, 12)} from ${cacheFile}`)
    return true
  } catch (err) {
    log(`ignoring unusable last-known-good config in ${cacheFile}: ${(err as Error).message}`)
    return false
  }
}

async function persist(cacheFile: string, config: unknown): Promise<void> {
  await mkdir(dirname(cacheFile), { recursive: true })
  const tmp = `${cacheFile}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(config), { mode: 0o600 })
  await rename(tmp, cacheFile)
}

export function subscribe(gateway: Gateway, opts: SubscriberOptions): Subscriber {
  const initialMs = opts.backoff?.initialMs ?? 500
  const maxMs = opts.backoff?.maxMs ?? 30_000
  const random = opts.random ?? Math.random
  let attempt = 0
  let socket: WebSocket | null = null
  let timer: NodeJS.Timeout | null = null
  let closed = false
  let connected = false
  // Snapshots are applied one at a time, in arrival order.
  let queue: Promise<void> = Promise.resolve()

  const send = (socketNow: WebSocket, m: ProxyMessage) => {
    if (socketNow.readyState === WebSocket.OPEN) socketNow.send(JSON.stringify(m))
  }

  const handle = async (ws: WebSocket, frame: Buffer) => {
    let snapshot: Snapshot
    let hash = ''
    try {
      const decoded = decodeFrame(frame)
      if (decoded.type === 'pods') {
        // The pod index is not part of the config: replaced whole, never ACKed.
        if (opts.namespaces !== undefined) {
          const { entries, skipped } = opts.namespaces.replace(decoded)
          opts.log(`pod index ${decoded.version}: ${entries} addresses${skipped > 0 ? ` (${skipped} left out)` : ''}`)
        }
        return
      }
      snapshot = decoded
      hash = snapshot.hash
      if (gateway.config?.hash !== snapshot.hash) gateway.apply(snapshot.config)
    } catch (err) {
      const reason = (err as Error).message
      send(ws, { type: 'nack', hash, reason })
      opts.log(`refused config ${hash.slice(0, 12) || '(unreadable)'}: ${reason}; the previous config keeps serving`)
      return
    }
    // Applied and serving: persist it, then ACK — even if the cache file cannot be written (a
    // restart would then start without a last-known-good config, which is logged, not refused).
    if (opts.cacheFile !== '') {
      await persist(opts.cacheFile, snapshot.config).catch((err: unknown) =>
        opts.log(`warning: cannot write the last-known-good config to ${opts.cacheFile}: ${(err as Error).message}`),
      )
    }
    send(ws, { type: 'ack', hash: snapshot.hash })
    opts.log(`applied config ${snapshot.hash.slice(0, 12)} (version ${snapshot.version})`)
  }

  const schedule = () => {
    if (closed) return
    const ceiling = Math.min(maxMs, initialMs * 2 ** attempt)
    attempt++
    const delay = Math.floor(random() * ceiling)
    timer = setTimeout(connect, delay)
  }

  const connect = () => {
    timer = null
    if (closed) return
    const ws = new WebSocket(opts.url, {
      headers: { authorization: `Bearer ${opts.token}`, [PROXY_ID_HEADER]: opts.proxyId },
      handshakeTimeout: 10_000,
      maxPayload: 256 * 1024 * 1024,
    })
    socket = ws
    ws.on('open', () => {
      attempt = 0
      connected = true
      opts.log(`subscribed to ${opts.url}`)
      send(ws, { type: 'hello', proxyId: opts.proxyId, hash: gateway.config?.hash ?? '' })
    })
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return
      const frame = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[])
      queue = queue.then(() => handle(ws, frame))
    })
    ws.on('unexpected-response', (_req, res) => {
      opts.log(`config stream refused the connection: HTTP ${res.statusCode}`)
      ws.terminate()
    })
    ws.on('error', () => {
      // 'close' follows and schedules the reconnect.
    })
    ws.on('close', () => {
      if (connected) opts.log('config stream disconnected; the current config keeps serving')
      connected = false
      socket = null
      schedule()
    })
  }

  connect()
  return {
    get connected() {
      return connected
    },
    get hash() {
      return gateway.config?.hash ?? ''
    },
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      socket?.terminate()
    },
  }
}
