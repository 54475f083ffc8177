// The operator's side of the config stream (protocol: proxy/config/stream.ts). Every replica
// serves it, leader or not: proxies get the config from whichever replica they reach. A
// snapshot is encoded once per config and sent only to proxies that do not have its hash.
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { GatewayConfig } from '../../proxy/config/schema.js'
import { encodePods, encodeSnapshot, parseProxyMessage, PROXY_ID_HEADER, STREAM_PATH } from '../../proxy/config/stream.js'
import { bearerMatches } from './token.js'

export interface ProxyState {
  id: string
  remoteAddress: string
  connectedAt: Date
  /** Hash the proxy acknowledged last ('' before its first ACK). */
  ackedHash: string
  /** The last refusal, if the proxy refused the current or an earlier snapshot. */
  nack: { hash: string; reason: string } | null
}

export interface ConfigStreamOptions {
  token: string
  log: (line: string) => void
  /** Ping interval; a proxy that misses a pong is dropped (default 15 s). */
  heartbeatMs?: number
  /** Called for every well-formed message from a proxy (metrics). */
  onMessage?: (type: 'hello' | 'ack' | 'nack') => void
}

interface Peer {
  socket: WebSocket
  state: ProxyState
  sentHash: string
  /** Version of the pod index sent on this connection (0: none). */
  sentPods: number
  alive: boolean
}

export class ConfigStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  private readonly peers = new Set<Peer>()
  private current: { hash: string; frame: Buffer } | null = null
  private version = 0
  /** The pod address index (ADR 0007), encoded once per version; null until one is published. */
  private pods: { version: number; frame: Buffer } | null = null
  private readonly listeners = new Set<() => void>()
  private readonly heartbeat: NodeJS.Timeout

  constructor(private readonly opts: ConfigStreamOptions) {
    this.heartbeat = setInterval(() => this.ping(), opts.heartbeatMs ?? 15_000)
    this.heartbeat.unref()
  }

  /** Serves the stream on `server` at STREAM_PATH; other upgrade paths are refused. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head))
  }

  /** Sends `config` to every proxy that does not have it yet. */
  publish(config: GatewayConfig): void {
    if (this.current?.hash === config.hash) return
    this.version++
    this.current = { hash: config.hash, frame: encodeSnapshot({ type: 'snapshot', version: this.version, hash: config.hash, config }) }
    for (const peer of this.peers) this.send(peer)
  }

  /** Sends the pod address index (tollgate:SourceNamespace) to every proxy, and to each that connects later. */
  publishPods(pods: Array<[string, string]>): void {
    const version = (this.pods?.version ?? 0) + 1
    this.pods = { version, frame: encodePods({ type: 'pods', version, pods }) }
    for (const peer of this.peers) this.sendPods(peer)
  }

  get currentHash(): string {
    return this.current?.hash ?? ''
  }

  proxies(): ProxyState[] {
    return [...this.peers].map((p) => ({ ...p.state })).sort((a, b) => a.id.localeCompare(b.id))
  }

  /** Called after any connect, disconnect, ACK or NACK. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  close(): void {
    clearInterval(this.heartbeat)
    for (const peer of this.peers) peer.socket.terminate()
    this.peers.clear()
    this.wss.close()
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0]
    if (path !== STREAM_PATH) return reject(socket, 404, 'Not Found')
    if (!bearerMatches(req.headers.authorization, this.opts.token)) return reject(socket, 401, 'Unauthorized')
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, req))
  }

  private connected(socket: WebSocket, req: IncomingMessage): void {
    const idHeader = req.headers[PROXY_ID_HEADER]
    const id = (typeof idHeader === 'string' && idHeader.length > 0 ? idHeader : `${req.socket.remoteAddress}:${req.socket.remotePort}`).slice(0, 253)
    const peer: Peer = {
      socket,
      sentHash: '',
      sentPods: 0,
      alive: true,
      state: { id, remoteAddress: req.socket.remoteAddress ?? '', connectedAt: new Date(), ackedHash: '', nack: null },
    }
    this.peers.add(peer)
    this.opts.log(`proxy ${id} connected`)
    socket.on('pong', () => (peer.alive = true))
    socket.on('message', (data, isBinary) => {
      if (isBinary) return
      const m = parseProxyMessage(data.toString())
      if (!m) return
      this.opts.onMessage?.(m.type)
      if (m.type === 'hello') {
        peer.state.id = m.proxyId.slice(0, 253) || peer.state.id
        // What the proxy already serves need not be sent; unless a snapshot already went out
        // on this connection (published before the hello arrived).
        if (peer.sentHash === '') peer.sentHash = m.hash
        if (m.hash !== '') peer.state.ackedHash = m.hash
        this.send(peer)
        this.sendPods(peer)
      } else if (m.type === 'ack') {
        peer.state.ackedHash = m.hash
        if (peer.state.nack?.hash === m.hash) peer.state.nack = null
      } else {
        peer.state.nack = { hash: m.hash, reason: m.reason }
        this.opts.log(`proxy ${peer.state.id} refused config ${m.hash.slice(0, 12)}: ${m.reason}`)
      }
      this.changed()
    })
    socket.on('close', () => {
      this.peers.delete(peer)
      this.opts.log(`proxy ${peer.state.id} disconnected`)
      this.changed()
    })
    socket.on('error', () => socket.terminate())
    this.changed()
  }

  private send(peer: Peer): void {
    if (this.current === null || peer.sentHash === this.current.hash) return
    peer.sentHash = this.current.hash
    peer.socket.send(this.current.frame, { binary: true })
  }

  private sendPods(peer: Peer): void {
    if (this.pods === null || peer.sentPods === this.pods.version) return
    peer.sentPods = this.pods.version
    peer.socket.send(this.pods.frame, { binary: true })
  }

  private ping(): void {
    for (const peer of this.peers) {
      if (!peer.alive) {
        peer.socket.terminate()
        continue
      }
      peer.alive = false
      peer.socket.ping()
    }
  }

  private changed(): void {
    for (const l of this.listeners) l()
  }
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
