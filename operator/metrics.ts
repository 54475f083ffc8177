// The operator's Prometheus metrics (/metrics on the metrics port). One registry per operator
// (no global state), so several operators in one test process do not mix their numbers.
//
//   tollgate_operator_leader                         1 while this replica holds the Lease
//   tollgate_operator_reconciles_total               compiles run (after the hold-off)
//   tollgate_operator_compile_duration_seconds       time to compile the whole world
//   tollgate_operator_config_bytes                   size of the published config (JSON)
//   tollgate_operator_config_info{hash}              1, labelled with the published hash
//   tollgate_operator_proxies{state}                 proxies of this replica: programmed | pending | rejected
//   tollgate_operator_proxy_programmed{proxy}        1 when that proxy serves the current hash, else 0
//   tollgate_operator_proxy_acks_total{result}       ack | nack messages received
//   tollgate_operator_convergence_seconds            publish → every proxy of this replica ACKed
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { ProxyState } from './publish/stream-server.js'

export interface OperatorMetricsSource {
  leading(): boolean
  hash(): string
  proxies(): ProxyState[]
}

export class OperatorMetrics {
  readonly registry = new Registry()
  private readonly reconciles: Counter
  private readonly compileSeconds: Histogram
  private readonly configBytes: Gauge
  private readonly acks: Counter<'result'>
  private readonly convergence: Histogram
  private publishedAt: { hash: string; at: bigint } | null = null

  constructor(source: OperatorMetricsSource) {
    const registers = [this.registry]
    new Gauge({ name: 'tollgate_operator_leader', help: '1 while this replica holds the leader Lease.', registers, collect() {
      this.set(source.leading() ? 1 : 0)
    } })
    new Gauge({ name: 'tollgate_operator_config_info', help: 'The published config, by hash.', labelNames: ['hash'], registers, collect() {
      this.reset()
      const hash = source.hash()
      if (hash !== '') this.set({ hash }, 1)
    } })
    new Gauge({ name: 'tollgate_operator_proxies', help: 'Proxies connected to this replica, by state.', labelNames: ['state'], registers, collect() {
      const hash = source.hash()
      const counts = { programmed: 0, pending: 0, rejected: 0 }
      for (const p of source.proxies()) {
        if (p.ackedHash === hash) counts.programmed++
        else if (p.nack?.hash === hash) counts.rejected++
        else counts.pending++
      }
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n)
    } })
    new Gauge({ name: 'tollgate_operator_proxy_programmed', help: '1 when the proxy serves the current config.', labelNames: ['proxy'], registers, collect() {
      this.reset()
      const hash = source.hash()
      for (const p of source.proxies()) this.set({ proxy: p.id }, p.ackedHash === hash ? 1 : 0)
    } })
    this.reconciles = new Counter({ name: 'tollgate_operator_reconciles_total', help: 'Compiles of the whole world.', registers })
    this.compileSeconds = new Histogram({
      name: 'tollgate_operator_compile_duration_seconds',
      help: 'Time to compile every resource into one config.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    })
    this.configBytes = new Gauge({ name: 'tollgate_operator_config_bytes', help: 'Size of the published config (JSON bytes).', registers })
    this.acks = new Counter({ name: 'tollgate_operator_proxy_acks_total', help: 'ACK and NACK messages from proxies.', labelNames: ['result'], registers })
    // Both series exist from the start: increase() misses the first NACK of a series that appears at 1.
    for (const result of ['ack', 'nack']) this.acks.inc({ result }, 0)
    this.convergence = new Histogram({
      name: 'tollgate_operator_convergence_seconds',
      help: 'From publishing a config to every proxy of this replica ACKing it.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers,
    })
  }

  compiled(seconds: number, configJsonBytes: number): void {
    this.reconciles.inc()
    this.compileSeconds.observe(seconds)
    this.configBytes.set(configJsonBytes)
  }

  published(hash: string): void {
    if (this.publishedAt?.hash !== hash) this.publishedAt = { hash, at: process.hrtime.bigint() }
  }

  ack(result: 'ack' | 'nack'): void {
    this.acks.inc({ result })
  }

  /** Call after any fleet change: observes the convergence time once per hash. */
  fleetChanged(proxies: readonly ProxyState[]): void {
    const p = this.publishedAt
    if (p === null || proxies.length === 0 || !proxies.every((x) => x.ackedHash === p.hash)) return
    this.convergence.observe(Number(process.hrtime.bigint() - p.at) / 1e9)
    this.publishedAt = null
  }

  async text(): Promise<string> {
    return this.registry.metrics()
  }
}
