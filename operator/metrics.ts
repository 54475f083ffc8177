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
//   tollgate_operator_change_to_programmed_seconds   first resource change → compile → publish → every proxy
//                                                    of this replica ACKed (what a `kubectl apply` waits for)
//   tollgate_operator_config_published_timestamp_seconds  when the published hash was first published
//   tollgate_operator_acked_proxies{hash}            proxies whose last ACK is that hash
//   tollgate_operator_nacked_proxies{hash}           proxies whose standing NACK is for that hash
//
// Hash labels are bounded: a series exists only for a hash some connected proxy ACKed or NACKed
// last (at most one of each per proxy, usually the current and the previous config), and the
// gauges are rebuilt at every scrape, so old hashes disappear.
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
  private readonly changeToProgrammed: Histogram
  private readonly publishedTimestamp: Gauge
  /** The hash last published. */
  private lastHash = ''
  /** The first resource change not compiled yet (hrtime). */
  private changeAt: bigint | null = null
  /** The published hash until every proxy ACKed it: when it was published, and the change that led to it. */
  private converging: { hash: string; at: bigint; changeAt: bigint | null } | null = null

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
    new Gauge({ name: 'tollgate_operator_acked_proxies', help: 'Proxies of this replica by the config hash they ACKed last.', labelNames: ['hash'], registers, collect() {
      this.reset()
      for (const [hash, n] of tally(source.proxies().map((p) => p.ackedHash))) this.set({ hash }, n)
    } })
    new Gauge({ name: 'tollgate_operator_nacked_proxies', help: 'Proxies of this replica by the config hash they refused (while the refusal stands).', labelNames: ['hash'], registers, collect() {
      this.reset()
      for (const [hash, n] of tally(source.proxies().map((p) => p.nack?.hash ?? ''))) this.set({ hash }, n)
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
    this.changeToProgrammed = new Histogram({
      name: 'tollgate_operator_change_to_programmed_seconds',
      help: 'From the first resource change behind a new config (hold-off, compile, publish) to every proxy of this replica ACKing it.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60],
      registers,
    })
    this.publishedTimestamp = new Gauge({
      name: 'tollgate_operator_config_published_timestamp_seconds',
      help: 'When the published config hash was first published (Unix time).',
      registers,
    })
  }

  /** A resource changed (the compile that follows may or may not change the config). */
  changed(): void {
    if (this.changeAt === null) this.changeAt = process.hrtime.bigint()
  }

  compiled(seconds: number, configJsonBytes: number): void {
    this.reconciles.inc()
    this.compileSeconds.observe(seconds)
    this.configBytes.set(configJsonBytes)
  }

  /** After every compile: the config (maybe unchanged) is published. */
  published(hash: string): void {
    const changeAt = this.changeAt
    this.changeAt = null
    if (hash === this.lastHash) return
    // The first config after start follows no change of a user's: it is not a change to time.
    const first = this.lastHash === ''
    this.lastHash = hash
    this.converging = { hash, at: process.hrtime.bigint(), changeAt: first ? null : changeAt }
    this.publishedTimestamp.set(Date.now() / 1000)
  }

  ack(result: 'ack' | 'nack'): void {
    this.acks.inc({ result })
  }

  /** Call after any fleet change: observes the convergence time once per hash. */
  fleetChanged(proxies: readonly ProxyState[]): void {
    const p = this.converging
    if (p === null || proxies.length === 0 || !proxies.every((x) => x.ackedHash === p.hash)) return
    const now = process.hrtime.bigint()
    this.convergence.observe(Number(now - p.at) / 1e9)
    if (p.changeAt !== null) this.changeToProgrammed.observe(Number(now - p.changeAt) / 1e9)
    this.converging = null
  }

  async text(): Promise<string> {
    return this.registry.metrics()
  }
}

/** How often each non-empty value occurs. */
function tally(values: readonly string[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const v of values) if (v !== '') out.set(v, (out.get(v) ?? 0) + 1)
  return out
}
