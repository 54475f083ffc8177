// The access log format parser shared by the compiler and the proxy: literal text and $context
// variables, API Gateway's two refusals (a newline before the end, no request id), unknown names.
import t from 'tap'
import { isKnownVariable, parseAccessLogFormat } from './access-log-format.js'

t.test('literal text and variables, in order', async (t) => {
  const parsed = parseAccessLogFormat('[$context.requestTime] "$context.httpMethod" $context.status.\n')
  t.equal(parsed.format, '[$context.requestTime] "$context.httpMethod" $context.status.')
  t.same(parsed.parts, [
    { kind: 'literal', text: '[' },
    { kind: 'variable', name: 'requestTime', known: true, quoted: false },
    { kind: 'literal', text: '] "' },
    { kind: 'variable', name: 'httpMethod', known: true, quoted: true },
    { kind: 'literal', text: '" ' },
    { kind: 'variable', name: 'status', known: true, quoted: false },
    { kind: 'literal', text: '.' },
  ])
  t.equal(parsed.multiline, false, 'a trailing newline is allowed')
  t.equal(parsed.missingRequestId, true)
  t.equal(parsed.escape, 'text')
})

t.test("API Gateway's refusals", async (t) => {
  t.equal(parseAccessLogFormat('$context.requestId\n$context.status').multiline, true)
  t.equal(parseAccessLogFormat('$context.requestId\r\n').multiline, false)
  t.equal(parseAccessLogFormat('$context.extendedRequestId').missingRequestId, false)
  t.equal(parseAccessLogFormat('$context.requestIds $context.status').missingRequestId, true, 'a longer name is not the request id')
})

t.test('unknown names, families, and text that only looks like a variable', async (t) => {
  const parsed = parseAccessLogFormat('$context.requestId $context.nope $context.nope $context.authorizer.claims.email $context.authorizer.tenant $input.body $context')
  t.same(parsed.unknown, ['nope'])
  t.ok(isKnownVariable('authorizer.claims.email'))
  t.ok(isKnownVariable('authorizer.tenant'), 'a Lambda authorizer context key')
  t.notOk(isKnownVariable('authorizer.claims'), 'the claims object itself is not a value')
  t.same(
    parsed.parts.filter((p) => p.kind === 'literal').map((p) => (p as { text: string }).text),
    [' ', ' ', ' ', ' ', ' $input.body $context'],
  )
})

t.test('variables inside "..." are quoted; an escaped quote does not count', async (t) => {
  const parsed = parseAccessLogFormat('{"id":"$context.requestId","n":$context.status,"m":"a \\" $context.stage"}')
  const quoted = parsed.parts.flatMap((p) => (p.kind === 'variable' ? [[p.name, p.quoted]] : []))
  t.same(quoted, [
    ['requestId', true],
    ['status', false],
    ['stage', true],
  ])
})

t.test('the escaping follows the first character', async (t) => {
  t.equal(parseAccessLogFormat(' {"id":"$context.requestId"}').escape, 'json')
  t.equal(parseAccessLogFormat('<r id="$context.requestId"/>').escape, 'xml')
  t.equal(parseAccessLogFormat('$context.requestId,$context.status').escape, 'text')
})
