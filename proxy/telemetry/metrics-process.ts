// Process-level metrics of a proxy (docs/metrics.md): prom-client's default Node.js metrics
// (CPU, memory, handles, GC, event-loop delay: nodejs_eventloop_lag_seconds and its
// p50/p90/p99 from perf_hooks.monitorEventLoopDelay), open client connections, and the config
// being served. One registry per proxy: nothing global, several proxies in one test process
// keep their own numbers.
import type { Server } from 'node:http'
import { collectDefaultMetrics, Registry } from 'prom-client'
import type { ConfigHistory } from '../gateway.js'
import { labelValue } from './metrics-labels.js'

export class ProcessMetrics {
  readonly registry = new Registry()
  /** Client connections open on the tracked listeners. */
  openConnections = 0

  constructor() {
    collectDefaultMetrics({ register: this.registry })
  }

  /** Counts the client connections of a listener (public and private listeners of the gateway). */
  track(server: Server): void {
    server.on('connection', (socket) => {
      this.openConnections++
      socket.once('close', () => this.openConnections--)
    })
  }

  /** tollgate_open_connections and the config series, appended to `lines`. */
  render(hash: string | undefined, history: ConfigHistory, lines: string[]): void {
    lines.push(
      '# HELP tollgate_open_connections Client connections open on the execute-api listeners (public and private).',
      '# TYPE tollgate_open_connections gauge',
      `tollgate_open_connections ${this.openConnections}`,
      '# HELP tollgate_config_info The config being served, by hash (1; no sample before the first config).',
      '# TYPE tollgate_config_info gauge',
    )
    if (hash !== undefined) lines.push(`tollgate_config_info{hash="${labelValue(hash)}"} 1`)
    lines.push(
      '# HELP tollgate_config_last_applied_timestamp_seconds Unix time the config being served was applied (0 before the first).',
      '# TYPE tollgate_config_last_applied_timestamp_seconds gauge',
      `tollgate_config_last_applied_timestamp_seconds ${history.appliedAt / 1000}`,
      '# HELP tollgate_config_rejected_total Configs refused as invalid (the previous one kept serving; the operator got a NACK).',
      '# TYPE tollgate_config_rejected_total counter',
      `tollgate_config_rejected_total ${history.rejected}`,
    )
  }
}
