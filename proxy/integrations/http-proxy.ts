// HTTP_PROXY: the request goes to the backend almost as received, the backend's response comes
// back as-is. Both bodies stream; nothing is buffered.
//
// Request: end-to-end headers of the client (hop-by-hop removed, Host set to the backend's,
// Expect and Via dropped), X-Forwarded-For appended with the client address,
// X-Forwarded-Proto/-Port set, X-Amzn-Trace-Id added when absent; mapped
// integration.request.* parameters override or add; the query string is forwarded, mapped
// query parameters appended; `httpMethod: ANY` forwards the request's method.
// Response: status, headers (hop-by-hop removed) and body of the backend, written by the
// ProxyCall as they arrive (proxy-call.ts): the chain ends at integrate, transform-response and
// respond do not apply to proxies.
//
// HOT PATH — change with care: the request headers are built as one flat array (what undici
// reads fastest), one pass over the client's headers; everything per route is computed here.
import { peerIp } from '../auth/source-ip.js'
import type { RequestContext } from '../context.js'
import { connectionTokens, HOP_BY_HOP } from '../hop-by-hop.js'
import type { Handler } from '../pipeline/types.js'
import { compileBackendPath } from './backend-path.js'
import type { CompiledIntegration } from './compile.js'
import { mapRequest } from './params.js'
import { ProxyCall, proxyResponseHead } from './proxy-call.js'
import { requestBody } from './request-body.js'

/** Client headers never forwarded: hop-by-hop, and the ones the gateway sets itself. */
const REQUEST_SKIP = ['host', 'expect', 'via', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port']
/** Mapped headers that cannot override what the gateway sets. */
const MAPPED_SKIP = ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port']
const API_ID = 'x-amzn-apigateway-api-id'

function joined(value: string | string[]): string {
  return typeof value === 'string' ? value : value.join(', ')
}

export function proxyRequest(integration: CompiledIntegration): Handler {
  const uri = integration.uri!
  // undici sends `host: {hostname}[:{port}]` of the pool's origin (default port left out) when
  // the request names none: send our own only when it differs (it costs undici a header check).
  const host = uri.host === new URL(uri.origin).host ? null : uri.host
  const rest = integration.protocol === 'REST'
  const apiId = integration.apiId
  const backendPath = compileBackendPath(integration, true)
  const mapsHeaders = integration.requestMappings.some((m) => m.target === 'header')
  const skip: ReadonlySet<string> = new Set([...HOP_BY_HOP, ...REQUEST_SKIP, ...(rest ? [API_ID] : [])])
  const mappedSkip: ReadonlySet<string> = new Set([...MAPPED_SKIP, ...(rest ? [API_ID] : [])])
  return (ctx: RequestContext) => {
    const method = integration.method === '' ? ctx.method : integration.method
    const mapped = mapRequest(integration.requestMappings, ctx)
    const mappedHeaders = mapped.headers
    const body = requestBody(ctx, method)
    const req = ctx.req
    const headers = req.headers
    const named = headers.connection === undefined ? null : connectionTokens(headers.connection)
    const out: string[] = []
    for (const name in headers) {
      const value = headers[name]
      if (value === undefined || skip.has(name) || name.startsWith('proxy-')) continue
      if (named !== null && named.has(name)) continue
      if (body === null && name === 'content-length') continue
      if (mapsHeaders && mappedHeaders[name] !== undefined) continue
      if (typeof value === 'string') out.push(name, value)
      else for (let i = 0; i < value.length; i++) out.push(name, value[i]!)
    }
    let forwarded = headers['x-forwarded-for']
    let traced = headers['x-amzn-trace-id'] !== undefined && (named === null || !named.has('x-amzn-trace-id'))
    if (mapsHeaders) {
      for (const name in mappedHeaders) if (!mappedSkip.has(name)) out.push(name, mappedHeaders[name]!)
      forwarded = mappedHeaders['x-forwarded-for'] ?? forwarded
      traced ||= mappedHeaders['x-amzn-trace-id'] !== undefined
    }
    if (host !== null) out.push('host', host)
    // The hop that connected to us (not the resolved source IP: with trusted proxies that one is
    // already in the header, further left).
    const ip = peerIp(req)
    out.push(
      'x-forwarded-for',
      forwarded === undefined ? ip : `${joined(forwarded)}, ${ip}`,
      'x-forwarded-proto',
      'http',
      'x-forwarded-port',
      String(req.socket.localPort ?? ''),
    )
    if (!traced) out.push('x-amzn-trace-id', ctx.traceId)
    if (rest) out.push(API_ID, apiId)
    ctx.integrationMethod = method
    ctx.integrationPath = backendPath(ctx, mapped)
    ctx.integrationHeaders = out
    ctx.integrationBody = body
  }
}

/** Sends the request; the ProxyCall answers the client. Ends the chain. */
export function proxyIntegrate(integration: CompiledIntegration): Handler {
  const origin = integration.uri!.origin
  const timeoutMs = integration.timeoutMs
  const head = proxyResponseHead(integration.protocol)
  return (ctx: RequestContext) => {
    const services = ctx.services
    const pool = services.pools.get(origin)
    const call = new ProxyCall(ctx, head)
    ctx.upstream = call
    ctx.done = true
    call.dispatch(pool, services.deadlines.list(timeoutMs), {
      method: ctx.integrationMethod as 'GET',
      path: ctx.integrationPath,
      headers: ctx.integrationHeaders,
      body: ctx.integrationBody,
    })
  }
}
