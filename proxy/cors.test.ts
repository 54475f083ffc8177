// CorsPolicy details the end-to-end tests (test/proxy/cors-*.test.ts) do not pin down.
import t from 'tap'
import type { CorsConfig } from './config/schema.js'
import { applyCorsHeaders, CorsPolicy, varyWithOrigin } from './cors.js'

const config = (partial: Partial<CorsConfig> = {}): CorsConfig => ({
  allowOrigins: ['https://app.example.com'],
  allowMethods: [],
  allowHeaders: [],
  exposeHeaders: [],
  maxAge: null,
  allowCredentials: false,
  ...partial,
})

t.test('origins match case-insensitively and are reflected as sent', async (t) => {
  const policy = new CorsPolicy(config(), 'HTTP')
  t.same(policy.actual('https://APP.example.com').list, ['access-control-allow-origin', 'https://APP.example.com'])
  t.same(policy.actual('https://app.example.com:8443').list, [], 'another port is another origin')
  t.same(policy.actual('null').list, [], 'an opaque origin matches nothing unless listed')
  t.equal(policy.actual(undefined).vary, true)
})

t.test("'*' with credentials (never compiled, but possible in a hand-made config) still reflects", async (t) => {
  const policy = new CorsPolicy(config({ allowOrigins: ['*'], allowCredentials: true }), 'HTTP')
  t.same(policy.actual('https://x.example').list, [], "only listed origins: '*' does not count with credentials")
})

t.test('which headers a policy replaces', async (t) => {
  const http = new CorsPolicy(config(), 'HTTP').actual('https://app.example.com')
  t.ok(http.drops('access-control-allow-methods'), 'HTTP APIs: every Access-Control-* of the backend')
  const rest = new CorsPolicy(config(), 'REST').actual('https://app.example.com')
  t.notOk(rest.drops('access-control-allow-methods'), "REST: an OPTIONS route's Allow-Methods passes")
  t.ok(rest.drops('access-control-allow-origin'))
  const headers: Record<string, string | string[] | number> = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET', Vary: 'Accept' }
  applyCorsHeaders(headers, rest)
  t.same(headers, { 'Access-Control-Allow-Methods': 'GET', 'access-control-allow-origin': 'https://app.example.com', vary: 'Accept, Origin' })
})

t.test('Vary merging', async (t) => {
  t.equal(varyWithOrigin(undefined), 'Origin')
  t.equal(varyWithOrigin('Accept-Encoding'), 'Accept-Encoding, Origin')
  t.equal(varyWithOrigin('origin, accept'), 'origin, accept', 'already there')
  t.equal(varyWithOrigin('*'), '*', '* already varies on everything')
})
