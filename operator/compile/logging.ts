// A Stage's logging: spec.accessLogSettings.format and the loggingLevel / dataTraceEnabled fields
// of spec.methodSettings → StageLoggingConfig (proxy/config/logging.ts). The format is taken
// apart here with the proxy's own parser (proxy/telemetry/access-log-format.ts), so what the
// status says about it is what the proxies will do (docs/access-logs.md).
//
// Rules (API Gateway's, where it has one):
// - the format is one line (a newline only at its end) and names $context.requestId or
//   $context.extendedRequestId, else the Stage is refused (AWS refuses the UpdateStage);
// - a name after `$context.` that is not an access log variable is a warning naming it, and is
//   logged as `-` (as any variable without a value);
// - execution logging per route: its own method setting's loggingLevel, else '*\/*''s, else
//   OFF; dataTraceEnabled the same way; data trace without a logging level does nothing.
import { error, warning, type Problem } from '../../crds/problems.js'
import type { StageSpec } from '../../crds/stage.js'
import { routeKeyOfMethodKey, type RouteConfig, type RouteLoggingConfig, type StageLoggingConfig } from '../../proxy/config/schema.js'
import { parseAccessLogFormat } from '../../proxy/telemetry/access-log-format.js'
import { childField } from './fields.js'

export const LOGGING_FIELDS = ['loggingLevel', 'dataTraceEnabled'] as const
const ALL_METHODS = '*/*'
const FORMAT_FIELD = 'spec.accessLogSettings.format'

type Settings = NonNullable<StageSpec['methodSettings']>

/** `routes`: the routes of the revisions the stage serves (its own and its canary's). */
export function compileStageLogging(spec: StageSpec, routes: readonly RouteConfig[], problems: Problem[]): StageLoggingConfig | undefined {
  const accessLogFormat = compileFormat(spec.accessLogSettings?.format, problems)
  const settings = spec.methodSettings ?? {}
  const all = settings[ALL_METHODS] ?? {}
  const logged: Record<string, RouteLoggingConfig> = {}
  for (const route of routes) {
    if (Object.hasOwn(logged, route.key)) continue
    const own = ownSetting(settings, route.key)
    const level = own?.loggingLevel ?? all.loggingLevel ?? 'OFF'
    if (level === 'OFF') continue
    logged[route.key] = { level, dataTrace: own?.dataTraceEnabled ?? all.dataTraceEnabled ?? false }
  }
  for (const key of Object.keys(settings).sort()) {
    const setting = settings[key]!
    if (setting.dataTraceEnabled !== true) continue
    const level = setting.loggingLevel ?? (key === ALL_METHODS ? undefined : all.loggingLevel) ?? 'OFF'
    if (level === 'OFF') {
      problems.push(
        warning(`${childField('spec.methodSettings', key)}.dataTraceEnabled`, 'FieldIgnored', 'has no effect: execution logging is OFF (set loggingLevel to ERROR or INFO)'),
      )
    }
  }
  if (accessLogFormat === undefined && Object.keys(logged).length === 0) return undefined
  return accessLogFormat !== undefined ? { accessLogFormat, routes: logged } : { routes: logged }
}

/** The access log format, checked; undefined when there is none (or it is refused: the problems say why). */
function compileFormat(format: string | undefined, problems: Problem[]): string | undefined {
  if (format === undefined) return undefined
  if (format.trim() === '') {
    problems.push(warning(FORMAT_FIELD, 'FieldIgnored', 'is empty: the stage writes no access log'))
    return undefined
  }
  const parsed = parseAccessLogFormat(format)
  let refused = false
  if (parsed.multiline) {
    problems.push(error(FORMAT_FIELD, 'InvalidAccessLogFormat', 'must be a single line: a newline is allowed only at the end of the format'))
    refused = true
  }
  if (parsed.missingRequestId) {
    problems.push(
      error(FORMAT_FIELD, 'InvalidAccessLogFormat', 'must include $context.requestId or $context.extendedRequestId (as API Gateway requires; include both as a best practice)'),
    )
    refused = true
  }
  for (const name of parsed.unknown) {
    problems.push(
      warning(FORMAT_FIELD, 'UnknownContextVariable', `$context.${name} is not a $context variable of access logs; it is logged as '-' (docs/access-logs.md lists the variables)`),
    )
  }
  return refused ? undefined : parsed.format
}

function ownSetting(settings: Settings, routeKey: string): Settings[string] | undefined {
  for (const key of Object.keys(settings)) if (key !== ALL_METHODS && routeKeyOfMethodKey(key) === routeKey) return settings[key]
  return undefined
}
