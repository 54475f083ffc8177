// context.authorizer.NAME and context.authorizer.claims.NAME in parameter mappings, read from
// what an authorizer left on the request (ctx.authorizer). Lambda authorizers are tested through
// HTTP in test/auth/lambda; here a fabricated AuthorizerResult stands for a verified JWT (claims)
// so the claims form is pinned for the JWT and Cognito authorizers.
import t from 'tap'
import type { AuthorizerResult } from '../auth/types.js'
import type { RequestContext } from '../context.js'
import { compileRequestMappings, compileResponseMappings, MappingError } from './mapping.js'
import { mapRequest, mapResponse } from './params.js'

function ctxWith(authorizer: AuthorizerResult | null): RequestContext {
  return { authorizer } as unknown as RequestContext
}

const jwt: AuthorizerResult = {
  principalId: 'user-123',
  context: {},
  claims: { sub: 'user-123', email: 'a@example.com', 'cognito:groups': ['admin', 'dev'], email_verified: true, exp: 1700000000 },
  scopes: ['pets:read'],
  latencyMs: 0,
}

t.test('claims: strings as they are, other values as JSON; absent claims left out', async (t) => {
  const mappings = compileRequestMappings(
    {
      'integration.request.header.x-sub': 'context.authorizer.claims.sub',
      'integration.request.header.x-email': 'context.authorizer.claims.email',
      'integration.request.header.x-groups': 'context.authorizer.claims.cognito:groups',
      'integration.request.header.x-verified': 'context.authorizer.claims.email_verified',
      'integration.request.querystring.exp': 'context.authorizer.claims.exp',
      'integration.request.header.x-none': 'context.authorizer.claims.nope',
      'integration.request.header.x-principal': 'context.authorizer.principalId',
    },
    {},
  )
  const mapped = mapRequest(mappings, ctxWith(jwt))
  t.same(mapped.headers, { 'x-sub': 'user-123', 'x-email': 'a@example.com', 'x-groups': '["admin","dev"]', 'x-verified': 'true', 'x-principal': 'user-123' })
  t.equal(mapped.query, 'exp=1700000000')
})

t.test('Lambda context keys, principalId and integrationLatency; nothing without an authorizer', async (t) => {
  const lambda: AuthorizerResult = { principalId: 'alice', context: { tenant: 't1', n: 2, ok: false }, claims: null, scopes: null, latencyMs: 12 }
  const mappings = compileRequestMappings(
    {
      'integration.request.header.x-tenant': 'context.authorizer.tenant',
      'integration.request.header.x-n': 'context.authorizer.n',
      'integration.request.header.x-ok': 'context.authorizer.ok',
      'integration.request.header.x-latency': 'context.authorizer.integrationLatency',
      'integration.request.header.x-claim': 'context.authorizer.claims.sub',
      'integration.request.header.x-proto': 'context.authorizer.toString',
    },
    {},
  )
  t.same(mapRequest(mappings, ctxWith(lambda)).headers, { 'x-tenant': 't1', 'x-n': '2', 'x-ok': 'false', 'x-latency': '12' }, 'no claims on a Lambda result; no prototype keys')
  t.same(mapRequest(mappings, ctxWith(null)).headers, {}, 'no authorizer: everything left out')
})

t.test('response mappings read the authorizer too', async (t) => {
  const mappings = compileResponseMappings({ 'method.response.header.X-User': 'context.authorizer.claims.email', 'method.response.header.X-P': 'context.authorizer.principalId' }, {})
  const out: Record<string, string | string[] | number> = {}
  mapResponse(mappings, ctxWith(jwt), {}, null, out)
  t.same(out, { 'x-user': 'a@example.com', 'x-p': 'user-123' })
})

t.test('malformed authorizer expressions are refused at build', async (t) => {
  for (const expr of ['context.authorizer.', 'context.authorizer.claims', 'context.authorizer.claims.']) {
    let caught: unknown = null
    try {
      compileRequestMappings({ 'integration.request.header.x': expr }, {})
    } catch (err) {
      caught = err
    }
    t.ok(caught instanceof MappingError, `${expr}: a MappingError`)
    t.match((caught as Error | null)?.message, /invalid mapping expression/)
  }
})
