// CPU pinning for the wall-clock benchmarks (bench/run.ts, bench/metering.ts). With taskset and
// 2+ CPUs the process under test gets the last CPU to itself; the upstream, redis-server and the
// load generator share the others. Its CPU time per request is then its own, not mixed with
// theirs, and nothing else runs on its CPU (as in a deployment, where the load, the backends and
// Redis are other machines).
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

/** CPU lists for taskset: the target's, the upstream's (and redis-server's), the load generator's. */
export interface PinLayout {
  readonly target: string
  readonly upstream: string
  readonly load: string
}

export function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
}

/** The layout on this machine, or null (not wanted, one CPU, or no taskset). */
export function pinLayout(enabled: boolean): PinLayout | null {
  const n = availableParallelism()
  if (!enabled || n < 2 || !has('taskset')) return null
  const last = String(n - 1)
  if (n === 2) return { target: last, upstream: '0', load: '0' }
  return { target: last, upstream: '0', load: `1-${n - 2}` }
}

/** Pins every thread of a running process to `cpuList`. */
export function pinProcess(pid: number, cpuList: string): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)])
  if (r.status !== 0) throw new Error(`taskset failed for ${pid}: ${r.stderr}`)
}

export function describePin(pin: PinLayout | null): string {
  return pin ? `pinned (target CPU ${pin.target}, upstream ${pin.upstream}, load ${pin.load})` : 'not pinned'
}
