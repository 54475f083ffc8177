// A Prometheus histogram as plain numbers: one count per bucket (not cumulative; summed when
// rendered), the sum and the count. observe() is a few comparisons and three additions, no
// allocation: it runs once or twice per request (HOT PATH).

/**
 * Upper bounds in seconds of Latency and IntegrationLatency: from a cache hit or a mock (well
 * under a millisecond) to the 29 s integration timeout.
 */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const BOUND_LABELS = LATENCY_BUCKETS.map((b) => String(b))

export class Histogram {
  /** Observations per bucket, the last one +Inf (beyond every bound). */
  readonly counts: Float64Array = new Float64Array(LATENCY_BUCKETS.length + 1)
  sum = 0
  count = 0

  observe(seconds: number): void {
    const bounds = LATENCY_BUCKETS
    let i = 0
    while (i < bounds.length && seconds > bounds[i]!) i++
    this.counts[i]!++
    this.sum += seconds
    this.count++
  }

  /** Appends the `_bucket`, `_sum` and `_count` samples of one series (`labels` without braces). */
  render(name: string, labels: string, lines: string[]): void {
    let cumulative = 0
    for (let i = 0; i < BOUND_LABELS.length; i++) {
      cumulative += this.counts[i]!
      lines.push(`${name}_bucket{${labels},le="${BOUND_LABELS[i]}"} ${cumulative}`)
    }
    lines.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}`)
    lines.push(`${name}_sum{${labels}} ${this.sum}`)
    lines.push(`${name}_count{${labels}} ${this.count}`)
  }
}
