// AWS_IAM through HTTP, served the way `tollgate run` serves files: identities from Secrets,
// requests signed by the AWS SDK's own signer (@smithy/signature-v4 with @aws-crypto/sha256-js)
// in the Authorization header and presigned, every refusal with AWS's status, error type and
// message, identity policies and the Api's resource policy combined, and $context.identity
// reaching a backend through a parameter mapping.
import { Readable } from 'node:stream'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import type { HttpRequest } from '@smithy/types'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { manifestDir, startServer } from '../helpers/servers.js'
import { principalId } from '../../proxy/auth/sigv4/identities.js'

const ALICE = { accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret-0123456789abcdefghijklmnop' }
const BOB = { accessKeyId: 'AKIABOB00000000000002', secretAccessKey: 'bob-secret-0123456789abcdefghijklmnopq' }
const ALICE_ARN = 'arn:aws:iam::000000000000:user/alice'
const BOB_ARN = 'arn:aws:iam::000000000000:user/bob'
const ARN = 'arn:aws:execute-api:us-east-1:000000000000:shop/prod'
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

interface Seen {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

function manifests(backend: string): string {
  const http = (path: string, method = 'GET') =>
    `{type: HTTP, httpMethod: ${method}, uri: '${backend}${path}', requestParameters: {integration.request.header.x-user-arn: context.identity.userArn, integration.request.header.x-access-key: context.identity.accessKey, integration.request.header.x-caller: context.identity.caller, integration.request.header.x-account: context.identity.accountId}, responses: [{statusCode: '200'}]}`
  return `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  policy:
    Version: '2012-10-17'
    Statement:
      - {Effect: Allow, Principal: {AWS: '${BOB_ARN}'}, Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:shop/prod/GET/reports'}
      - {Effect: Deny, Principal: '*', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:shop/prod/GET/locked'}
      # API Gateway's shorthand: execute-api:/ stands for this API's ARN.
      - {Effect: Allow, Principal: {AWS: '${BOB_ARN}'}, Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/summary'}
      # The NONE route: with a resource policy, anonymous callers need an explicit Allow.
      - {Effect: Allow, Principal: '*', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:shop/prod/GET/open'}
  routes:
    - {path: /pets, method: GET, authorizationType: AWS_IAM, integration: ${http('/pets')}}
    - {path: /pets, method: POST, authorizationType: AWS_IAM, integration: ${http('/pets', 'POST')}}
    - {path: '/pets/{id}', method: GET, authorizationType: AWS_IAM, integration: ${http('/pets/{id}')}}
    - {path: '/pets/{id}', method: DELETE, authorizationType: AWS_IAM, integration: ${http('/pets/{id}', 'DELETE')}}
    - {path: /admin, method: GET, authorizationType: AWS_IAM, integration: ${http('/admin')}}
    - {path: /reports, method: GET, authorizationType: AWS_IAM, integration: ${http('/reports')}}
    - {path: /locked, method: GET, authorizationType: AWS_IAM, integration: ${http('/locked')}}
    - {path: /summary, method: GET, authorizationType: AWS_IAM, integration: ${http('/summary')}}
    - {path: /open, method: GET, integration: ${http('/open')}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec: {apiRef: {name: shop}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: web}
spec:
  apiId: web
  protocol: HTTP
  routes:
    - {path: /hello, method: GET, authorizationType: AWS_IAM, integration: {type: HTTP_PROXY, httpMethod: GET, uri: '${backend}/hello'}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: web-prod}
spec: {apiRef: {name: web}, stageName: prod}
---
apiVersion: v1
kind: Secret
metadata: {name: alice, labels: {tollgate.dev/secret: 'true', tollgate.dev/iam-identity: 'true'}}
stringData:
  accessKeyId: ${ALICE.accessKeyId}
  secretAccessKey: ${ALICE.secretAccessKey}
  policy: |
    {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:000000000000:shop/prod/GET/*"},
      {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:000000000000:shop/prod/POST/pets"},
      {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:000000000000:web/*"}
    ]}
  policy.no-admin: |
    {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "execute-api:*", "Resource": "arn:aws:execute-api:*:*:*/*/*/admin"}}
---
apiVersion: v1
kind: Secret
metadata: {name: bob, labels: {tollgate.dev/secret: 'true', tollgate.dev/iam-identity: 'true'}}
data:
  accessKeyId: ${Buffer.from(BOB.accessKeyId).toString('base64')}
  secretAccessKey: ${Buffer.from(BOB.secretAccessKey).toString('base64')}
---
apiVersion: v1
kind: Secret
metadata: {name: broken, labels: {tollgate.dev/iam-identity: 'true'}}
stringData:
  accessKeyId: AKIABROKEN000000003
  secretAccessKey: broken-secret-0123456789abcdefghijklm
  policy: '{"Statement": [{"Effect": "Maybe", "Action": "execute-api:Invoke", "Resource": "*"}]}'
`
}

let backend: { port: number; close(): Promise<void> }
const seen: Seen[] = []
t.before(async () => {
  backend = await startServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() })
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('backend ok')
    })
  })
})
t.teardown(() => backend.close())

let s: Standalone
const logs: string[] = []
t.before(async () => {
  const dir = manifestDir({ 'shop.yaml': manifests(`http://127.0.0.1:${backend.port}`) })
  s = await startStandalone({ files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 }, (line) => logs.push(line))
})
t.teardown(() => s.close())

interface Reply {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

function host(): string {
  return `shop.execute-api.localhost:${s.port}`
}

function signer(creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region = 'us-east-1', service = 'execute-api'): SignatureV4 {
  return new SignatureV4({ credentials: creds, region, service, sha256: Sha256 })
}

interface Unsigned {
  method?: string
  path: string
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: string
}

function toRequest(u: Unsigned): HttpRequest {
  return {
    method: u.method ?? 'GET',
    protocol: 'http:',
    hostname: 'shop.execute-api.localhost',
    port: s.port,
    path: u.path,
    query: u.query ?? {},
    headers: { host: host(), ...(u.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(u.headers ?? {}) },
    ...(u.body !== undefined ? { body: u.body } : {}),
  }
}

function queryString(query: HttpRequest['query']): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(one ?? '')}`)
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

async function send(signed: HttpRequest, changes: Partial<{ path: string; query: string; headers: Record<string, string>; body: string }> = {}): Promise<Reply> {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v)
  Object.assign(headers, changes.headers ?? {})
  const body = changes.body ?? (signed.body as string | undefined)
  const url = `http://127.0.0.1:${s.port}${changes.path ?? signed.path}${changes.query ?? queryString(signed.query)}`
  const r = await request(url, { method: signed.method as 'GET', headers, body })
  return { status: r.statusCode, body: await r.body.text(), headers: r.headers }
}

async function signAndSend(creds: typeof ALICE, u: Unsigned, opts: { signingDate?: Date } = {}): Promise<Reply> {
  return send(await signer(creds).sign(toRequest(u), opts))
}

function message(r: Reply): string {
  return (JSON.parse(r.body) as { message: string }).message
}

function refused(t: Test, r: Reply, errorType: string, expected: string | RegExp, what: string): void {
  t.equal(r.status, 403, `${what}: 403`)
  t.equal(r.headers['x-amzn-errortype'], errorType, `${what}: ${errorType}`)
  if (typeof expected === 'string') t.equal(message(r), expected, `${what}: AWS's message`)
  else t.match(message(r), expected, `${what}: AWS's message`)
}

t.test('the manifests apply; the identity Secret with a bad policy is reported by Secret and field, and left out', async (t) => {
  const text = logs.join('\n')
  t.match(text, /shop\.yaml:\d+: Secret default\/broken: data\.policy: InvalidPolicy: Statement\[0\]\.Effect must be Allow or Deny/)
  t.match(text, /warning: Secret default\/bob: data\.policy: NoIdentityPolicy: /, 'an identity without policy is worth a warning')
  t.notMatch(text, /Secret default\/alice/, 'alice has no problems')
  t.notMatch(text, new RegExp(ALICE.secretAccessKey), 'no secret in the log')
  const r = await signAndSend({ accessKeyId: 'AKIABROKEN000000003', secretAccessKey: 'broken-secret-0123456789abcdefghijklm' }, { path: '/prod/pets' })
  refused(t, r, 'UnrecognizedClientException', 'The security token included in the request is invalid.', 'the broken identity is not in effect')
})

t.test('signed in the Authorization header: passes, and $context.identity reaches the backend', async (t) => {
  seen.length = 0
  const r = await signAndSend(ALICE, { path: '/prod/pets', query: { color: 'red dark', 'a b': 'x/y' } })
  t.equal(r.status, 200, r.body)
  t.equal(r.body, 'backend ok')
  t.equal(seen.length, 1)
  t.equal(seen[0]!.headers['x-user-arn'], ALICE_ARN)
  t.equal(seen[0]!.headers['x-access-key'], ALICE.accessKeyId)
  t.equal(seen[0]!.headers['x-account'], '000000000000')
  t.equal(seen[0]!.headers['x-caller'], principalId(ALICE_ARN))
  t.match(seen[0]!.headers['x-caller'], /^AIDA[0-9A-F]{17}$/)
})

t.test('a percent-encoded path is verified as the client signed it (the raw path, stage included)', async (t) => {
  seen.length = 0
  const r = await signAndSend(ALICE, { path: '/prod/pets/tom%20cat' })
  t.equal(r.status, 200, r.body)
  t.equal(seen[0]!.url, '/pets/tom%20cat')
})

t.test('presigned URL: passes; expired or tampered: refused', async (t) => {
  const presigned = await signer(ALICE).presign(toRequest({ path: '/prod/pets/1' }), { expiresIn: 60 })
  t.ok(presigned.query?.['X-Amz-Signature'], 'the SDK put the signature in the query')
  t.notOk(presigned.headers.authorization, 'no Authorization header')
  t.equal((await send(presigned)).status, 200)

  const old = await signer(ALICE).presign(toRequest({ path: '/prod/pets/1' }), { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) })
  const r = await send(old)
  refused(t, r, 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 1 min\.\)$/, 'an expired presigned URL')

  const other = await signer(ALICE).presign(toRequest({ path: '/prod/pets/1' }), { expiresIn: 60 })
  refused(t, await send(other, { path: '/prod/pets/2' }), 'InvalidSignatureException', /^The request signature we calculated does not match/, 'presigned, another path')
})

t.test('a signed body is verified and reaches the backend unchanged (Content-Length and chunked)', async (t) => {
  seen.length = 0
  const body = JSON.stringify({ name: 'rex', tags: ['a', 'b'] })
  const r = await signAndSend(ALICE, { method: 'POST', path: '/prod/pets', body })
  t.equal(r.status, 200, r.body)
  t.equal(seen[0]!.body, body)

  seen.length = 0
  const signed = await signer(ALICE).sign(toRequest({ method: 'POST', path: '/prod/pets', body }))
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v)
  const chunked = await request(`http://127.0.0.1:${s.port}/prod/pets`, {
    method: 'POST',
    headers,
    body: Readable.from([Buffer.from(body.slice(0, 5)), Buffer.from(body.slice(5))]),
  })
  t.equal(chunked.statusCode, 200, await chunked.body.text())
  t.equal(seen[0]!.headers['transfer-encoding'], 'chunked', 'sent chunked')
  t.equal(seen[0]!.body, body, 'the chunked body was read once, hashed and forwarded')
})

t.test('tampered requests: header, path, query, body, method → 403 InvalidSignatureException with AWS message', async (t) => {
  const signed = await signer(ALICE).sign(toRequest({ path: '/prod/pets', query: { q: '1' }, headers: { 'x-custom': 'a' } }))
  t.equal((await send(signed)).status, 200, 'untouched: passes')
  for (const [what, changes] of [
    ['a signed header', { headers: { 'x-custom': 'b' } }],
    ['the path', { path: '/prod/pets/1' }],
    ['the query', { query: '?q=2' }],
  ] as const) {
    const r = await send(signed, changes)
    refused(t, r, 'InvalidSignatureException', new RegExp(`^${MISMATCH.replace(/\./g, '\\.')}\\n\\nThe Canonical String for this request should have been\\n'`), what)
    t.notMatch(r.body, ALICE.secretAccessKey, `${what}: no secret in the answer`)
  }
  const post = await signer(ALICE).sign(toRequest({ method: 'POST', path: '/prod/pets', body: '{"a":1}' }))
  refused(t, await send(post, { body: '{"a":2}' }), 'InvalidSignatureException', /^The request signature we calculated does not match/, 'the body')
})

t.test('wrong secret, unknown key, session token, wrong region → AWS answers', async (t) => {
  refused(t, await signAndSend({ ...ALICE, secretAccessKey: 'not-the-secret-0123456789abcdefghijkl' }, { path: '/prod/pets' }), 'InvalidSignatureException', /^The request signature we calculated/, 'wrong secret')
  refused(t, await signAndSend({ accessKeyId: 'AKIANOBODY000000000', secretAccessKey: ALICE.secretAccessKey }, { path: '/prod/pets' }), 'UnrecognizedClientException', 'The security token included in the request is invalid.', 'unknown key')
  const withToken = await signer({ ...ALICE, sessionToken: 'FwoGZXIvYXdzEBYaDH' }).sign(toRequest({ path: '/prod/pets' }))
  t.ok(withToken.headers['x-amz-security-token'], 'the SDK sent the session token')
  refused(t, await send(withToken), 'UnrecognizedClientException', 'The security token included in the request is invalid.', 'a session token')
  const otherRegion = await signer(ALICE, 'eu-west-1').sign(toRequest({ path: '/prod/pets' }))
  refused(t, await send(otherRegion), 'InvalidSignatureException', "Credential should be scoped to a valid region, not 'eu-west-1'. ", 'another region')
  const otherService = await signer(ALICE, 'us-east-1', 'lambda').sign(toRequest({ path: '/prod/pets' }))
  refused(t, await send(otherService), 'InvalidSignatureException', "Credential should be scoped to correct service: 'execute-api'. ", 'another service')
})

t.test('outside the 5-minute clock skew → Signature expired / not yet current', async (t) => {
  const past = await signAndSend(ALICE, { path: '/prod/pets' }, { signingDate: new Date(Date.now() - 6 * 60_000) })
  refused(t, past, 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/, '6 minutes old')
  const future = await signAndSend(ALICE, { path: '/prod/pets' }, { signingDate: new Date(Date.now() + 6 * 60_000) })
  refused(t, future, 'InvalidSignatureException', /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/, '6 minutes ahead')
  const recent = await signAndSend(ALICE, { path: '/prod/pets' }, { signingDate: new Date(Date.now() - 4 * 60_000) })
  t.equal(recent.status, 200, '4 minutes old: within the skew')
})

t.test('no signature, or not a SigV4 one → Missing Authentication Token / IncompleteSignatureException', async (t) => {
  const none = await request(`http://127.0.0.1:${s.port}/prod/pets`, { headers: { host: host() } })
  const r = { status: none.statusCode, body: await none.body.text(), headers: none.headers }
  refused(t, r, 'MissingAuthenticationTokenException', 'Missing Authentication Token', 'no signature')
  t.equal(r.body, '{"message":"Missing Authentication Token"}')
  const bearer = await request(`http://127.0.0.1:${s.port}/prod/pets`, { headers: { host: host(), authorization: 'Bearer abc' } })
  refused(
    t,
    { status: bearer.statusCode, body: await bearer.body.text(), headers: bearer.headers },
    'IncompleteSignatureException',
    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc",
    'a bearer token',
  )
  const open = await request(`http://127.0.0.1:${s.port}/prod/open`, { headers: { host: host() } })
  t.equal(open.statusCode, 200, 'a NONE route needs no signature')
  await open.body.text()
})

t.test('identity policies: allow per method and path, implicit deny, explicit Deny wins', async (t) => {
  t.equal((await signAndSend(ALICE, { path: '/prod/pets/7' })).status, 200, 'GET /pets/7: allowed by GET/*')
  const del = await signAndSend(ALICE, { method: 'DELETE', path: '/prod/pets/7' })
  refused(t, del, 'AccessDeniedException', `User: ${ALICE_ARN} is not authorized to perform: execute-api:Invoke on resource: ${ARN}/DELETE/pets/7`, 'DELETE: no statement allows it')
  const admin = await signAndSend(ALICE, { path: '/prod/admin' })
  refused(t, admin, 'AccessDeniedException', `User: ${ALICE_ARN} is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/admin with an explicit deny`, 'GET /admin: explicit Deny beats GET/*')
})

t.test('resource policy combined with identity policies (same account: either allows, no explicit deny)', async (t) => {
  seen.length = 0
  const reports = await signAndSend(BOB, { path: '/prod/reports' })
  t.equal(reports.status, 200, 'bob has no identity policy; the resource policy allows him /reports')
  t.equal(seen[0]!.headers['x-user-arn'], BOB_ARN)
  t.equal((await signAndSend(BOB, { path: '/prod/summary' })).status, 200, 'the execute-api:/ shorthand allows bob /summary on an AWS_IAM route')
  refused(t, await signAndSend(BOB, { path: '/prod/pets' }), 'AccessDeniedException', `User: ${BOB_ARN} is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/pets`, 'bob elsewhere')
  refused(
    t,
    await signAndSend(ALICE, { path: '/prod/locked' }),
    'AccessDeniedException',
    `User: ${ALICE_ARN} is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/locked with an explicit deny`,
    "the resource policy's Deny beats alice's Allow",
  )
})

t.test('HTTP APIs: the same checks, answered with their fixed 403 Forbidden', async (t) => {
  const webHost = `web.execute-api.localhost:${s.port}`
  const unsigned: HttpRequest = { method: 'GET', protocol: 'http:', hostname: 'web.execute-api.localhost', port: s.port, path: '/prod/hello', query: {}, headers: { host: webHost } }
  const ok = await send(await signer(ALICE).sign(unsigned))
  t.equal(ok.status, 200, ok.body)
  const bad = await send(await signer({ ...ALICE, secretAccessKey: 'not-the-secret-0123456789abcdefghijkl' }).sign(unsigned))
  t.equal(bad.status, 403)
  t.equal(bad.body, '{"message":"Forbidden"}')
  t.equal(bad.headers['x-amzn-errortype'], undefined, 'no error type on HTTP APIs')
  const none = await request(`http://127.0.0.1:${s.port}/prod/hello`, { headers: { host: webHost } })
  t.equal(none.statusCode, 403, 'no signature: 403 (not 404)')
  t.equal(await none.body.text(), '{"message":"Forbidden"}')
  const denied = await send(await signer(BOB).sign(unsigned))
  t.equal(denied.status, 403, 'bob: no policy allows web')
})
