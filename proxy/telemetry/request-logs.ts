// The request logs of a gateway process: access logs (a raw line per request in the stage's
// format) and execution logs (pino JSON records), both written to one pino destination — stdout
// through sonic-boom, asynchronously: a write appends to a buffer that is flushed to the file
// descriptor off the request path, never a synchronous write per request. Created once in main
// (cli/proxy.ts, cli/run.ts) and handed to the gateway as observers; tests pass a stream of
// their own.
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

/** `destination`: default stdout, asynchronous (pino.destination, sonic-boom). */
export function createRequestLogs(destination?: DestinationStream): RequestLogs {
  const sonic = destination === undefined ? pino.destination({ dest: 1, sync: false }) : null
  const dest: DestinationStream = destination ?? sonic!
  const logger = pino({ level: 'info', base: null, timestamp: pino.stdTimeFunctions.isoTime }, dest)
  return {
    logger,
    destination: dest,
    flush() {
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
