// An access log format (a Stage's accessLogSettings.format) taken apart into literal text and
// $context variables, once: the compiler checks it with this (operator/compile/logging.ts) and
// the proxy builds its renderer from the same parts (access-log.ts). Pure: no I/O.
//
// As API Gateway: the format is one line (a newline is allowed only at its end), it names
// $context.requestId or $context.extendedRequestId, only $context variables are substituted
// (anything else, `$input` included, is literal text), and a variable without a value is
// logged as `-`. Unknown variable names are accepted and logged as `-` (the compiler warns).

/**
 * The $context variables of access logs (REST and HTTP APIs), as API Gateway documents them.
 * Families with a name part (authorizer.claims.NAME, authorizer.KEY, requestOverride.*,
 * responseOverride.*) are matched by prefix in `variableKind`.
 */
export const ACCESS_LOG_VARIABLES = [
  'accountId',
  'apiId',
  'authenticate.error',
  'authenticate.latency',
  'authenticate.status',
  'authorize.error',
  'authorize.latency',
  'authorize.status',
  'authorizer.error',
  'authorizer.integrationLatency',
  'authorizer.integrationStatus',
  'authorizer.latency',
  'authorizer.principalId',
  'authorizer.requestId',
  'authorizer.status',
  'awsEndpointRequestId',
  'awsEndpointRequestId2',
  'customDomain.basePathMatched',
  'customDomain.routingRuleIdMatched',
  'dataProcessed',
  'deploymentId',
  'domainName',
  'domainPrefix',
  'error.message',
  'error.messageString',
  'error.responseType',
  'error.validationErrorString',
  'extendedRequestId',
  'httpMethod',
  'identity.accessKey',
  'identity.accountId',
  'identity.apiKey',
  'identity.apiKeyId',
  'identity.caller',
  'identity.clientCert.clientCertPem',
  'identity.clientCert.issuerDN',
  'identity.clientCert.serialNumber',
  'identity.clientCert.subjectDN',
  'identity.clientCert.validity.notAfter',
  'identity.clientCert.validity.notBefore',
  'identity.cognitoAuthenticationProvider',
  'identity.cognitoAuthenticationType',
  'identity.cognitoIdentityId',
  'identity.cognitoIdentityPoolId',
  'identity.principalOrgId',
  'identity.sourceIp',
  'identity.user',
  'identity.userAgent',
  'identity.userArn',
  'identity.vpcId',
  'identity.vpceId',
  'integration.error',
  'integration.integrationStatus',
  'integration.latency',
  'integration.requestId',
  'integration.status',
  'integrationErrorMessage',
  'integrationLatency',
  'integrationStatus',
  'isCanaryRequest',
  'path',
  'protocol',
  'requestId',
  'requestTime',
  'requestTimeEpoch',
  'resourceId',
  'resourcePath',
  'responseLatency',
  'responseLength',
  'responseOverride.status',
  'routeKey',
  'stage',
  'status',
  'waf.error',
  'waf.latency',
  'waf.status',
  'wafResponseCode',
  'webaclArn',
  'xrayTraceId',
] as const
export type AccessLogVariable = (typeof ACCESS_LOG_VARIABLES)[number]

const KNOWN: ReadonlySet<string> = new Set(ACCESS_LOG_VARIABLES)

/** Families of variables with a name part: the prefix, and what the name is. */
const FAMILIES = ['authorizer.claims.', 'requestOverride.header.', 'requestOverride.path.', 'requestOverride.querystring.', 'responseOverride.header.'] as const

export type FormatPart =
  | { readonly kind: 'literal'; readonly text: string }
  /**
   * `name` is what follows `$context.`, e.g. "identity.sourceIp" or "authorizer.claims.email";
   * `quoted`: the variable stands inside a "..." of the format (a JSON string, a CLF field).
   */
  | { readonly kind: 'variable'; readonly name: string; readonly known: boolean; readonly quoted: boolean }

/**
 * How values are escaped, chosen from the format's first character: a format that starts with
 * `{` is JSON (values inside "..." JSON-escaped), one that starts with `<` XML (entities), else
 * text (CLF, CSV: `"` and `\` escaped inside "..."). Values outside quotes are written as they
 * are ($context.error.messageString is a JSON string literal), control characters excepted: in
 * every mode a value can never break the line.
 */
export type EscapeMode = 'json' | 'xml' | 'text'

export interface ParsedFormat {
  /** The format without its trailing newline. */
  readonly format: string
  readonly parts: readonly FormatPart[]
  readonly escape: EscapeMode
  /** Variable names that are not $context variables of access logs (each once, in order). */
  readonly unknown: readonly string[]
  /** A newline before the end (API Gateway refuses such a format). */
  readonly multiline: boolean
  /** Names neither $context.requestId nor $context.extendedRequestId (API Gateway refuses such a format). */
  readonly missingRequestId: boolean
}

// `$context.` then dotted name segments; a trailing dot (end of a sentence) is not part of it.
const VARIABLE = /\$context((?:\.[A-Za-z0-9_]+)+)/g

/** True for the names the proxy renders: known variables and the names of the families (authorizer.KEY included). */
export function isKnownVariable(name: string): boolean {
  if (KNOWN.has(name)) return true
  for (const prefix of FAMILIES) if (name.length > prefix.length && name.startsWith(prefix)) return true
  // $context.authorizer.KEY: a key of a Lambda authorizer's context.
  return name.startsWith('authorizer.') && name.length > 'authorizer.'.length && name !== 'authorizer.claims'
}

/** Whether the text after `text` is inside "...", given whether it started inside: each unescaped `"` toggles. */
function quoteStateAfter(text: string, quoted: boolean): boolean {
  for (let i = 0; i < text.length; i++) if (text[i] === '"' && text[i - 1] !== '\\') quoted = !quoted
  return quoted
}

export function parseAccessLogFormat(raw: string): ParsedFormat {
  const format = raw.replace(/\r?\n$/, '')
  const parts: FormatPart[] = []
  const unknown: string[] = []
  let ids = false
  let last = 0
  let quoted = false
  for (const m of format.matchAll(VARIABLE)) {
    if (m.index > last) {
      const text = format.slice(last, m.index)
      parts.push({ kind: 'literal', text })
      quoted = quoteStateAfter(text, quoted)
    }
    const name = m[1]!.slice(1)
    const known = isKnownVariable(name)
    if (!known && !unknown.includes(name)) unknown.push(name)
    if (name === 'requestId' || name === 'extendedRequestId') ids = true
    parts.push({ kind: 'variable', name, known, quoted })
    last = m.index + m[0].length
  }
  if (last < format.length) parts.push({ kind: 'literal', text: format.slice(last) })
  const first = format.trimStart()[0]
  return {
    format,
    parts,
    escape: first === '{' ? 'json' : first === '<' ? 'xml' : 'text',
    unknown,
    multiline: /[\r\n]/.test(format),
    missingRequestId: !ids,
  }
}
