// Java regular expressions (String.matches, replaceAll, replaceFirst, split) on V8.
//
// The common Java syntax maps onto JavaScript: leading inline flags ((?i), (?s), (?m)), POSIX
// classes (\p{Alpha}...), \A and \z, possessive quantifiers (run greedy) and atomic groups (run
// as plain groups). A hostile pattern must not hang the proxy: V8 is told to switch a regex
// that backtracks excessively to its linear-time engine, and the constructs that engine cannot
// run (backreferences, lookaround) are refused, so every template regex finishes in linear time.
import { setFlagsFromString } from 'node:v8'
import { JavaArray, TooLarge } from './values.js'

export class JavaRegexError extends Error {}

let linearFallback = false

/** Process-wide and idempotent: lets V8 finish runaway backtracking in linear time. */
export function enableLinearFallback(): void {
  if (linearFallback) return
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks')
  linearFallback = true
}

const POSIX: Readonly<Record<string, string>> = {
  Alpha: 'A-Za-z',
  Digit: '0-9',
  Alnum: 'A-Za-z0-9',
  Upper: 'A-Z',
  Lower: 'a-z',
  Punct: '!-\\/:-@\\[-`{-~',
  Space: ' \\t\\n\\x0B\\f\\r',
  XDigit: '0-9a-fA-F',
  Blank: ' \\t',
  ASCII: '\\x00-\\x7F',
}

const cache = new Map<string, RegExp>()

/** Compiles a Java pattern; `whole` anchors it (String.matches). Throws JavaRegexError. */
export function javaRegex(pattern: string, global: boolean, whole = false): RegExp {
  const key = `${global ? 'g' : '-'}${whole ? 'w' : '-'}${pattern}`
  const hit = cache.get(key)
  if (hit !== undefined) {
    hit.lastIndex = 0
    return hit
  }
  enableLinearFallback()
  let src = pattern
  let flags = global ? 'g' : ''
  const inline = /^\(\?([imsx]+)\)/.exec(src)
  if (inline !== null) {
    src = src.slice(inline[0].length)
    for (const f of inline[1]!) if (f !== 'x' && !flags.includes(f)) flags += f
  }
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(src)) throw new JavaRegexError(`regular expression ${JSON.stringify(pattern)}: backreferences and lookaround are not supported`)
  src = src
    .replace(/\\p\{(?:Is)?(\w+)\}/g, (m, name: string) => (POSIX[name] === undefined ? m : `[${POSIX[name]}]`))
    .replace(/\\P\{(?:Is)?(\w+)\}/g, (m, name: string) => (POSIX[name] === undefined ? m : `[^${POSIX[name]}]`))
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$')
    .replace(/([*+?}])\+/g, '$1')
    .replace(/\(\?>/g, '(?:')
  if (whole) src = `^(?:${src})$`
  let re: RegExp
  try {
    re = new RegExp(src, flags)
  } catch (err) {
    throw new JavaRegexError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`)
  }
  if (cache.size > 500) cache.clear()
  cache.set(key, re)
  return re
}

/** A Java replacement string ($n group references, \x escapes) as a replacer function. */
export function javaReplacement(replacement: string): (match: string, groups: readonly (string | undefined)[]) => string {
  const parts: (string | number)[] = []
  let lit = ''
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!
    if (c === '\\') {
      i++
      if (i >= replacement.length) throw new JavaRegexError('character to be escaped is missing')
      lit += replacement[i]
    } else if (c === '$') {
      const m = /^\d+/.exec(replacement.slice(i + 1))
      if (m === null) throw new JavaRegexError('illegal group reference')
      if (lit !== '') parts.push(lit)
      lit = ''
      parts.push(Number(m[0]))
      i += m[0].length
    } else lit += c
  }
  if (lit !== '') parts.push(lit)
  return (match, groups) => {
    let out = ''
    for (const p of parts) {
      if (typeof p === 'string') out += p
      else if (p === 0) out += match
      else {
        if (p > groups.length) throw new JavaRegexError(`No group ${p}`)
        out += groups[p - 1] ?? ''
      }
    }
    return out
  }
}

/** replaceAll / replaceFirst; throws TooLarge as soon as the result would pass maxChars. */
export function replaceRegex(s: string, pattern: string, replacement: string, all: boolean, maxChars: number): string {
  const re = javaRegex(pattern, all)
  const fn = javaReplacement(replacement)
  let size = s.length
  return s.replace(re, (match: string, ...rest: unknown[]) => {
    const groupCount = rest.length - 2 - (typeof rest[rest.length - 1] === 'object' ? 1 : 0)
    const out = fn(match, rest.slice(0, groupCount) as (string | undefined)[])
    size += out.length - match.length
    if (size > maxChars) throw new TooLarge(`string larger than ${maxChars} characters`)
    return out
  })
}

/** Java's String.split(regex, limit): no leading empty string for a zero-width match, trailing empties dropped when limit is 0. */
export function javaSplit(s: string, pattern: string, limit: number, maxItems: number): JavaArray {
  const re = javaRegex(pattern, true)
  const out = new JavaArray()
  let index = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(s)) !== null) {
    const empty = m[0].length === 0
    if (empty) {
      re.lastIndex++
      if (m.index === 0) continue
      if (m.index >= s.length) break
    }
    if (limit > 0 && out.length === limit - 1) break
    out.push(s.slice(index, m.index))
    if (out.length > maxItems) throw new TooLarge(`collection larger than ${maxItems} elements`)
    index = m.index + m[0].length
  }
  if (out.length === 0) {
    out.push(s)
    return out
  }
  out.push(s.slice(index))
  if (limit === 0) while (out.length > 0 && out[out.length - 1] === '') out.pop()
  return out
}
