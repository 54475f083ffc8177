// The entry of every request: host → API, size check, path normalization, stage, route, then
// the route's pipeline. Answers that come before a route is known go straight through the
// gateway responses.
//
// HOT PATH — change with care.
//
// Stage selection: REST APIs take the stage from the first path segment (no segment or an
// unknown stage: 403 Forbidden, as API Gateway answers). A stage with a canary sends
// percentTraffic % of its requests, at random, to its canary side. HTTP APIs take it from the first
// segment when it names a stage, else serve the `$default` stage at the root (no `$default`
// stage: 404 Not Found). Unknown route: REST 403 Missing Authentication Token; HTTP APIs the
// `$default` route, else 404 Not Found. HTTP APIs with CORS answer every preflight before
// routing (cors.ts), whatever route would match.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { RequestContext, type Services } from './context.js'
import { CorsPolicy } from './cors.js'
import { GatewayError } from './errors.js'
import type { ResponseIds } from './gateway-responses.js'
import { normalizePath, type NormalizedPath } from './path-normalization.js'
import { newRequestIds, withCallerTrace } from './request-id.js'
import { runPipeline, type BugReporter } from './pipeline/run.js'
import type { ApiRuntime, Runtime, StageRuntime } from './runtime.js'
import { EarlyAnswer } from './telemetry/observer.js'

const NO_NAMES: readonly string[] = []
const NO_SPANS: readonly number[] = []

/** The stage named by the first segment of a raw URL (else the `$default` stage, or none). */
function stageOfUrl(api: ApiRuntime, url: string | undefined): StageRuntime | undefined {
  const first = /^\/([^/?]*)/.exec(url ?? '')?.[1]
  return (first !== undefined ? api.stages.get(first) : undefined) ?? api.defaultStage ?? undefined
}

function bodyPending(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

/**
 * Handles a request; returns its context once it entered a route's pipeline, else what was
 * answered early (for the observers: telemetry/observer.ts).
 * `privateListener`: the request came in on the in-cluster listener, the only one that serves
 * PRIVATE APIs (the public listener answers them as unknown APIs).
 */
export function handleRequest(
  runtime: Runtime,
  services: Services,
  reportBug: BugReporter,
  req: IncomingMessage,
  res: ServerResponse,
  privateListener: boolean,
  startedHr: number,
): RequestContext | EarlyAnswer {
  const now = Date.now()
  // The caller's X-Amzn-Trace-Id, when it sent one, travels on (request-id.ts).
  const ids = withCallerTrace(newRequestIds(now), req.headers['x-amzn-trace-id'])
  const apiId = runtime.hosts.apiId(req.headers.host)
  const api = apiId === null ? undefined : runtime.apis.get(apiId)
  if (api === undefined || !api.served || (api.private && !privateListener)) {
    runtime.responses.send(res, 'API_NOT_FOUND', ids, { close: bodyPending(req) })
    return new EarlyAnswer(api ?? null, null, 'API_NOT_FOUND', ids)
  }
  const length = req.headers['content-length']
  if (length !== undefined && Number(length) > services.maxBodyBytes) {
    // Before the path is normalized: the stage (for a customized response) is looked up raw.
    const stage = stageOfUrl(api, req.url)
    api.responses.send(res, 'REQUEST_TOO_LARGE', api.responses.customized ? { ...ids, stage } : ids, { close: true })
    return new EarlyAnswer(api, stage ?? null, 'REQUEST_TOO_LARGE', ids)
  }

  const url = req.url ?? '/'
  const q = url.indexOf('?')
  let normalized: NormalizedPath
  try {
    normalized = normalizePath(q === -1 ? url : url.slice(0, q))
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    api.responses.send(res, err.responseType, ids, { close: bodyPending(req) })
    return new EarlyAnswer(api, null, err.responseType, ids)
  }

  let stage: StageRuntime | undefined
  const raw = normalized.raw
  const decoded = normalized.decoded
  const first = decoded[0]
  if (first !== undefined && (stage = api.stages.get(first)) !== undefined) {
    // The arrays are this request's own: drop the stage segment in place.
    raw.shift()
    decoded.shift()
  } else if (api.defaultStage !== null) {
    stage = api.defaultStage
  } else {
    api.responses.send(res, 'API_NOT_FOUND', ids, { close: bodyPending(req) })
    return new EarlyAnswer(api, null, 'API_NOT_FOUND', ids)
  }

  // Canary: a share of the stage's requests, chosen at random, goes to the canary side (its
  // revision's routes, its variables); ctx.stage.side records which side served.
  const canary = stage.canary
  if (canary !== null && services.random() * 100 < canary.percentTraffic) stage = canary.stage

  // HTTP APIs with CORS answer preflights here, before routing and authorization (cors.ts).
  const cors = stage.cors
  if (cors !== null && cors.answersPreflight && CorsPolicy.isPreflight(req)) {
    cors.answerPreflight(req, res, ids.extendedRequestId, bodyPending(req))
    return new EarlyAnswer(api, stage, null, ids)
  }

  const match = stage.router.match(req.method ?? 'GET', decoded)
  const route = match === null ? stage.defaultRoute : stage.routes[match.value]!
  if (route === null) {
    stage.responses.send(res, 'MISSING_AUTHENTICATION_TOKEN', stage.responses.customized ? { ...ids, stage } : ids, { close: bodyPending(req) })
    return new EarlyAnswer(api, stage, 'MISSING_AUTHENTICATION_TOKEN', ids)
  }
  const segments = { raw, decoded, names: match?.names ?? NO_NAMES, spans: match?.spans ?? NO_SPANS }
  const ctx = new RequestContext(req, res, services, ids, now, startedHr, route, stage, `/${raw.join('/')}`, q === -1 ? '' : url.slice(q + 1), segments)
  runPipeline(ctx, reportBug)
  return ctx
}

/** Called when the client connection of a request closed: abandons its upstream call if still running. */
export function abandon(ctx: RequestContext): void {
  const upstream = ctx.upstream
  if (upstream !== null && !upstream.finished) {
    upstream.fail(new GatewayError('TG_ERR_INTEGRATION_FAILURE', 'INTEGRATION_FAILURE', 'client closed the connection'))
  }
}

export type { ResponseIds }
