// The messages AWS answers SigV4 failures with (REST APIs; HTTP APIs answer their fixed bodies),
// as clients and SDKs print them. docs/authorization/iam.md lists them with their causes.

/** 20260101T120000Z: the ISO 8601 basic format of X-Amz-Date. */
export function basicDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')
}

export function incompleteAuthorization(missing: { credential: boolean; signature: boolean; signedHeaders: boolean; date: boolean }, header: string): string {
  let out = ''
  if (missing.credential) out += "Authorization header requires 'Credential' parameter. "
  if (missing.signature) out += "Authorization header requires 'Signature' parameter. "
  if (missing.signedHeaders) out += "Authorization header requires 'SignedHeaders' parameter. "
  if (missing.date) out += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
  return `${out}Authorization=${header}`
}

export const INCOMPLETE_QUERY =
  "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."

export const HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."

export const UNKNOWN_KEY = 'The security token included in the request is invalid.'

export function credentialElements(credential: string): string {
  return `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`
}

export function badDate(value: string): string {
  return `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`
}

/** Wrong region, service or terminator in the credential scope: AWS lists each, one sentence each. */
export function badScope(region: string | null, service: string | null, terminator: string | null): string {
  let out = ''
  if (region !== null) out += `Credential should be scoped to a valid region, not '${region}'. `
  if (service !== null) out += `Credential should be scoped to correct service: 'execute-api'. `
  if (terminator !== null) out += `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `
  return out
}

export function scopeDateMismatch(scopeDate: string, longDate: string): string {
  return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${longDate.slice(0, 8)}', from '${longDate}'.`
}

export function expired(longDate: string, nowMs: number, windowSeconds: number): string {
  const unit = windowSeconds % 60 === 0 ? `${windowSeconds / 60} min.` : `${windowSeconds} sec.`
  return `Signature expired: ${longDate} is now earlier than ${basicDate(nowMs - windowSeconds * 1000)} (${basicDate(nowMs)} - ${unit})`
}

export function notYetCurrent(longDate: string, nowMs: number, skewSeconds: number): string {
  return `Signature not yet current: ${longDate} is still later than ${basicDate(nowMs + skewSeconds * 1000)} (${basicDate(nowMs)} + ${skewSeconds / 60} min.)`
}

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/** AWS adds the canonical request and the string to sign it computed, so clients can compare. */
export function signatureMismatch(canonicalRequest: string, stringToSign: string): string {
  return `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonicalRequest}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`
}

export function notAuthorized(userArn: string, methodArn: string, explicit: boolean): string {
  return `User: ${userArn} is not authorized to perform: execute-api:Invoke on resource: ${methodArn}${explicit ? ' with an explicit deny' : ''}`
}
