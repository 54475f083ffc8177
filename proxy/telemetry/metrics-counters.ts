// Counters the request pipeline increments for /metrics (docs/metrics.md), one set per gateway
// (Services.counters), kept across configs:
//
//   tollgate_throttled_total{api,stage,level}                    requests answered 429 by a throttle, by the level that denied
//   tollgate_quota_exceeded_total{api,stage}                     requests answered 429 because the key's quota was spent
//   tollgate_authorizer_requests_total{api,stage,authorizer,outcome}  requests through an authorizer, by outcome
//   tollgate_websocket_*_total{api,stage}                        the WebSocket API set (fed by the WebSocket work)
//
// A pipeline stage asks for its cell once (cells are made on first use, keyed by label values
// that come from the config) and then only adds to numbers.
import type { ThrottleLevel } from '../stores/meter.js'
import { THROTTLE_ORDER } from '../stores/meter.js'
import { labelValue } from './metrics-labels.js'

/** Metering denials of one stage. */
export class StageDecisions {
  readonly throttled: Record<ThrottleLevel, number> = { CLIENT_METHOD: 0, CLIENT: 0, METHOD: 0, STAGE: 0, ACCOUNT: 0 }
  quotaExceeded = 0
  constructor(readonly labels: string) {}
}

/**
 * What an authorizer did with a request:
 *   allow         it let the request through (a function call, a JWT verified, an IAM signature checked)
 *   deny          it refused it with 403 (an explicit or missing Allow, isAuthorized false, a scope missing)
 *   unauthorized  401: the identity source missing, empty or not validated, an invalid token
 *   error         500: the authorizer failed (function error, timeout, unusable answer)
 *   cache_hit     a Lambda authorizer decided from its result cache, without a call (allowed or denied)
 */
export const AUTHORIZER_OUTCOMES = ['allow', 'deny', 'unauthorized', 'error', 'cache_hit'] as const
export type AuthorizerOutcome = (typeof AUTHORIZER_OUTCOMES)[number]

export class AuthorizerOutcomes {
  readonly counts: Record<AuthorizerOutcome, number> = { allow: 0, deny: 0, unauthorized: 0, error: 0, cache_hit: 0 }
  constructor(readonly labels: string) {}
}

/** The WebSocket API set of one stage: ConnectCount, MessageCount, IntegrationError, ClientError, ExecutionError. */
export class WebSocketCounts {
  connects = 0
  messages = 0
  integrationErrors = 0
  clientErrors = 0
  executionErrors = 0
  constructor(readonly labels: string) {}
}

const WEBSOCKET_FAMILIES: readonly [keyof Omit<WebSocketCounts, 'labels'>, string, string][] = [
  ['connects', 'tollgate_websocket_connects_total', 'ConnectCount: messages sent to the $connect route integration.'],
  ['messages', 'tollgate_websocket_messages_total', 'MessageCount: messages sent to and from the WebSocket API.'],
  ['integrationErrors', 'tollgate_websocket_integration_errors_total', 'IntegrationError: requests answered 4xx/5xx by the integration.'],
  ['clientErrors', 'tollgate_websocket_client_errors_total', 'ClientError: requests answered 4xx by the gateway before the integration.'],
  ['executionErrors', 'tollgate_websocket_execution_errors_total', 'ExecutionError: errors while calling the integration.'],
]

function stageLabels(api: string, stage: string): string {
  return `api="${labelValue(api)}",stage="${labelValue(stage)}"`
}

export class GatewayCounters {
  private readonly stages = new Map<string, StageDecisions>()
  private readonly authorizers = new Map<string, AuthorizerOutcomes>()
  private readonly websockets = new Map<string, WebSocketCounts>()

  /** The metering denials of a stage (the same object every time). */
  stage(api: string, stage: string): StageDecisions {
    const labels = stageLabels(api, stage)
    let cell = this.stages.get(labels)
    if (cell === undefined) this.stages.set(labels, (cell = new StageDecisions(labels)))
    return cell
  }

  /** The outcomes of an authorizer ("namespace/name", or AWS_IAM) on a stage. */
  authorizer(api: string, stage: string, authorizer: string): AuthorizerOutcomes {
    const labels = `${stageLabels(api, stage)},authorizer="${labelValue(authorizer)}"`
    let cell = this.authorizers.get(labels)
    if (cell === undefined) this.authorizers.set(labels, (cell = new AuthorizerOutcomes(labels)))
    return cell
  }

  /** The WebSocket counters of a stage (for the WebSocket work: nothing calls this yet). */
  websocket(api: string, stage: string): WebSocketCounts {
    const labels = stageLabels(api, stage)
    let cell = this.websockets.get(labels)
    if (cell === undefined) this.websockets.set(labels, (cell = new WebSocketCounts(labels)))
    return cell
  }

  /** The series in Prometheus text format, appended to `lines`. */
  render(lines: string[]): void {
    const family = (name: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`)
    const stages = [...this.stages.values()]
    family('tollgate_throttled_total', 'Requests answered 429 Too Many Requests by a throttle, by the level whose bucket was empty.')
    for (const s of stages) for (const level of THROTTLE_ORDER) lines.push(`tollgate_throttled_total{${s.labels},level="${level}"} ${s.throttled[level]}`)
    family('tollgate_quota_exceeded_total', "Requests answered 429 Limit Exceeded because the API key's usage plan quota was spent.")
    for (const s of stages) lines.push(`tollgate_quota_exceeded_total{${s.labels}} ${s.quotaExceeded}`)
    family('tollgate_authorizer_requests_total', 'Requests through an authorizer, by outcome (allow, deny, unauthorized, error; cache_hit: decided from the result cache).')
    for (const a of this.authorizers.values()) {
      for (const outcome of AUTHORIZER_OUTCOMES) lines.push(`tollgate_authorizer_requests_total{${a.labels},outcome="${outcome}"} ${a.counts[outcome]}`)
    }
    const websockets = [...this.websockets.values()]
    for (const [field, name, help] of WEBSOCKET_FAMILIES) {
      family(name, `${help} (WebSocket APIs; none are served yet)`)
      for (const w of websockets) lines.push(`${name}{${w.labels}} ${w[field]}`)
    }
  }
}

/**
 * A cell looked up once per gateway and kept: pipeline handlers are built without the gateway
 * (build is pure), so they find their cell through the request's services on first use.
 */
export function cellOf<T>(find: (counters: GatewayCounters) => T): (counters: GatewayCounters) => T {
  let owner: GatewayCounters | null = null
  let cell: T | null = null
  return (counters) => {
    if (owner !== counters) {
      owner = counters
      cell = find(counters)
    }
    return cell!
  }
}
