// IAM condition semantics of resource policies, through HTTP: absent keys with positive,
// negated and ...IfExists operators, case-insensitive matching, several keys and operators
// (AND) and several values (OR); and fail-safe evaluation of what the compiler would refuse,
// applied straight to a gateway: such an Allow never allows, such a Deny always denies.
import t from 'tap'
import type { ApiConfig } from '../../proxy/config/schema.js'
import { api, echoUpstream, gatewayConfig, integration, route, startGateway, type Upstream } from './helpers.js'

let up: Upstream
t.before(async () => {
  up = await echoUpstream()
})
t.teardown(() => up.close())

const stmt = (effect: 'Allow' | 'Deny', condition?: unknown) => ({
  Effect: effect,
  Principal: '*',
  Action: 'execute-api:Invoke',
  Resource: 'execute-api:/*',
  ...(condition !== undefined ? { Condition: condition } : {}),
})
const withPolicy = (id: string, ...statements: unknown[]): ApiConfig =>
  api(id, [route('GET /x', integration({ type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `${up.origin}/x` }))], { policy: { Statement: statements } })

t.test('conditions: absent keys, negation, IfExists, case, AND and OR', async (t) => {
  const cases: Array<[string, unknown, Record<string, string>, number]> = [
    // aws:Referer absent: positive → does not hold; negated → holds; IfExists → holds.
    ['refpos', { StringEquals: { 'aws:Referer': 'https://shop.example/' } }, {}, 403],
    ['refneg', { StringNotEquals: { 'aws:Referer': 'https://evil.example/' } }, {}, 200],
    ['refifexists', { StringEqualsIfExists: { 'aws:Referer': 'https://shop.example/' } }, {}, 200],
    ['refifexists2', { StringEqualsIfExists: { 'aws:Referer': 'https://shop.example/' } }, { referer: 'https://evil.example/' }, 403],
    ['refnull', { Null: { 'aws:Referer': 'true' } }, {}, 200],
    // Values OR'ed; IgnoreCase; keys case-insensitive.
    ['uaor', { StringEquals: { 'aws:UserAgent': ['curl/8', 'probe/1'] } }, { 'user-agent': 'probe/1' }, 200],
    ['uacase', { StringEqualsIgnoreCase: { 'AWS:USERAGENT': 'PROBE/1' } }, { 'user-agent': 'probe/1' }, 200],
    ['uaexact', { StringEquals: { 'aws:UserAgent': 'PROBE/1' } }, { 'user-agent': 'probe/1' }, 403],
    ['ualike', { StringLike: { 'aws:UserAgent': 'probe/*' } }, { 'user-agent': 'probe/1.2' }, 200],
    ['uanotlike', { StringNotLike: { 'aws:UserAgent': ['curl/*', 'probe/*'] } }, { 'user-agent': 'probe/1.2' }, 403],
    // Operators and keys AND'ed: the IP holds, the user agent does not.
    ['and', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' }, StringEquals: { 'aws:UserAgent': 'probe/1' } }, { 'user-agent': 'other' }, 403],
    ['and2', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' }, StringEquals: { 'aws:UserAgent': 'probe/1' } }, { 'user-agent': 'probe/1' }, 200],
    // Anonymous callers have no principal keys.
    ['principal', { StringLike: { 'aws:PrincipalArn': '*' } }, {}, 403],
    ['principalnull', { Null: { 'aws:PrincipalAccount': 'true' } }, {}, 200],
  ]
  const gw = await startGateway(gatewayConfig(cases.map(([id, condition]) => withPolicy(id, stmt('Allow', condition)))))
  t.teardown(() => gw.close())
  for (const [id, condition, headers, want] of cases) {
    const r = await gw.fetch(id, '/prod/x', { headers })
    t.equal(r.status, want, `${id}: ${JSON.stringify(condition)} with ${JSON.stringify(headers)}`)
  }
})

t.test('what the compiler refuses never allows at a proxy, and denies when in a Deny', async (t) => {
  const unknownOperator = { DateGreaterThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } }
  const vpce = { StringEquals: { 'aws:SourceVpce': 'vpce-1' } }
  const qualifier = { 'ForAnyValue:StringEquals': { 'aws:UserAgent': 'x' } }
  const gw = await startGateway(
    gatewayConfig([
      withPolicy('allowunknownop', stmt('Allow', unknownOperator)),
      withPolicy('allowvpce', stmt('Allow', vpce)),
      withPolicy('allowqualifier', stmt('Allow', qualifier)),
      withPolicy('denyunknownop', stmt('Allow'), stmt('Deny', unknownOperator)),
      withPolicy('denyvpce', stmt('Allow'), stmt('Deny', { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } })),
      withPolicy('denybadcidr', stmt('Allow'), stmt('Deny', { IpAddress: { 'aws:SourceIp': '10.0.0.0/99' } })),
      withPolicy('notprincipal', stmt('Allow'), { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }),
    ]),
  )
  t.teardown(() => gw.close())
  for (const id of ['allowunknownop', 'allowvpce', 'allowqualifier']) t.equal((await gw.fetch(id, '/prod/x')).status, 403, `${id}: an Allow it cannot evaluate does not allow`)
  for (const id of ['denyunknownop', 'denyvpce', 'denybadcidr', 'notprincipal']) {
    const r = await gw.fetch(id, '/prod/x')
    t.equal(r.status, 403, `${id}: a Deny it cannot evaluate applies`)
    t.match(r.text, /explicit deny/)
  }
})
