// The `format` values a model may use, checked as API Gateway's validator checks them: the
// draft 4 set (date-time, email, hostname, ipv4, ipv6, uri) plus regex, as the Java
// json-schema-validator behind API Gateway supports. Any other format is accepted unchecked
// (that validator only warns about unknown formats).
//
// One table for both sides: ajv checks with it (models.ts), the error string names the failure
// with the validator's message (explain.ts). The checks are ajv-formats' "full" ones, except
// `uri`, which accepts URI references (relative ones too), as java.net.URI does.
import type { Format } from 'ajv'
import { fullFormats } from 'ajv-formats/dist/formats.js'

export type FormatCheck = (value: string) => boolean

function check(format: Format): FormatCheck {
  if (format instanceof RegExp) return (value) => format.test(value)
  if (typeof format === 'function') return (value) => format(value) === true
  if (typeof format === 'object') {
    const validate = format.validate
    if (validate instanceof RegExp) return (value) => validate.test(value)
    if (typeof validate === 'function') return (value) => (validate as (v: string) => boolean)(value) === true
  }
  return () => true
}

/** Format name → check, and the json-schema-validator message when the check fails. */
export const FORMATS: ReadonlyMap<string, { readonly check: FormatCheck; readonly message: (value: string) => string }> = new Map([
  [
    'date-time',
    {
      check: check(fullFormats['date-time']),
      message: (v: string) => `string "${v}" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]`,
    },
  ],
  ['email', { check: check(fullFormats.email), message: (v: string) => `string "${v}" is not a valid email address` }],
  ['hostname', { check: check(fullFormats.hostname), message: (v: string) => `string "${v}" is not a valid hostname` }],
  ['ipv4', { check: check(fullFormats.ipv4), message: (v: string) => `string "${v}" is not a valid IPv4 address` }],
  ['ipv6', { check: check(fullFormats.ipv6), message: (v: string) => `string "${v}" is not a valid IPv6 address` }],
  ['uri', { check: check(fullFormats['uri-reference']), message: (v: string) => `string "${v}" is not a valid URI` }],
  ['regex', { check: isRegex, message: (v: string) => `string "${v}" is not a valid ECMA 262 regular expression` }],
])

function isRegex(value: string): boolean {
  try {
    new RegExp(value)
    return true
  } catch {
    return false
  }
}
