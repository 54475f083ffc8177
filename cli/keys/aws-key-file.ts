// AWS API Gateway's API key file format (the body of ImportApiKeys, format=csv), as documented
// in "API Gateway API key file format":
//   - a header row; column names are not case sensitive and may come in any order;
//   - Name and Key are required; Description, Enabled and UsagePlanIds are optional;
//     unrecognised columns are permitted and ignored;
//   - a Key is 20 to 128 characters; a Name at most 1024 characters;
//   - Enabled defaults to true; other missing values default to the empty string;
//   - UsagePlanIds is a comma-separated list of usage plan ids, quoted (double or single quotes)
//     when it has more than one;
//   - two keys are the same key when they have the same Key value.
// This module turns the parsed CSV into typed rows and a problem per bad field. It is pure, and
// no message it produces contains a key value.
import { isBlank, parseCsv } from './csv.js'

export interface KeyRow {
  line: number
  name: string
  /** The key value: a secret. Never put it in a message. */
  value: string
  description: string
  enabled: boolean
  usagePlanIds: string[]
}

export interface FileProblem {
  line: number
  /** Column the problem is about (Name, Key, …), or '' for the whole row or file. */
  column: string
  message: string
}

export interface KeyFile {
  rows: KeyRow[]
  /** Bad rows: every problem of every row, in line order. Rows with problems are not in `rows`. */
  problems: FileProblem[]
  /** Not errors: ignored columns. */
  warnings: FileProblem[]
  /** A problem with the file as a whole (no header, a missing column): nothing can be read. */
  fatal?: FileProblem
}

export const COLUMNS = ['Name', 'Key', 'Description', 'Enabled', 'UsagePlanIds'] as const
type Column = (typeof COLUMNS)[number]
const REQUIRED: Column[] = ['Name', 'Key']

/** AWS: 20 to 128 characters. Tollgate's ApiKey (crds/apikey.ts) takes letters and digits. */
export const KEY_VALUE = /^[A-Za-z0-9]{20,128}$/
export const NAME_MAX = 1024
/** spec.description of an ApiKey. */
export const DESCRIPTION_MAX = 1024

export interface ReadOptions {
  /** Why a usage plan id cannot be used (e.g. it makes no valid label key), or undefined when it can. */
  checkPlanId?: (id: string) => string | undefined
}

export function readKeyFile(text: string, options: ReadOptions = {}): KeyFile {
  const { records, fatal } = parseCsv(text)
  const problems: FileProblem[] = []
  const warnings: FileProblem[] = []
  if (fatal) return { rows: [], problems, warnings, fatal: { line: fatal.line, column: '', message: fatal.message } }

  const content = records.filter((r) => !isBlank(r))
  const header = content[0]
  if (!header) return { rows: [], problems, warnings, fatal: { line: 1, column: '', message: 'the file is empty: it needs a header row (Name,Key,…)' } }
  if (header.error) return { rows: [], problems, warnings, fatal: { line: header.line, column: '', message: `header: ${header.error}` } }

  const index = new Map<Column, number>()
  const unknown: string[] = []
  for (const [i, raw] of header.fields.entries()) {
    const label = raw.trim()
    const column = COLUMNS.find((c) => c.toLowerCase() === label.toLowerCase())
    if (!column) {
      unknown.push(label)
      continue
    }
    if (index.has(column)) {
      return { rows: [], problems, warnings, fatal: { line: header.line, column, message: `the header has the ${column} column twice` } }
    }
    index.set(column, i)
  }
  const missing = REQUIRED.filter((c) => !index.has(c))
  if (missing.length > 0) {
    // The first line may be a row of keys (a file without a header): say nothing of its fields.
    return {
      rows: [],
      problems,
      warnings,
      fatal: { line: header.line, column: missing[0] as string, message: `the header has no ${missing.join(' and ')} column (the first line must be a header row with Name and Key, e.g. Name,Key,Description,Enabled,UsagePlanIds)` },
    }
  }
  // Now the first line is known to be a header, its other labels are column names.
  for (const label of unknown) {
    warnings.push({ line: header.line, column: '', message: `column ${shown(label)} is not one AWS reads (${COLUMNS.join(', ')}); ignored` })
  }

  const rows: KeyRow[] = []
  const lineOfValue = new Map<string, number>()
  for (const record of content.slice(1)) {
    const rowProblems: FileProblem[] = []
    const bad = (column: string, message: string) => rowProblems.push({ line: record.line, column, message })
    if (record.error) bad('', record.error)
    if (record.fields.length !== header.fields.length) {
      bad('', `the row has ${record.fields.length} field${record.fields.length === 1 ? '' : 's'}, the header ${header.fields.length} (an unquoted comma?)`)
      problems.push(...rowProblems)
      continue
    }
    const cell = (c: Column): string => {
      const i = index.get(c)
      return i === undefined ? '' : (record.fields[i] ?? '')
    }

    // Line breaks inside quoted fields are kept, as LF: a file saved on Windows reads the same.
    const name = lf(cell('Name'))
    if (name.trim() === '') bad('Name', 'is required')
    else if (name.length > NAME_MAX) bad('Name', `must be at most ${NAME_MAX} characters`)

    const value = cell('Key')
    if (value === '') bad('Key', 'is required')
    else if (value.length < 20 || value.length > 128) bad('Key', `must be 20 to 128 characters (it has ${value.length})`)
    else if (!KEY_VALUE.test(value)) bad('Key', 'must contain only letters and digits (A-Z, a-z, 0-9)')
    else {
      const first = lineOfValue.get(value)
      if (first !== undefined) bad('Key', `same value as line ${first}: a key value identifies one key`)
      else lineOfValue.set(value, record.line)
    }

    const description = lf(cell('Description'))
    if (description.length > DESCRIPTION_MAX) bad('Description', `must be at most ${DESCRIPTION_MAX} characters`)

    const enabledText = cell('Enabled').trim()
    let enabled = true
    if (enabledText !== '') {
      if (/^true$/i.test(enabledText)) enabled = true
      else if (/^false$/i.test(enabledText)) enabled = false
      else bad('Enabled', `must be true or false; got ${shown(enabledText)}`)
    }

    const usagePlanIds = splitPlanIds(cell('UsagePlanIds'))
    for (const id of usagePlanIds) {
      const why = options.checkPlanId?.(id)
      if (why !== undefined) bad('UsagePlanIds', `${shown(id)}: ${why}`)
    }

    if (rowProblems.length > 0) problems.push(...rowProblems)
    else rows.push({ line: record.line, name, value, description, enabled, usagePlanIds })
  }
  return { rows, problems, warnings }
}

/**
 * A cell quoted for a message, unless it could be a key value (20 or more letters and digits:
 * columns shifted by a missing header or a stray comma put keys in other columns).
 */
export function shown(cell: string): string {
  return /^[A-Za-z0-9]{20,}$/.test(cell) ? `a value of ${cell.length} letters and digits (not shown: it could be a key)` : JSON.stringify(cell)
}

function lf(text: string): string {
  return text.replace(/\r\n?/g, '\n')
}

/**
 * The ids of a UsagePlanIds cell: comma-separated, blanks around ids and empty entries dropped,
 * duplicates removed. Quotes left around the list (a cell such as `"a,b"` inside a quoted field)
 * are dropped too.
 */
export function splitPlanIds(cell: string): string[] {
  let text = cell.trim()
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0]) text = text.slice(1, -1)
  const ids: string[] = []
  for (const part of text.split(',')) {
    const id = part.trim()
    if (id !== '' && !ids.includes(id)) ids.push(id)
  }
  return ids
}
