// What an answer of the Lambda invoke API (POST /2015-03-31/functions/{name}/invocations) means,
// for everything the gateway invokes: Lambda authorizers (auth/lambda/invoke.ts) and function
// integrations (integrations/function/invoke.ts).
//
//   - 200 with the function's result (JSON): a result;
//   - a failed invocation: real Lambda and LocalStack answer with `X-Amz-Function-Error`
//     (Unhandled, Handled) and the error document; the runtime interface emulator of the AWS
//     base images answers a plain 200 carrying only the error document — Node's
//     {errorType, errorMessage, trace}, Python's {errorMessage, errorType, requestId,
//     stackTrace}, Java's and Go's alike. Both are a failed invocation here. A result is taken
//     for the emulator's error document when it is an object whose `errorMessage` is a string
//     and whose every key is one of those documents' keys, so a real result that merely
//     carries an errorMessage beside other fields stays a result;
//   - another status without `X-Amz-Function-Error` (404 no such function, 429 throttled, 5xx):
//     the invoke API refused the call;
//   - a 200 body that is not JSON: not a Lambda answer.
// Lambda's synchronous response payload is at most 6 MB; callers read at most that.

/** Lambda's synchronous response payload limit. */
export const MAX_RESULT_BYTES = 6 * 1024 * 1024

const ERROR_DOCUMENT_KEYS: ReadonlySet<string> = new Set(['errorMessage', 'errorType', 'trace', 'stackTrace', 'requestId', 'cause'])

export type Invocation =
  /** The function returned `value` (its JSON text is `text`). */
  | { readonly kind: 'result'; readonly value: unknown; readonly text: string }
  /** The function failed; `text` is the error document as received. */
  | { readonly kind: 'error'; readonly errorMessage: string | null; readonly errorType: string | null; readonly text: string }
  /** The invoke API answered `status` without flagging a function error. */
  | { readonly kind: 'refused'; readonly status: number }
  /** A 200 whose body is not JSON. */
  | { readonly kind: 'not-json' }

/** True for a value that is only an error document (what the runtime interface emulator sends for a failed invocation). */
export function isErrorDocument(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const v = value as Record<string, unknown>
  if (typeof v.errorMessage !== 'string') return false
  for (const key in v) if (!ERROR_DOCUMENT_KEYS.has(key)) return false
  return true
}

function failed(document: unknown, text: string): Invocation {
  if (document !== null && typeof document === 'object' && !Array.isArray(document)) {
    const d = document as Record<string, unknown>
    return {
      kind: 'error',
      errorMessage: typeof d.errorMessage === 'string' ? d.errorMessage : null,
      errorType: typeof d.errorType === 'string' ? d.errorType : null,
      text,
    }
  }
  return { kind: 'error', errorMessage: typeof document === 'string' ? document : null, errorType: null, text }
}

/** Reads one answer of the invoke API: its status, whether X-Amz-Function-Error was set, and its body. */
export function readInvocation(status: number, functionError: boolean, text: string): Invocation {
  if (status !== 200 && !functionError) return { kind: 'refused', status }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return functionError ? failed(text, text) : { kind: 'not-json' }
  }
  if (functionError || isErrorDocument(value)) return failed(value, text)
  return { kind: 'result', value, text }
}
