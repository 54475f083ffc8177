// Test helpers for access and execution logs: a gateway whose request logs go to a stream the
// test reads (the same pino logger and observers main creates, with another destination).
import type { GatewayConfig } from '../../proxy/config/schema.js'
import type { GatewayOptions } from '../../proxy/gateway.js'
import { createRequestLogs, requestLogObservers } from '../../proxy/telemetry/request-logs.js'
import { startGateway, type Running } from './helpers.js'

export interface LoggedGateway extends Running {
  /** Every line written to the log destination, in order (without the newline). */
  readonly lines: string[]
  /** Waits until `count` more lines than `from` were written; returns them. */
  linesAfter(from: number, count?: number): Promise<string[]>
}

export async function startLoggedGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<LoggedGateway> {
  const lines: string[] = []
  const destination = {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line !== '') lines.push(line)
    },
  }
  const logs = createRequestLogs(destination)
  let running: Running | undefined
  running = await startGateway(config, { ...options, observers: [...(options.observers ?? []), ...requestLogObservers(logs, () => running?.gateway.config)] })
  const gw = running
  return {
    ...gw,
    fetch: gw.fetch.bind(gw),
    close: gw.close.bind(gw),
    lines,
    async linesAfter(from, count = 1) {
      for (let i = 0; i < 200 && lines.length < from + count; i++) await new Promise((r) => setTimeout(r, 5))
      return lines.slice(from)
    },
  }
}
