// Test helpers for the proxy: hand-built GatewayConfigs (defaults filled, hash computed with
// configHash), real upstream servers on port 0, a real gateway, and real undici clients.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { Agent, request as undiciRequest, type Dispatcher } from 'undici'
import { configHash } from '../../proxy/config/hash.js'
import {
  CONFIG_SCHEMA_VERSION,
  type ApiConfig,
  type GatewayConfig,
  type IntegrationConfig,
  type IntegrationResponseConfig,
  type RouteConfig,
  type StageConfig,
} from '../../proxy/config/schema.js'
import { createGateway, type Gateway, type GatewayOptions } from '../../proxy/gateway.js'

export const DOMAIN = 'localhost'

export function integration(partial: Partial<IntegrationConfig> = {}): IntegrationConfig {
  return {
    type: 'HTTP_PROXY',
    httpMethod: 'ANY',
    uri: '',
    timeoutMs: 29000,
    requestParameters: {},
    requestTemplates: {},
    passthroughBehavior: 'WHEN_NO_MATCH',
    contentHandling: null,
    responses: [],
    ...partial,
  }
}

export function integrationResponse(partial: Partial<IntegrationResponseConfig> = {}): IntegrationResponseConfig {
  return { statusCode: '200', selectionPattern: null, responseParameters: {}, responseTemplates: {}, contentHandling: null, ...partial }
}

/** A route from "METHOD /path" (or "$default") and its integration. */
export function route(key: string, integ: IntegrationConfig, partial: Partial<RouteConfig> = {}): RouteConfig {
  const [method, path] = key === '$default' ? ['ANY', ''] : key.split(' ')
  return {
    key,
    method: method!,
    path: path!,
    authorizationType: 'NONE',
    apiKeyRequired: false,
    requestParameters: {},
    integration: integ,
    methodResponses: [],
    ...partial,
  }
}

export function stage(name: string, variables: Record<string, string> = {}, revision = 'r1'): StageConfig {
  return { name, source: { kind: 'Stage', namespace: 'default', name: `s-${name.replace('$', '')}` }, revision, variables }
}

export function api(id: string, routes: RouteConfig[], partial: Partial<ApiConfig> = {}): ApiConfig {
  return {
    id,
    name: `default/${id}`,
    source: { kind: 'Api', namespace: 'default', name: id },
    protocol: 'REST',
    endpointType: 'REGIONAL',
    disableExecuteApiEndpoint: false,
    binaryMediaTypes: [],
    revisions: [{ id: 'r1', routes }],
    stages: [stage('prod')],
    ...partial,
  }
}

export function gatewayConfig(apis: ApiConfig[], domain = DOMAIN): GatewayConfig {
  const body = { schemaVersion: CONFIG_SCHEMA_VERSION, domain, apis: [...apis].sort((a, b) => a.id.localeCompare(b.id)) }
  return { ...body, hash: configHash(body) } as GatewayConfig
}

export interface Upstream {
  readonly server: Server
  readonly port: number
  readonly origin: string
  /** Requests received, in order. */
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[]
  close(): Promise<void>
}

/** A real upstream on port 0. The handler gets the request with its body read. */
export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Upstream> {
  const seen: Upstream['seen'] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      handler(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** An upstream that answers with what it received, as JSON. */
export function echoUpstream(): Promise<Upstream> {
  return startUpstream((req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'echo' })
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }))
  })
}

export interface Running {
  readonly gateway: Gateway
  readonly port: number
  readonly agent: Agent
  readonly logs: string[]
  /** Sends a request to {apiId}.execute-api.localhost on the gateway. */
  fetch(apiId: string, path: string, opts?: { method?: string; headers?: Record<string, string>; body?: Dispatcher.DispatchOptions['body'] }): Promise<Reply>
  close(): Promise<void>
}

export interface Reply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
  json(): unknown
}

export async function startGateway(config: GatewayConfig | null, options: GatewayOptions = {}): Promise<Running> {
  const logs: string[] = []
  const gateway = createGateway({ log: (line) => logs.push(line), ...options })
  if (config !== null) gateway.apply(config)
  const { port } = await gateway.listen(0, '127.0.0.1')
  const agent = new Agent({ connections: 64 })
  return {
    gateway,
    port,
    agent,
    logs,
    async fetch(apiId, path, opts = {}) {
      const res = await undiciRequest(`http://127.0.0.1:${port}${path}`, {
        method: (opts.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: { host: `${apiId}.execute-api.${DOMAIN}:${port}`, ...opts.headers },
        body: opts.body ?? null,
        dispatcher: agent,
      })
      const text = await res.body.text()
      return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) }
    },
    async close() {
      await agent.close()
      await gateway.close()
    },
  }
}

/** Sends raw bytes and returns the raw response (for requests a client library would fix up). */
export function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      // One response is enough: stop once the body announced by Content-Length is in.
      const all = Buffer.concat(chunks).toString('latin1')
      const end = all.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(all)
      if (end !== -1 && length !== null && all.length >= end + 4 + Number(length[1])) socket.destroy()
    })
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', reject)
  })
}

export function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)
}

/** The body of a raw response, de-chunked when it was sent chunked. */
export function bodyOf(raw: string): string {
  const end = raw.indexOf('\r\n\r\n')
  let body = raw.slice(end + 4)
  if (!/^transfer-encoding: chunked/im.test(raw.slice(0, end))) return body
  let out = ''
  for (;;) {
    const line = body.indexOf('\r\n')
    const size = parseInt(body.slice(0, line), 16)
    if (!(size > 0)) return out
    out += body.slice(line + 2, line + 2 + size)
    body = body.slice(line + 2 + size + 2)
  }
}
