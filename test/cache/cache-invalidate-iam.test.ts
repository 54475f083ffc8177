// Cache-Control: max-age=0 on a route that requires authorization for it: only SigV4 callers
// whose policies allow execute-api:InvalidateCache on the methodArn (and none denies it) may
// refresh the entry; the others get the route's strategy (here FAIL_WITH_403). Served the way
// `tollgate run` serves files, requests signed by the AWS SDK's signer.
import t from 'tap'
import { request } from 'undici'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { startStandalone, type Standalone } from '../../cli/run.js'
import { manifestDir, startServer } from '../helpers/servers.js'

const ADMIN = { accessKeyId: 'AKIACACHEADMIN00001', secretAccessKey: 'admin-secret-0123456789abcdefghijklmn' }
const READER = { accessKeyId: 'AKIACACHEREADER0002', secretAccessKey: 'reader-secret-0123456789abcdefghijklm' }
const DENIED = { accessKeyId: 'AKIACACHEDENIED0003', secretAccessKey: 'denied-secret-0123456789abcdefghijklm' }
const ARN = 'arn:aws:execute-api:us-east-1:000000000000:shop/prod'

function identity(name: string, creds: typeof ADMIN, statements: string): string {
  return `
apiVersion: v1
kind: Secret
metadata: {name: ${name}, labels: {tollgate.dev/iam-identity: 'true'}}
stringData:
  accessKeyId: ${creds.accessKeyId}
  secretAccessKey: ${creds.secretAccessKey}
  policy: '{"Version": "2012-10-17", "Statement": [${statements}]}'
---`
}

let n = 0
const backend = await startServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.end(`report ${++n}`)
})
t.teardown(() => backend.close())

const invoke = `{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "${ARN}/GET/report"}`
const dir = manifestDir({
  'shop.yaml': `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: shop}
spec:
  apiId: shop
  routes:
    - {path: /report, method: GET, authorizationType: AWS_IAM, integration: {type: HTTP, httpMethod: GET, uri: 'http://127.0.0.1:${backend.port}/report', responses: [{statusCode: '200'}]}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec:
  apiRef: {name: shop}
  cache: {enabled: true}
  methodSettings:
    '*/*': {unauthorizedCacheControlHeaderStrategy: FAIL_WITH_403}
---
${identity('admin', ADMIN, `${invoke}, {"Effect": "Allow", "Action": "execute-api:InvalidateCache", "Resource": "${ARN}/GET/*"}`)}
${identity('reader', READER, invoke)}
${identity('denied', DENIED, `${invoke}, {"Effect": "Allow", "Action": "execute-api:*", "Resource": "*"}, {"Effect": "Deny", "Action": "execute-api:InvalidateCache", "Resource": "*"}`)}
`,
})
const logs: string[] = []
const s: Standalone = await startStandalone({ files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 }, (line) => logs.push(line))
t.teardown(() => s.close())

async function get(creds: typeof ADMIN, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'execute-api', sha256: Sha256 })
  const host = `shop.execute-api.localhost:${s.port}`
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: 'shop.execute-api.localhost', port: s.port, path: '/prod/report', query: {}, headers: { host, ...headers } })
  const r = await request(`http://127.0.0.1:${s.port}/prod/report`, { headers: signed.headers as Record<string, string> })
  return { status: r.statusCode, text: await r.body.text() }
}

t.test('a caller allowed execute-api:InvalidateCache refreshes its entry', async (t) => {
  t.notMatch(logs.join('\n'), /error/, 'the manifests apply')
  const first = await get(ADMIN)
  t.equal(first.status, 200)
  t.equal((await get(ADMIN)).text, first.text, 'cached')
  const fresh = await get(ADMIN, { 'cache-control': 'max-age=0' })
  t.equal(fresh.status, 200)
  t.not(fresh.text, first.text, 'the backend answered')
  t.equal((await get(ADMIN)).text, fresh.text, 'and replaced the entry')
})

t.test('callers without it, or with an explicit deny, get FAIL_WITH_403', async (t) => {
  for (const [who, creds] of [['reader', READER], ['denied', DENIED]] as const) {
    const cached = await get(creds)
    t.equal(cached.status, 200, `${who} may invoke`)
    const before = n
    const refused = await get(creds, { 'cache-control': 'max-age=0' })
    t.equal(refused.status, 403, `${who}: 403`)
    t.same(JSON.parse(refused.text), { message: 'User is not authorized to access this resource' })
    t.equal(n, before, `${who}: no backend call`)
    t.equal((await get(creds)).text, cached.text, `${who}: the entry is untouched`)
  }
})
