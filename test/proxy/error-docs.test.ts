// docs/errors.md lists every gateway response type of the table, with its REST status.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { GATEWAY_RESPONSES, type ResponseType } from '../../proxy/gateway-responses.js'

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')

t.test('every response type is documented with its statuses', async (t) => {
  for (const [type, row] of Object.entries(GATEWAY_RESPONSES) as [ResponseType, (typeof GATEWAY_RESPONSES)[ResponseType]][]) {
    const line = doc.split('\n').find((l) => l.startsWith(`| \`${type}\``))
    t.ok(line, `${type} has a row in docs/errors.md`)
    if (line === undefined) continue
    t.match(line, new RegExp(`\\| ${row.rest.status} \\|`), `${type}: REST status ${row.rest.status}`)
    t.match(line, new RegExp(`\\| ${row.http.status} \\|`), `${type}: HTTP API status ${row.http.status}`)
  }
})

t.test('every coded error is documented', async (t) => {
  const source = readFileSync(new URL('../../proxy/errors.ts', import.meta.url), 'utf8')
  const codes = [...source.matchAll(/'(TG_ERR_[A-Z_]+)'/g)].map((m) => m[1]!)
  t.ok(codes.length > 5)
  for (const code of codes) t.match(doc, `\`${code}\``, `${code} is in docs/errors.md`)
})
