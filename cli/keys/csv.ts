// An RFC 4180 CSV reader: fields separated by commas, records by CRLF or LF (a lone CR too),
// fields optionally enclosed in double quotes, a double quote inside a quoted field written
// twice (""), and commas and line breaks allowed inside quoted fields. A byte order mark at the
// start is dropped.
//
// One extension, because AWS's API key file format documents it: a field may also be enclosed
// in single quotes ('c7y23b,glvrsr'), with '' for a quote inside. Single quotes are a quote only
// when the closing quote is followed by a comma or the end of the line, so a description that
// merely starts with an apostrophe ('tis fine) is read as written. Single-quoted fields do not
// span lines.
//
// Every record carries the line it starts on, so callers can report `file:line`. The reader
// never puts field contents in its messages: the fields of an API key file are secrets.

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number
  fields: string[]
  /** Set when the record is malformed; the fields are then best effort. */
  error?: string
}

export interface CsvResult {
  records: CsvRecord[]
  /** An error that stopped reading (an unterminated quoted field), with the line it started on. */
  fatal?: { line: number; message: string }
}

const BOM = '\uFEFF'

export function parseCsv(input: string): CsvResult {
  const text = input.startsWith(BOM) ? input.slice(1) : input
  const records: CsvRecord[] = []
  let i = 0
  let line = 1

  while (i < text.length) {
    const record: CsvRecord = { line, fields: [] }
    let field = ''
    // One iteration per field; the record ends at a line break or the end of the input.
    for (;;) {
      const c = text[i]
      if (c === '"') {
        const fieldLine = line
        i++
        let closed = false
        while (i < text.length) {
          const d = text[i] as string
          if (d === '"') {
            if (text[i + 1] === '"') {
              field += '"'
              i += 2
              continue
            }
            i++
            closed = true
            break
          }
          if (d === '\r' || d === '\n') {
            // A line break inside quotes belongs to the field, as written (CRLF stays CRLF).
            if (d === '\r' && text[i + 1] === '\n') {
              field += '\r\n'
              i += 2
            } else {
              field += d
              i++
            }
            line++
            continue
          }
          field += d
          i++
        }
        if (!closed) {
          return { records, fatal: { line: fieldLine, message: 'quoted field is not closed (a " without its closing ")' } }
        }
        // RFC 4180: the closing quote is followed by a comma or a line break. Keep what follows
        // (so the field count stays right) but mark the record as malformed.
        const after = readUnquoted(text, i)
        if (after.value !== '') {
          record.error ??= `field ${record.fields.length + 1}: text after the closing quote of a quoted field`
          field += after.value
        }
        i = after.end
      } else if (c === "'" && singleQuotedEnd(text, i) >= 0) {
        const end = singleQuotedEnd(text, i)
        field = text.slice(i + 1, end).replaceAll("''", "'")
        i = end + 1
      } else {
        const r = readUnquoted(text, i)
        field = r.value
        i = r.end
      }
      record.fields.push(field)
      field = ''
      const sep = text[i]
      if (sep === ',') {
        i++
        continue
      }
      // End of record: a line break (CRLF, LF or CR) or the end of the input.
      if (sep === '\r') i += text[i + 1] === '\n' ? 2 : 1
      else if (sep === '\n') i++
      line++
      break
    }
    records.push(record)
  }
  return { records }
}

/** Characters up to the next comma or line break. A quote inside an unquoted field is kept as is. */
function readUnquoted(text: string, start: number): { value: string; end: number } {
  let end = start
  while (end < text.length) {
    const c = text[end]
    if (c === ',' || c === '\r' || c === '\n') break
    end++
  }
  return { value: text.slice(start, end), end }
}

/**
 * Index of the quote closing the single-quoted field that opens at `start`, or -1 when there is
 * none on this line followed by a comma or the end of the line ('' is an escaped quote).
 */
function singleQuotedEnd(text: string, start: number): number {
  let j = start + 1
  while (j < text.length) {
    const c = text[j]
    if (c === '\r' || c === '\n') return -1
    if (c === "'") {
      if (text[j + 1] === "'") {
        j += 2
        continue
      }
      const next = text[j + 1]
      return next === undefined || next === ',' || next === '\r' || next === '\n' ? j : -1
    }
    j++
  }
  return -1
}

/** True for a record that is an empty line (one empty field): skipped, as most CSV readers do. */
export function isBlank(record: CsvRecord): boolean {
  return record.fields.length === 1 && record.fields[0] === ''
}
