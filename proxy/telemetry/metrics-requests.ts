// API Gateway's request metrics, with their meaning (docs/metrics.md):
//
//   Count              tollgate_requests_total                 every request, whatever its answer
//   4XXError           tollgate_4xx_errors_total               answered 400..499 (gateway responses included)
//   5XXError           tollgate_5xx_errors_total               answered 500..599
//   Latency            tollgate_latency_seconds                request received → response written (closed)
//   IntegrationLatency tollgate_integration_latency_seconds    request relayed to the backend → its response
//                                                              (head; a function's whole result) received;
//                                                              only requests whose integration ran
//   DataProcessed      tollgate_data_processed_bytes_total     HTTP APIs: bytes received and sent for the request
//
// Labelled api, stage, method, resource (metrics-labels.ts). Requests answered before a route
// was known count in their stage's series when the stage was known, else in the API's
// (stage ''), else in one series with every label '' — never a label taken from the request.
//
// HOT PATH — change with care: requestEnded runs once per request. Its series ("cell") is found
// by the route's prebuilt label string (one Map lookup), then numbers are added; the text is
// made only when /metrics is scraped. Cells outlive configs, so a series keeps counting across
// config changes and never goes backwards.
import type { Socket } from 'node:net'
import type { ApiRuntime } from '../runtime.js'
import { Histogram } from './metrics-histogram.js'
import { seriesLabels } from './metrics-labels.js'
import { EarlyAnswer, type RequestEnd, type RequestObserver } from './observer.js'

/** The numbers of one series. */
export class RequestCell {
  count = 0
  clientErrors = 0
  serverErrors = 0
  /** HTTP APIs: request and response bytes. */
  dataProcessed = 0
  readonly latency = new Histogram()
  readonly integrationLatency = new Histogram()

  constructor(
    /** `api="…",stage="…",method="…",resource="…"` */
    readonly labels: string,
    /** An HTTP API's series: DataProcessed is exported for it. */
    readonly http: boolean,
  ) {}
}

/** Bytes of a client connection already counted (DataProcessed). */
interface Counted {
  read: number
  written: number
}

const UNKNOWN_API_LABELS = seriesLabels('', '', '', '')

export class RequestMetrics implements RequestObserver {
  private readonly cells = new Map<string, RequestCell>()
  private readonly apiCells = new WeakMap<ApiRuntime, RequestCell>()
  private readonly sockets = new WeakMap<Socket, Counted>()

  requestEnded(end: RequestEnd): void {
    const ctx = end.ctx
    let cell: RequestCell
    let integrationMs = -1
    if (ctx instanceof EarlyAnswer) {
      cell = this.earlyCell(ctx)
    } else {
      cell = this.cells.get(ctx.route.metricLabels) ?? this.cell(ctx.route.metricLabels, ctx.api.protocol === 'HTTP')
      const started = ctx.integrationStartHr
      // A failed or timed-out integration lasted until the gateway answered.
      if (started > 0) integrationMs = (ctx.integrationEndHr > 0 ? ctx.integrationEndHr : end.endedHr) - started
    }
    cell.count++
    const res = end.res
    if (res.headersSent) {
      const status = res.statusCode
      if (status >= 500) cell.serverErrors++
      else if (status >= 400) cell.clientErrors++
    }
    cell.latency.observe((end.endedHr - end.startedHr) / 1000)
    if (integrationMs >= 0) cell.integrationLatency.observe(integrationMs / 1000)
    if (cell.http) cell.dataProcessed += this.connectionBytes(end.req.socket)
  }

  private earlyCell(answer: EarlyAnswer): RequestCell {
    if (answer.stage !== null) {
      const labels = answer.stage.metricLabels
      return this.cells.get(labels) ?? this.cell(labels, answer.stage.api.protocol === 'HTTP')
    }
    const api = answer.api
    if (api === null) return this.cells.get(UNKNOWN_API_LABELS) ?? this.cell(UNKNOWN_API_LABELS, false)
    let cell = this.apiCells.get(api)
    if (cell === undefined) {
      const labels = seriesLabels(api.id, '', '', '')
      cell = this.cells.get(labels) ?? this.cell(labels, api.protocol === 'HTTP')
      this.apiCells.set(api, cell)
    }
    return cell
  }

  private cell(labels: string, http: boolean): RequestCell {
    const cell = new RequestCell(labels, http)
    this.cells.set(labels, cell)
    return cell
  }

  /**
   * Bytes read and written on the request's connection since the last request on it ended:
   * this request's line, headers and body and its response's. (On a connection that also
   * carried requests to REST APIs before, their bytes count with the first HTTP API request.)
   */
  private connectionBytes(socket: Socket | null): number {
    if (socket === null) return 0
    const read = socket.bytesRead
    const written = socket.bytesWritten ?? 0
    const counted = this.sockets.get(socket)
    if (counted === undefined) {
      this.sockets.set(socket, { read, written })
      return read + written
    }
    const bytes = read - counted.read + written - counted.written
    counted.read = read
    counted.written = written
    return bytes
  }

  /** The series in Prometheus text format, appended to `lines`. */
  render(lines: string[]): void {
    const cells = [...this.cells.values()]
    const family = (name: string, type: 'counter' | 'histogram', help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    family('tollgate_requests_total', 'counter', 'Count: API requests received, whatever their answer.')
    for (const c of cells) lines.push(`tollgate_requests_total{${c.labels}} ${c.count}`)
    family('tollgate_4xx_errors_total', 'counter', '4XXError: requests answered with a 4xx status (gateway responses included).')
    for (const c of cells) lines.push(`tollgate_4xx_errors_total{${c.labels}} ${c.clientErrors}`)
    family('tollgate_5xx_errors_total', 'counter', '5XXError: requests answered with a 5xx status.')
    for (const c of cells) lines.push(`tollgate_5xx_errors_total{${c.labels}} ${c.serverErrors}`)
    family('tollgate_latency_seconds', 'histogram', 'Latency: from receiving a request to returning its response, integration included.')
    for (const c of cells) c.latency.render('tollgate_latency_seconds', c.labels, lines)
    family('tollgate_integration_latency_seconds', 'histogram', 'IntegrationLatency: from relaying a request to the backend to receiving its response.')
    for (const c of cells) c.integrationLatency.render('tollgate_integration_latency_seconds', c.labels, lines)
    family('tollgate_data_processed_bytes_total', 'counter', 'DataProcessed (HTTP APIs): bytes received and sent for requests.')
    for (const c of cells) if (c.http) lines.push(`tollgate_data_processed_bytes_total{${c.labels}} ${c.dataProcessed}`)
  }
}
