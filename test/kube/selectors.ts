// Label and field selectors with the syntax and error messages of k8s.io/apimachinery's
// labels.Parse and fields.ParseSelector.
import { badRequest } from './status.js'

type LabelRequirement =
  | { op: 'exists' | '!'; key: string }
  | { op: '=' | '!='; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean

/** Splits at commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of s) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out
}

function parseLabelRequirement(raw: string, whole: string): LabelRequirement {
  const s = raw.trim()
  const setMatch = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(s)
  if (setMatch) {
    const values = setMatch[3]!.split(',').map((v) => v.trim()).filter((v, i, all) => v !== '' || all.length === 1)
    return { op: setMatch[2] as 'in' | 'notin', key: setMatch[1]!, values }
  }
  const eq = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(s)
  if (eq) return { op: eq[2] === '!=' ? '!=' : '=', key: eq[1]!, value: eq[3]! }
  const not = /^!\s*([^\s!=()]+)$/.exec(s)
  if (not) return { op: '!', key: not[1]! }
  if (/^[^\s!=()]+$/.test(s)) return { op: 'exists', key: s }
  throw badRequest(`unable to parse requirement: found '${s}', expected: identifier in selector "${whole}"`)
}

export function parseLabelSelector(selector: string | null | undefined): LabelSelector {
  if (selector === null || selector === undefined || selector.trim() === '') return () => true
  const reqs = splitTopLevel(selector).map((r) => parseLabelRequirement(r, selector))
  return (labels) => {
    const l = labels ?? {}
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(l, r.key)
      switch (r.op) {
        case 'exists':
          return has
        case '!':
          return !has
        case '=':
          return has && l[r.key] === r.value
        case '!=':
          return !has || l[r.key] !== r.value
        case 'in':
          return has && r.values.includes(l[r.key]!)
        case 'notin':
          return !has || !r.values.includes(l[r.key]!)
      }
    })
  }
}

export interface FieldRequirement {
  field: string
  op: '=' | '!='
  value: string
}

/** Parses a field selector; unsupported fields are rejected by the caller, which knows the resource. */
export function parseFieldSelector(selector: string | null | undefined): FieldRequirement[] {
  if (selector === null || selector === undefined || selector.trim() === '') return []
  return selector.split(',').map((raw) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw)
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${raw}'`)
    return { field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! }
  })
}
