// The request logs of a gateway process: access logs (a raw line per request in the stage's
// format) and execution logs (pino JSON records), both written to one pino destination — stdout
// through sonic-boom, asynchronously — never a synchronous write per request. Created once in
// main (cli/proxy.ts, cli/run.ts) and handed to the gateway as observers; tests pass a stream of
// their own.
//
// Lines are gathered per turn of the event loop and handed to the destination as one string
// (TickBatch): sonic-boom measures the byte length of its pending chunk on every write, which
// made a write per request cost more than rendering the line (bench/request-logs.ts).
import { pino, type DestinationStream, type Logger } from 'pino'
import type { GatewayConfig } from '../config/schema.js'
import { AccessLogObserver } from './access-log.js'
import { ExecutionLogObserver } from './execution-log.js'
import type { RequestObserver } from './observer.js'

export interface RequestLogs {
  /** Execution log records (JSON, one per line). */
  readonly logger: Logger
  /** Where access log lines are written as they are (and the logger writes its records). */
  readonly destination: DestinationStream
  /** Writes out what is buffered (at shutdown); a no-op for a destination without a buffer. */
  flush(): void
}

/** Beyond this many pending characters a batch is handed on at once (bounded memory under load). */
const MAX_BATCH_CHARS = 64 * 1024

/** Gathers the lines written in one turn of the event loop and hands them on as one write. */
export class TickBatch implements DestinationStream {
  private pending = ''
  private scheduled = false

  constructor(private readonly destination: DestinationStream) {}

  write(line: string): void {
    this.pending += line
    if (this.pending.length >= MAX_BATCH_CHARS) this.drain()
    else if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.drain)
    }
  }

  /** Hands what is pending to the destination. */
  readonly drain = (): void => {
    this.scheduled = false
    if (this.pending === '') return
    const out = this.pending
    this.pending = ''
    this.destination.write(out)
  }
}

/** `destination`: default stdout, asynchronous (pino.destination, sonic-boom). */
export function createRequestLogs(destination?: DestinationStream): RequestLogs {
  const sonic = destination === undefined ? pino.destination({ dest: 1, sync: false }) : null
  const batch = new TickBatch(destination ?? sonic!)
  const logger = pino({ level: 'info', base: null, timestamp: pino.stdTimeFunctions.isoTime }, batch)
  return {
    logger,
    destination: batch,
    flush() {
      batch.drain()
      try {
        sonic?.flushSync()
      } catch {
        // Not open yet, or stdout is gone: nothing more can be written.
      }
    },
  }
}

/** The access and execution log observers of a gateway, writing to `logs`. */
export function requestLogObservers(logs: RequestLogs, config: () => GatewayConfig | undefined): RequestObserver[] {
  return [new AccessLogObserver({ destination: logs.destination, config }), new ExecutionLogObserver({ logger: logs.logger, config })]
}
