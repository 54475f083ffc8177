// Kubernetes `Status` objects and the errors that carry them. Messages, reasons and details
// follow k8s.io/apimachinery/pkg/api/errors so that clients (and the operator's error handling)
// see exactly what a real API server sends.

export interface StatusCause {
  reason?: string
  message?: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, unknown>
  status: 'Failure' | 'Success'
  message?: string
  reason?: string
  details?: StatusDetails
  code: number
}

/** A group and a plural resource name, as in `apis.tollgate.dev` or `secrets`. */
export interface GroupResource {
  group: string
  resource: string
}

/** A group and a kind, as in `Api.tollgate.dev` or `Secret`. */
export interface GroupKind {
  group: string
  kind: string
}

export class ApiError extends Error {
  override name = 'ApiError'
  readonly status: Status
  constructor(status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`)
    this.status = status
  }
  get code(): number {
    return this.status.code
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }
  if (details) s.details = details
  return s
}

function grString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource
}

export function gkString(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind
}

function grDetails(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name }
  if (gr.group) d.group = gr.group
  d.kind = gr.resource
  return d
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(failure(404, 'NotFound', `${grString(gr)} "${name}" not found`, grDetails(gr, name)))
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(failure(409, 'AlreadyExists', `${grString(gr)} "${name}" already exists`, grDetails(gr, name)))
}

export const MODIFIED_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again'

export function conflict(gr: GroupResource, name: string, why: string = MODIFIED_MESSAGE): ApiError {
  return new ApiError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${grString(gr)} "${name}": ${why}`, grDetails(gr, name)))
}

/** One field error, rendered as apimachinery's field.Error. */
export interface FieldError {
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid' | 'FieldValueTooLong' | 'FieldValueDuplicate'
  field: string
  /** The bad value, shown in the message for Invalid/NotSupported/TypeInvalid. */
  value?: unknown
  /** The value exactly as Go's %#v would print it (e.g. `0x0`), when `value` would not render the same. */
  rawValue?: string
  detail: string
}

const TYPE_TEXT: Record<FieldError['type'], string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueForbidden: 'Forbidden',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueTooLong: 'Too long',
  FieldValueDuplicate: 'Duplicate value',
}

function renderValue(v: unknown): string {
  if (v === undefined) return ''
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v)
  return '"object"'
}

/** The text apimachinery's field.Error.ErrorBody() produces (without the field path). */
export function fieldErrorBody(e: FieldError): string {
  const text = TYPE_TEXT[e.type]
  const showsValue = e.type === 'FieldValueInvalid' || e.type === 'FieldValueNotSupported' || e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueDuplicate'
  let s = text
  if (showsValue && e.rawValue !== undefined) s += `: ${e.rawValue}`
  else if (showsValue && 'value' in e) s += `: ${renderValue(e.value)}`
  if (e.detail) s += `: ${e.detail}`
  return s
}

export function invalid(gk: GroupKind, name: string, errors: FieldError[]): ApiError {
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }))
  const parts = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`)
  const agg = parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`
  const details: StatusDetails = { name }
  if (gk.group) details.group = gk.group
  details.kind = gk.kind
  details.causes = causes
  return new ApiError(failure(422, 'Invalid', `${gkString(gk)} "${name}" is invalid: ${agg}`, details))
}

export function badRequest(message: string): ApiError {
  return new ApiError(failure(400, 'BadRequest', message))
}

export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  void contentType
  return new ApiError(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`))
}

export function methodNotAllowed(): ApiError {
  return new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'))
}

export function pathNotFound(): ApiError {
  return new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}))
}

export function expired(message: string): ApiError {
  return new ApiError(failure(410, 'Expired', message))
}

export function unauthorized(): ApiError {
  return new ApiError(failure(401, 'Unauthorized', 'Unauthorized'))
}

const DEFAULT_REASON: Record<number, [string, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'Unauthorized'],
  403: ['Forbidden', 'forbidden'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Expired', 'the resource version has expired'],
  413: ['RequestEntityTooLarge', 'the request entity is too large'],
  415: ['UnsupportedMediaType', 'the server was unable to handle the content type'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  500: ['InternalError', 'an error on the server ("") has prevented the request from succeeding'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
}

/** A Status for an arbitrary code, as NewGenericServerResponse builds it. */
export function statusForCode(code: number, reason?: string, message?: string, details?: StatusDetails): Status {
  const d = DEFAULT_REASON[code] ?? ['Unknown', `the server responded with the status code ${code} but did not return more information`]
  return failure(code, reason ?? d[0], message ?? d[1], details)
}
