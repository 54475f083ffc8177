// --trusted-proxies on `tollgate proxy` and `tollgate run` (and --pod-namespace-index on the
// operator): parsed once in main into the options, a bad range is a usage error naming it; and
// `tollgate run` with the option believes X-Forwarded-For from the trusted peer only.
import t from 'tap'
import { request } from 'undici'
import { parse, UsageError } from '../../cli/options.js'
import { startStandalone } from '../../cli/run.js'
import { manifestDir } from '../helpers/servers.js'

t.test('parsed once, comma-separated and repeatable, checked', async (t) => {
  t.same(parse(['proxy', '--trusted-proxies', '10.0.0.0/8, fd00::/8', '--trusted-proxies=192.0.2.1'], {}).proxy.trustedProxies, ['10.0.0.0/8', 'fd00::/8', '192.0.2.1'])
  t.same(parse(['run', '-f', 'x.yaml', '--trusted-proxies', '127.0.0.1'], {}).run.trustedProxies, ['127.0.0.1'])
  t.same(parse(['proxy'], {}).proxy.trustedProxies, [], 'default: trust none')
  t.throws(() => parse(['proxy', '--trusted-proxies', '10.0.0.0/8,10.0.0.0/40'], {}), new UsageError('--trusted-proxies: "10.0.0.0/40": the prefix length must be 0 to 32'))
  t.throws(() => parse(['run', '--trusted-proxies', 'lb.example.com'], {}), { code: 'TG_ERR_USAGE', message: /lb\.example\.com/ })
  t.equal(parse(['operator'], {}).operator.podNamespaceIndex, false)
  t.equal(parse(['operator', '--pod-namespace-index=true'], {}).operator.podNamespaceIndex, true)
})

const manifest = `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: ipdemo}
spec:
  apiId: ipdemo0001
  policy:
    Statement:
      - {Effect: Allow, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: {IpAddress: {'aws:SourceIp': 203.0.113.0/24}}}
  routes:
    - path: /hello
      method: GET
      integration:
        type: MOCK
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: [{statusCode: '200', responseTemplates: {application/json: '{"ok": true}'}}]
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: ipdemo-prod}
spec: {apiRef: {name: ipdemo}, stageName: prod}
---
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: vpce}
spec:
  apiId: vpce000001
  policy:
    Statement:
      - {Effect: Allow, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: {StringEquals: {'aws:SourceVpce': vpce-1a2b3c4d}}}
  routes:
    - {path: /x, method: GET, integration: {type: MOCK}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: vpce-prod}
spec: {apiRef: {name: vpce}, stageName: prod}
`

t.test('tollgate run: trusted peers\' X-Forwarded-For; a policy with a condition Tollgate cannot evaluate is refused', async (t) => {
  const dir = manifestDir({ 'api.yaml': manifest })
  const run = async (trustedProxies: string[]) => {
    const logs: string[] = []
    const s = await startStandalone({ files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20, trustedProxies }, (l) => logs.push(l))
    t.teardown(() => s.close())
    const get = async (apiId: string, path: string, xff?: string) => {
      const r = await request(`http://127.0.0.1:${s.port}${path}`, { headers: { host: `${apiId}.execute-api.localhost`, ...(xff ? { 'x-forwarded-for': xff } : {}) } })
      return { status: r.statusCode, text: await r.body.text() }
    }
    return { logs, get }
  }
  const trusting = await run(['127.0.0.1'])
  const allowed = await trusting.get('ipdemo0001', '/prod/hello', '203.0.113.5')
  t.equal(allowed.status, 200, `the trusted local peer reports an allowed client: ${allowed.text}`)
  t.equal((await trusting.get('ipdemo0001', '/prod/hello')).status, 403, 'without the header the source is the peer, 127.0.0.1')

  const untrusting = await run([])
  t.equal((await untrusting.get('ipdemo0001', '/prod/hello', '203.0.113.5')).status, 403, 'no trusted proxies: the header is ignored')

  t.match(untrusting.logs.join('\n'), /UnsupportedPolicyCondition.*aws:SourceVpce is not supported/, 'the refusal is reported with the file and reason')
  const vpce = await untrusting.get('vpce000001', '/prod/x')
  t.equal(vpce.status, 403, 'the refused Api is not served')
  t.same(JSON.parse(vpce.text), { message: 'Forbidden' }, 'as an unknown API, not as a policy denial')
})
