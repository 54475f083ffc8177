// Execution logs: what happened to a request, written through pino at the level of its route
// (StageConfig.logging.routes, from the Stage's methodSettings loggingLevel):
//   ERROR  only failures: a 5XX gateway response (integration errors and timeouts, authorizer
//          errors, configuration errors, a function's failure), one `error` record each;
//   INFO   every request: one `info` record summing up its steps (authorizer, API key,
//          integration call, status, latencies), `error` for failures as above.
// dataTraceEnabled adds the data trace to those records (execution-log-trace.ts): the method
// and integration requests and responses, headers with credentials redacted
// (execution-log-redact.ts), bodies truncated to 1 KiB (API Gateway truncates execution log
// events at 1 KiB).
//
// Requests answered before a route was known have no route settings and are not logged (their
// stage's access log has them).
//
// HOT PATH — requestEnded runs once per request: a stage without logging returns at once, a
// route OFF after one WeakMap lookup; nothing is built for either.
import type { Logger } from 'pino'
import type { GatewayConfig } from '../config/schema.js'
import type { RequestContext } from '../context.js'
import type { RouteRuntime } from '../runtime.js'
import { integrationLatency, integrationStatus, redactSecret, routedContext } from './access-log-variables.js'
import { redactPathQuery, routeRedactor, type Redactor } from './execution-log-redact.js'
import { dataTrace } from './execution-log-trace.js'
import type { RequestEnd, RequestObserver } from './observer.js'

/** A route's execution logging, resolved once per route and config. */
interface RouteLog {
  readonly info: boolean
  readonly dataTrace: boolean
  readonly redactor: Redactor
  /** Bound once: api, stage and route of every record (pino serializes a child's bindings once). */
  readonly logger: Logger
}

export interface ExecutionLogOptions {
  readonly logger: Logger
  /** The config being served (the route's authorizer, whose identity sources are redacted). */
  readonly config: () => GatewayConfig | undefined
}

/** A failure of the gateway: a 5XX gateway response (or a bug, answered 500). */
function failed(ctx: RequestContext, end: RequestEnd): boolean {
  const error = ctx.error
  if (error !== null) return ctx.stage.responses.status(error.responseType) >= 500 || end.res.statusCode >= 500
  return false
}

/** The steps of a request, as one record's fields. */
function summary(ctx: RequestContext, end: RequestEnd, route: RouteLog): Record<string, unknown> {
  const record: Record<string, unknown> = {
    requestId: ctx.requestId,
    extendedRequestId: ctx.extendedRequestId,
    httpMethod: ctx.method,
    path: ctx.contextValue('path'),
    status: end.res.statusCode,
    latencyMs: Math.round(end.endedHr - end.startedHr),
  }
  if (!end.finished) record.aborted = true
  if (ctx.stage.side === 'canary') record.canary = true
  const authorizer = ctx.authorizer
  if (authorizer !== null) record.authorizer = { principalId: authorizer.principalId, latencyMs: authorizer.latencyMs }
  if (ctx.identity !== null) record.caller = ctx.identity.userArn
  if (ctx.apiKeyId !== null) {
    const presented = ctx.usageIdentifierKey ?? ctx.header('x-api-key')
    record.apiKey = { id: ctx.apiKeyId, key: presented === undefined ? null : redactSecret(presented) }
  }
  if (ctx.integrationMethod !== '') {
    record.integration = {
      type: ctx.route.config.integration.type,
      method: ctx.integrationMethod,
      path: ctx.integrationPath === '' ? undefined : redactPathQuery(route.redactor, ctx.integrationPath),
      status: integrationStatus(end, ctx) ?? undefined,
      latencyMs: integrationLatency(end, ctx) ?? undefined,
    }
  }
  const error = ctx.error
  if (error !== null) {
    record.error = {
      responseType: error.responseType,
      code: error.cause?.code,
      message: error.cause?.message ?? error.message ?? ctx.stage.responses.message(error.responseType),
    }
  }
  if (route.dataTrace) record.trace = dataTrace(ctx, end, route.redactor)
  return record
}

export class ExecutionLogObserver implements RequestObserver {
  /** Per route of each stage side; null: execution logging is OFF there. */
  private readonly routes = new WeakMap<RouteRuntime, RouteLog | null>()

  constructor(private readonly options: ExecutionLogOptions) {}

  requestEnded(end: RequestEnd): void {
    const ctx = routedContext(end)
    if (ctx === null || ctx.stage.config.logging === undefined) return
    let route = this.routes.get(ctx.route)
    if (route === undefined) {
      route = this.resolve(ctx)
      this.routes.set(ctx.route, route)
    }
    if (route === null) return
    const failure = failed(ctx, end)
    if (!failure && !route.info) return
    const record = summary(ctx, end, route)
    if (failure) {
      const cause = ctx.error?.cause
      route.logger.error(record, `Execution failed: ${cause?.message ?? 'internal error'}`)
    } else {
      route.logger.info(record, `Method completed with status: ${end.res.statusCode}`)
    }
  }

  private resolve(ctx: RequestContext): RouteLog | null {
    const settings = ctx.stage.config.logging?.routes[ctx.route.key]
    if (settings === undefined) return null
    const api = this.options.config()?.apis.find((a) => a.id === ctx.api.id)
    return {
      info: settings.level === 'INFO',
      dataTrace: settings.dataTrace,
      redactor: routeRedactor(api, ctx.route.config),
      logger: this.options.logger.child({ api: ctx.api.id, stage: ctx.stage.name, route: ctx.route.key }),
    }
  }
}
