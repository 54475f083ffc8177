// API keys on Kubernetes: values from labelled Secrets the operator watches, a generated key
// whose Secret the operator creates, and an unlabelled Secret the operator never reads.
import t from 'tap'
import { request } from 'undici'
import { startServer } from '../helpers/servers.js'
import { cluster, condition, create, eventually, G, NS, operator, proxy, stage, V } from './helpers.js'

t.test('keys from labelled Secrets and generated keys reach the proxies', async (t) => {
  const backend = await startServer((_req, res) => res.end('ok'))
  t.teardown(backend.close)
  const c = await cluster(t)
  const op = await operator(t, c)
  const p = await proxy(t, op, 'proxy-keys')

  const secret = (name: string, value: string, labelled: boolean) =>
    c.core.createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name, namespace: NS, labels: labelled ? { 'tollgate.dev/secret': 'true' } : {} }, stringData: { value } },
    })
  await secret('alice-api-key', 'AliceKey0123456789abcdefXYZ', true)
  await secret('carol-api-key', 'CarolKey0123456789abcdefXYZ', false)
  const apiKey = (name: string, spec: Record<string, unknown>) =>
    c.co.createNamespacedCustomObject({ group: G, version: V, namespace: NS, plural: 'apikeys', body: { apiVersion: `${G}/${V}`, kind: 'ApiKey', metadata: { name, namespace: NS }, spec } })
  await apiKey('alice', { valueFrom: { secretKeyRef: { name: 'alice-api-key', key: 'value' } } })
  await apiKey('bob', { generate: true })
  await apiKey('carol', { valueFrom: { secretKeyRef: { name: 'carol-api-key', key: 'value' } } })
  await create(c, {
    apiVersion: `${G}/${V}`,
    kind: 'Api',
    metadata: { name: 'keyed', namespace: NS },
    spec: {
      apiId: 'keyed',
      routes: [{ path: '/item', method: 'GET', apiKeyRequired: true, integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${backend.port}/item` } }],
    },
  })
  await create(c, stage('keyed-prod', 'keyed'))
  await c.co.createNamespacedCustomObject({
    group: G,
    version: V,
    namespace: NS,
    plural: 'usageplans',
    body: {
      apiVersion: `${G}/${V}`,
      kind: 'UsagePlan',
      metadata: { name: 'plan', namespace: NS },
      spec: { apiStages: [{ apiRef: { name: 'keyed' }, stage: 'prod' }], apiKeys: [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }] },
    },
  })

  const get = async (key?: string) => {
    const r = await request(`http://127.0.0.1:${p.port}/prod/item`, {
      headers: { host: `keyed.execute-api.localhost:${p.port}`, ...(key ? { 'x-api-key': key } : {}) },
    })
    await r.body.dump()
    return r.statusCode
  }
  await eventually('alice admitted', async () => (await get('AliceKey0123456789abcdefXYZ')) === 200, 8000)
  t.equal(await get(), 403, 'no key: 403')

  await eventually('bob\'s Secret generated', () => c.server.objects('Secret', NS).some((s) => (s.metadata as { name: string }).name === 'bob-api-key'))
  const generated = c.server.objects('Secret', NS).find((s) => (s.metadata as { name: string }).name === 'bob-api-key')!
  const meta = generated.metadata as { labels?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> }
  t.equal(meta.labels?.['tollgate.dev/secret'], 'generated', 'labelled so the operator reads it')
  t.same(meta.ownerReferences?.map((o) => `${o.kind}/${o.name}`), ['ApiKey/bob'], 'owned by its ApiKey')
  const data = generated.data as Record<string, string> | undefined
  const bobKey = Buffer.from(data?.value ?? '', 'base64').toString('utf8')
  t.match(bobKey, /^[A-Za-z0-9]{40}$/, '40 random letters and digits')
  await eventually('bob admitted', async () => (await get(bobKey)) === 200, 8000)

  await eventually('carol not accepted', () => condition(c, 'ApiKey', 'carol', 'Accepted')?.status === 'False')
  t.equal(condition(c, 'ApiKey', 'carol', 'Accepted')?.reason, 'SecretNotFound', 'an unlabelled Secret is never read')
  t.match(condition(c, 'ApiKey', 'carol', 'Accepted')?.message, /labelled tollgate\.dev\/secret/)
  t.equal(await get('CarolKey0123456789abcdefXYZ'), 403)
})
