// Access logs: one line per request, in the format of the request's stage
// (StageConfig.logging.accessLogFormat), written to the log destination (pino's asynchronous
// stdout destination in main, telemetry/request-logs.ts). Requests answered before a stage was
// known (unknown API or stage) have no format and are not logged, as on API Gateway.
//
// The format is taken apart once per stage and config (access-log-format.ts) into literal text
// and accessors (access-log-variables.ts): per request the line is one concatenation over those
// parts, each value escaped so that it cannot break the line (or the JSON / XML around it).
//
// HOT PATH — requestEnded runs once per request: a WeakMap lookup per request (the compiled
// format of the StageRuntime, which lives as long as its config), then only the accessors the
// format names. A stage without a format costs two property reads.
import { DEFAULT_ARN, type GatewayConfig } from '../config/schema.js'
import type { StageRuntime } from '../runtime.js'
import { parseAccessLogFormat, type EscapeMode } from './access-log-format.js'
import { accessorOf, routedContext, type Accessor, type Value } from './access-log-variables.js'
import type { RequestEnd, RequestObserver } from './observer.js'

/** Where log lines go: pino's destination (sonic-boom) in main; anything with write() in tests. */
export interface LogDestination {
  write(line: string): unknown
}

/** A compiled format: literals[i] before accessors[i] (escaped by escapes[i]), the last literal after them all. */
interface CompiledFormat {
  readonly literals: readonly string[]
  readonly accessors: readonly Accessor[]
  readonly escapes: readonly ((value: string) => string)[]
}

// One test per value: most values need no escaping at all.
const CONTROL = /[\u0000-\u001f\u007f]/
const TEXT_UNSAFE = /["\\\u0000-\u001f\u007f]/
const JSON_UNSAFE = /["\\\u0000-\u001f\u007f\u2028\u2029]/
const XML_UNSAFE = /[&<>"'\u0000-\u001f\u007f]/

/** Outside quotes: the value as it is, control characters as \xHH (a value never breaks the line). */
function escapeControl(value: string): string {
  if (!CONTROL.test(value)) return value
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** Inside "..." of CLF, CSV, anything else: `"` and `\` escaped with `\`, control characters as \xHH (as Apache's access logs). */
function escapeText(value: string): string {
  if (!TEXT_UNSAFE.test(value)) return value
  return value.replace(/["\\\u0000-\u001f\u007f]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
}

/** Inside a JSON string: JSON's own escapes. */
function escapeJson(value: string): string {
  return JSON_UNSAFE.test(value) ? JSON.stringify(value).slice(1, -1).replace(/\u007f/g, '\\u007f') : value
}

const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }

/** Inside XML: the five entities; control characters as character references. */
function escapeXml(value: string): string {
  if (!XML_UNSAFE.test(value)) return value
  return value.replace(/[&<>"'\u0000-\u001f\u007f]/g, (c) => XML_ENTITIES[c] ?? `&#x${c.charCodeAt(0).toString(16)};`)
}

/** The escape of a value in the format's mode, inside or outside quotes. */
function escapeFor(mode: EscapeMode, quoted: boolean): (value: string) => string {
  if (mode === 'xml') return escapeXml
  if (!quoted) return escapeControl
  return mode === 'json' ? escapeJson : escapeText
}

export function compileFormat(format: string, accountId: string): CompiledFormat {
  const parsed = parseAccessLogFormat(format)
  const literals: string[] = ['']
  const accessors: Accessor[] = []
  const escapes: ((value: string) => string)[] = []
  const env = { accountId }
  for (const part of parsed.parts) {
    if (part.kind === 'literal') literals[literals.length - 1] += part.text
    else {
      accessors.push(accessorOf(part.name, env))
      escapes.push(escapeFor(parsed.escape, part.quoted))
      literals.push('')
    }
  }
  return { literals, accessors, escapes }
}

/** The line of one request (without its newline). */
export function renderLine(format: CompiledFormat, end: RequestEnd): string {
  const ctx = routedContext(end)
  const { literals, accessors, escapes } = format
  let line = literals[0]!
  for (let i = 0; i < accessors.length; i++) {
    const value: Value = accessors[i]!(end, ctx)
    line += value === null || value === '' ? '-' : typeof value === 'number' ? String(value) : escapes[i]!(value)
    line += literals[i + 1]!
  }
  return line
}

export interface AccessLogOptions {
  readonly destination: LogDestination
  /** The config being served ($context.accountId); read when a stage's format is compiled. */
  readonly config: () => GatewayConfig | undefined
}

export class AccessLogObserver implements RequestObserver {
  /** Compiled format per stage side; null: the stage has no access log. */
  private readonly formats = new WeakMap<StageRuntime, CompiledFormat | null>()

  constructor(private readonly options: AccessLogOptions) {}

  requestEnded(end: RequestEnd): void {
    const stage = end.ctx.stage
    if (stage === null || stage.config.logging?.accessLogFormat === undefined) return
    let format = this.formats.get(stage)
    if (format === undefined) {
      format = this.compile(stage)
      this.formats.set(stage, format)
    }
    if (format === null) return
    this.options.destination.write(`${renderLine(format, end)}\n`)
  }

  private compile(stage: StageRuntime): CompiledFormat | null {
    const format = stage.config.logging?.accessLogFormat
    if (format === undefined) return null
    return compileFormat(format, (this.options.config()?.arn ?? DEFAULT_ARN).accountId)
  }
}
