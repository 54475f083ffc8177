// The traced gateway the tracing tests run against: manifests compiled by the real compiler,
// a real gateway with real tracing (telemetry/tracing.ts) exporting over OTLP/HTTP to a real
// receiver on port 0 (otlp-receiver.ts), a real backend and real functions speaking the Lambda
// invoke API (an authorizer and an AWS_PROXY function) that record the headers they receive.
//
// Api shop (REST), on stage prod (tracingEnabled, cache on for /pets) and stage dev (neither):
//   GET  /pets/{petId}  CUSTOM TOKEN authorizer, API key required, cached, HTTP_PROXY
//   GET  /plain         HTTP_PROXY
//   GET  /quotes        HTTP (non-proxy)
//   POST /orders        AWS_PROXY
//   GET  /mock          MOCK
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ResourceObject } from '../../crds/validate.js'
import { createTracing, type Tracing } from '../../proxy/telemetry/tracing.js'
import { compiled } from '../functions/helpers.js'
import { policy } from '../auth/lambda/functions.js'
import { echoUpstream, startGateway, type Running, type Upstream } from '../proxy/helpers.js'
import { startReceiver, type ReceivedSpan, type Receiver } from './otlp-receiver.js'

export const API_KEY = 'TraceKey0123456789abcdefghijkl'
export const TOKEN = 'Bearer let-me-in-7f3a9c'

/** A function behind the Lambda invoke API that records the headers and events of its calls. */
export interface InvokeServer {
  invokeUri(name: string): string
  readonly calls: { headers: IncomingHttpHeaders; event: Record<string, unknown> }[]
  close(): Promise<void>
}

export async function startInvokeServer(answer: (event: Record<string, unknown>) => unknown): Promise<InvokeServer> {
  const calls: InvokeServer['calls'] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
      calls.push({ headers: req.headers, event })
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(event)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    invokeUri: (name) => `${origin}/2015-03-31/functions/${name}/invocations`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface Fixture {
  readonly gw: Running
  readonly tracing: Tracing
  readonly receiver: Receiver
  readonly backend: Upstream
  readonly authorizer: InvokeServer
  readonly fn: InvokeServer
  /** Waits (flushing the exporter) until `count` spans of trace `traceId` arrived; returns them. */
  trace(traceId: string, count: number): Promise<ReceivedSpan[]>
  close(): Promise<void>
}

function manifests(backend: Upstream, authorizer: InvokeServer, fn: InvokeServer): ResourceObject[] {
  const proxy = (path: string) => ({ type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${backend.origin}${path}` })
  return [
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'shop' },
      spec: {
        apiId: 'shop',
        routes: [
          {
            path: '/pets/{petId}',
            method: 'GET',
            authorizationType: 'CUSTOM',
            authorizerRef: { name: 'tok' },
            apiKeyRequired: true,
            integration: { ...proxy('/pets/{petId}'), cacheKeyParameters: ['method.request.path.petId'] },
          },
          { path: '/plain', method: 'GET', integration: proxy('/plain') },
          { path: '/quotes', method: 'GET', integration: { type: 'HTTP', httpMethod: 'GET', uri: `${backend.origin}/quotes`, responses: [{ statusCode: '200' }] } },
          { path: '/orders', method: 'POST', integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: fn.invokeUri('orders') } },
          { path: '/mock', method: 'GET', integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: [{ statusCode: '200' }] } },
        ],
      },
    },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Stage',
      metadata: { name: 'shop-prod' },
      spec: {
        apiRef: { name: 'shop' },
        stageName: 'prod',
        tracingEnabled: true,
        cache: { enabled: true, ttlSeconds: 300 },
        methodSettings: { '/plain/GET': { cachingEnabled: false }, '/quotes/GET': { cachingEnabled: false }, '/mock/GET': { cachingEnabled: false } },
      },
    },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'shop-dev' }, spec: { apiRef: { name: 'shop' }, stageName: 'dev' } },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Authorizer',
      metadata: { name: 'tok' },
      spec: { type: 'TOKEN', functionUri: authorizer.invokeUri('tok'), identitySource: 'method.request.header.Authorization', resultTtlInSeconds: 0 },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys' }, stringData: { gold: API_KEY } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'gold' }, spec: { valueFrom: { secretKeyRef: { name: 'keys', key: 'gold' } } } },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'UsagePlan',
      metadata: { name: 'gold' },
      spec: {
        apiStages: [
          { apiRef: { name: 'shop' }, stage: 'prod' },
          { apiRef: { name: 'shop' }, stage: 'dev' },
        ],
        apiKeys: [{ name: 'gold' }],
      },
    },
  ]
}

export async function startFixture(): Promise<Fixture> {
  const receiver = await startReceiver()
  const backend = await echoUpstream()
  const authorizer = await startInvokeServer((event) =>
    event.authorizationToken === TOKEN ? policy('user-7', [{ effect: 'Allow', resource: 'arn:aws:execute-api:us-east-1:000000000000:shop/*' }]) : { errorMessage: 'Unauthorized' },
  )
  const fn = await startInvokeServer(() => ({ statusCode: 201, body: '{"order":"o-1"}' }))
  const tracing = createTracing({ endpoint: receiver.url, serviceName: 'tollgate-test', sampleRatio: 1, instanceId: 'proxy-1', exportDelayMs: 20 })
  const gw = await startGateway(compiled(manifests(backend, authorizer, fn)), { tracing })
  return {
    gw,
    tracing,
    receiver,
    backend,
    authorizer,
    fn,
    async trace(traceId, count) {
      for (let i = 0; i < 200; i++) {
        await tracing.flush()
        const spans = receiver.spans.filter((s) => s.traceId === traceId)
        if (spans.length >= count) return spans
        await new Promise((r) => setTimeout(r, 10))
      }
      return receiver.spans.filter((s) => s.traceId === traceId)
    },
    async close() {
      await gw.close()
      await tracing.shutdown()
      await Promise.all([receiver.close(), backend.close(), authorizer.close(), fn.close()])
    },
  }
}

/** trace id and parent span id of a traceparent header. */
export function parseTraceparent(value: string | string[] | undefined): { traceId: string; spanId: string; flags: string } {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(typeof value === 'string' ? value : '')
  if (m === null) throw new Error(`not a traceparent: ${JSON.stringify(value)}`)
  return { traceId: m[1]!, spanId: m[2]!, flags: m[3]! }
}
