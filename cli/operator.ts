// tollgate operator: the Kubernetes operator (operator/operator.ts). Reads the stream token,
// loads the kubeconfig (KUBECONFIG, else in-cluster), starts, and on SIGTERM/SIGINT: fails
// readiness, stops watching, releases the Lease, closes the stream and exits.
import { readFile } from 'node:fs/promises'
import { KubeConfig } from '@kubernetes/client-node'
import { startOperator } from '../operator/operator.js'
import { UsageError, type OperatorCommandOptions } from './options.js'
import { exitOnSignal, timestampedLog } from './process.js'

export async function operatorCommand(opts: OperatorCommandOptions): Promise<number> {
  let token: string
  try {
    token = (await readFile(opts.streamTokenFile, 'utf8')).trim()
  } catch (err) {
    throw new UsageError(`cannot read the stream token from ${opts.streamTokenFile}: ${(err as Error).message}`)
  }
  if (token === '') throw new UsageError(`the stream token in ${opts.streamTokenFile} is empty`)
  const kc = new KubeConfig()
  if (opts.kubeconfig !== '') kc.loadFromFile(opts.kubeconfig)
  else kc.loadFromDefault()
  const log = timestampedLog
  const { streamTokenFile: _file, kubeconfig: _kc, ...rest } = opts
  const operator = await startOperator({ ...rest, streamToken: token }, kc, log)
  log(
    `operator ${opts.identity} started: stream on ${opts.host}:${operator.streamPort}, metrics on ${opts.host}:${operator.metricsPort}, ` +
      `watching ${opts.namespaces.length > 0 ? opts.namespaces.join(',') : 'all namespaces'}, leader election ${opts.leaderElect ? `on (Lease ${opts.leaseNamespace}/${opts.leaseName})` : 'off'}`,
  )
  exitOnSignal(log, () => operator.stop())
  return -1
}
