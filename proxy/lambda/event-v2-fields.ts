// Fields of a payload format 2.0 event that HTTP API Lambda authorizers (auth/lambda/event.ts)
// and AWS_PROXY integrations (integrations/function/event-v2.ts) build alike: headers with
// repeated values comma-joined and lower-case names, `cookies` split out of Cookie headers, and
// query parameters with repeated values comma-joined.

/** `pairs`: header names and values alternating (Node's rawHeaders shape). */
export function v2Headers(pairs: readonly string[]): { headers: Record<string, string>; cookies: string[] | undefined } {
  const headers: Record<string, string> = {}
  let cookies: string[] | undefined
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i]!.toLowerCase()
    const value = pairs[i + 1]!
    if (name === 'cookie') {
      for (const c of value.split(';')) {
        const t = c.trim()
        if (t !== '') (cookies ??= []).push(t)
      }
      continue
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`
  }
  return { headers, cookies }
}

/** queryStringParameters of a 2.0 event; undefined without a query string. */
export function v2Query(rawQuery: string): Record<string, string> | undefined {
  if (rawQuery === '') return undefined
  const query: Record<string, string> = {}
  for (const [k, v] of new URLSearchParams(rawQuery)) query[k] = query[k] === undefined ? v : `${query[k]},${v}`
  return query
}
