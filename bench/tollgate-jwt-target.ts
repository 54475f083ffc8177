// Tollgate under benchmark with a JWT-protected route: the same REST API and HTTP_PROXY route as
// tollgate-target.ts, with authorizationType COGNITO_USER_POOLS (the JWT verifier and token cache
// JWT authorizers of HTTP APIs use too). The issuer's key set is served from this process on a
// port of its own (fetched once); the token, minted here with jose, is sent to the parent with
// the port, and the load generator sends it on every request: what is measured is the hot path
// of a token seen before (one cache lookup), after the first request verified it.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createGateway } from '../proxy/gateway.js'
import { benchApi } from './bench-api.js'
import { numberArg } from './child.js'

const upstream = numberArg('upstream')
const { privateKey, publicKey } = await generateKeyPair('RS256')
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' }
const jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })))
await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()))
const issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`
const token = await new SignJWT({ token_use: 'id', sub: 'bench-user', aud: 'bench-client' })
  .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
  .setIssuer(issuer)
  .setIssuedAt()
  .setExpirationTime('24h')
  .sign(privateKey)

const config = benchApi(upstream, {
  resources: [{ apiVersion: 'tollgate.dev/v1alpha1', kind: 'Authorizer', metadata: { name: 'bench-pool', namespace: 'default' }, spec: { type: 'COGNITO_USER_POOLS', issuer } }],
  route: { authorizationType: 'COGNITO_USER_POOLS', authorizerRef: { name: 'bench-pool' } },
})
const gateway = createGateway()
gateway.apply(config)
const { port } = await gateway.listen(0, '127.0.0.1')
process.send?.({ port, headers: { authorization: `Bearer ${token}` } })
process.on('message', (m) => {
  if (m === 'stop') process.exit(0)
})
