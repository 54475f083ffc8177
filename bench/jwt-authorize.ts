// In-process micro-benchmark of the authorize stage of a JWT-protected route: the handler the
// real build() makes for a COGNITO_USER_POOLS route (the same verifier and token cache as JWT
// routes of HTTP APIs), called on a request context stub. Measures the hot path (a token seen
// before: a cache hit) and, for scale, a full verification (RS256 signature) per call, in CPU
// time of this process. Unlike `npm run bench`, which measures throughput of whole processes,
// this isolates the stage's own cost and is little disturbed by other load on the machine.
//
//   npm run build && node dist/bench/jwt-authorize.js
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { compile } from '../operator/compile/index.js'
import { JwtKeyStore } from '../proxy/auth/jwt/keys.js'
import type { RequestContext } from '../proxy/context.js'
import { compileIntegration } from '../proxy/integrations/compile.js'
import { buildMeteringIndex } from '../proxy/metering/index.js'
import { authorize as authorizeStage } from '../proxy/pipeline/authorize.js'
import { asPromise, type Handler } from '../proxy/pipeline/types.js'

const { privateKey, publicKey } = await generateKeyPair('RS256')
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' }
const jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })))
await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()))
const issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`
const mint = (jti: string) =>
  new SignJWT({ token_use: 'id', sub: 'bench-user', aud: 'bench-client', email: 'bench@example.com', jti })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey)

const { config } = compile(
  [
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Authorizer', metadata: { name: 'pool' }, spec: { type: 'COGNITO_USER_POOLS', issuer } },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'bench' },
      spec: {
        apiId: 'bench',
        routes: [{ path: '/pets', method: 'GET', authorizationType: 'COGNITO_USER_POOLS', authorizerRef: { name: 'pool' }, integration: { type: 'MOCK' } }],
      },
    },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'bench' } } },
  ],
  { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } },
)
// The authorize stage's handler for the route, built as build() builds it.
const api = config.apis[0]!
const stage = api.stages[0]!
const route = api.revisions[0]!.routes[0]!
const authorize = authorizeStage.build({
  api,
  stage,
  route,
  integration: compileIntegration(api, stage, route),
  metering: buildMeteringIndex(config),
  gateway: config,
  jwtKeys: new JwtKeyStore(),
})!

function context(authorization: string): RequestContext {
  // Only what the authorize stage reads: the header, the request time, and where it writes.
  const headers: Record<string, string> = { authorization }
  return {
    startedAt: Date.now(),
    authorizer: null,
    header: (name: string) => headers[name],
    res: { setHeader: () => undefined },
  } as unknown as RequestContext
}

type Stage = Handler
// What the loop itself costs (the context stub, the header copy), subtracted from the figures.
const baseline: Stage = (ctx) => {
  ctx.authorizer = ctx.header('authorization') === '' ? null : ({} as RequestContext['authorizer'])
}

async function run(label: string, n: number, value: (i: number) => string, handler: Stage = authorize): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const ctx = context(value(i))
    const pending = handler(ctx)
    if (pending !== undefined) await asPromise(pending)
    if (ctx.authorizer === null) throw new Error('not authorized')
  }
  const used = process.cpuUsage(start)
  const us = (used.user + used.system) / n
  console.log(`${label.padEnd(44)} ${us.toFixed(3)} µs CPU/request (${n} requests)`)
  return us
}

const token = `Bearer ${await mint('hot')}`
// Header values arrive as new flat strings on every request (node:http decodes them from the
// socket's bytes): make one per request the same way, so V8's cached hash is never reused.
const bytes = Buffer.from(token, 'latin1')
const fresh = (_: string) => bytes.toString('latin1')
await run('first request (fetch keys, verify)', 1, () => token)
await run('warm-up', 200_000, () => fresh(token))
const loop = await run('loop and stub only (subtracted below)', 1_000_000, () => fresh(token), baseline)
const hit = (await run('cached token (hot path), with the loop', 1_000_000, () => fresh(token))) - loop
console.log(`${'cached token (hot path), stage only'.padEnd(44)} ${hit.toFixed(3)} µs CPU/request`)
const tokens = await Promise.all(Array.from({ length: 2000 }, (_, i) => mint(`t${i}`)))
const miss = await run('new token each time (RS256 verification)', tokens.length, (i) => `Bearer ${tokens[i]!}`)
console.log(`\nverification / cache hit: ${(miss / hit).toFixed(0)}x`)
jwks.close()
