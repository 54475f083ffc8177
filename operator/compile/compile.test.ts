import t from 'tap'
import { createHash } from 'node:crypto'
import { compile, defaultApiId, type CompileOptions } from './index.js'
import { uriProblems } from './uri.js'
import { canonicalJson, sha256Hex } from '../../proxy/config/hash.js'
import { configProblems } from '../../proxy/config/validate.js'
import { KINDS } from '../../crds/index.js'
import type { KindDefinition } from '../../crds/common.js'
import { Type } from '@sinclair/typebox'
import { readCase } from './testdata/cases.js'

const opts: CompileOptions = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http', port: 8080 } }

const api = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'Api',
  metadata: { name },
  spec: { routes: [{ path: '/', method: 'GET', integration: { type: 'MOCK' } }], ...spec },
})
const stage = (name: string, apiName: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'Stage',
  metadata: { name },
  spec: { apiRef: { name: apiName }, ...spec },
})
const condition = (s: { status: Record<string, unknown> }, type: string) =>
  (s.status.conditions as Array<{ type: string; status: string; reason: string }>).find((c) => c.type === type)

t.test('the contract example is accepted as written', async (t) => {
  const { config, statuses } = compile(readCase('contract-example'), opts)
  t.equal(statuses.length, 2)
  for (const s of statuses) {
    t.same(
      s.problems.filter((p) => p.severity === 'error'),
      [],
      `${s.ref.kind} has no errors`,
    )
    t.match(condition(s, 'Accepted'), { status: 'True', reason: 'Accepted' }, `${s.ref.kind} Accepted=True`)
    t.match(condition(s, 'ResolvedRefs'), { status: 'True' }, `${s.ref.kind} ResolvedRefs=True`)
  }
  t.same(configProblems(config), [])
  t.equal(config.apis[0]?.id, 'petstore01')
  t.same(
    config.apis[0]?.revisions[0]?.routes.map((r) => r.key),
    ['ANY /{proxy+}', 'GET /health', 'GET /pets', 'GET /pets/{petId}'],
  )
  t.equal(statuses.find((s) => s.ref.kind === 'Stage')?.status.url, 'http://petstore01.execute-api.localhost:8080/prod')
})

t.test('the default apiId follows the documented formula', async (t) => {
  const digest = createHash('sha256').update('shop/inventory', 'utf8').digest()
  const expected = [...digest.subarray(0, 10)].map((b) => '0123456789abcdefghijklmnopqrstuvwxyz'[b % 36]).join('')
  t.equal(defaultApiId('shop', 'inventory'), expected)
  t.equal(defaultApiId('shop', 'inventory'), '3aireuk9le', 'stable across releases: changing it moves every URL')
  t.match(defaultApiId('default', 'petstore'), /^[0-9a-z]{10}$/)
  t.not(defaultApiId('a', 'b-c'), defaultApiId('a-b', 'c'), 'the slash keeps namespace and name apart')
})

t.test('the revision id is the first 12 hex characters of sha256(canonicalJson(routes))', async (t) => {
  const { config } = compile([api('r')], opts)
  const revision = config.apis[0]!.revisions[0]!
  t.equal(revision.id, sha256Hex(canonicalJson(revision.routes)).slice(0, 12))
  const again = compile([api('r', { description: 'only the description changed' })], opts)
  t.equal(again.config.apis[0]!.revisions[0]!.id, revision.id, 'fields outside routes do not make a new revision')
})

t.test('URLs leave out the default port of the scheme', async (t) => {
  const input = [api('u', { apiId: 'u000000001' }), stage('prod', 'u')]
  const url = (endpoint: CompileOptions['endpoint']) => compile(input, { ...opts, endpoint }).statuses.find((s) => s.ref.kind === 'Stage')?.status.url
  t.equal(url({ scheme: 'https', port: 443 }), 'https://u000000001.execute-api.localhost/prod')
  t.equal(url({ scheme: 'https' }), 'https://u000000001.execute-api.localhost/prod')
  t.equal(url({ scheme: 'http', port: 80 }), 'http://u000000001.execute-api.localhost/prod')
  t.equal(url({ scheme: 'https', port: 8443 }), 'https://u000000001.execute-api.localhost:8443/prod')
  t.equal(url({ scheme: 'http', port: 443 }), 'http://u000000001.execute-api.localhost:443/prod')
})

t.test('garbage input gives statuses, never an exception', async (t) => {
  const input = [null, 42, [], {}, { kind: 'Api' }, { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'x' } }]
  const { config, statuses } = compile(input as never, opts)
  t.equal(statuses.length, input.length)
  for (const s of statuses) t.match(condition(s, 'Accepted'), { status: 'False' })
  t.same(config.apis, [])
  t.same(configProblems(config), [])
})

t.test('the input is not modified', async (t) => {
  const input = [api('frozen', { apiId: 'frozen0001' }), stage('prod', 'frozen', { variables: { a: 'b' } })]
  const before = structuredClone(input)
  const deepFreeze = (o: unknown): void => {
    if (o && typeof o === 'object') {
      Object.freeze(o)
      for (const v of Object.values(o)) deepFreeze(v)
    }
  }
  deepFreeze(input)
  const { config } = compile(input, opts)
  t.same(input, before)
  t.equal(config.apis.length, 1)
})

t.test('a Stage of a schema-invalid Api says ApiNotAccepted, and generations are observed', async (t) => {
  const bad = api('bad', { protocol: 'SOAP' })
  ;(bad.metadata as Record<string, unknown>).generation = 4
  const { statuses } = compile([bad, stage('prod', 'bad')], opts)
  const apiStatus = statuses.find((s) => s.ref.kind === 'Api')!
  t.equal(apiStatus.generation, 4)
  t.equal(apiStatus.status.observedGeneration, 4)
  t.match(condition(apiStatus, 'Accepted'), { status: 'False', reason: 'InvalidSpec', observedGeneration: 4 })
  t.equal(condition(apiStatus, 'ResolvedRefs'), undefined, 'no ResolvedRefs for a resource that failed the schema')
  const stageStatus = statuses.find((s) => s.ref.kind === 'Stage')!
  t.match(condition(stageStatus, 'ResolvedRefs'), { status: 'False', reason: 'ApiNotAccepted' })
  t.match(stageStatus.problems, [{ field: 'spec.apiRef', reason: 'ApiNotAccepted', message: /spec\.protocol/ }])
})

t.test('a $default stage is served at the root of the API host', async (t) => {
  const { statuses, config } = compile([api('h', { apiId: 'h000000001', protocol: 'HTTP', routes: [{ routeKey: '$default', integration: { type: 'HTTP_PROXY', httpMethod: 'ANY', uri: 'http://b' } }] }), stage('root', 'h', { stageName: '$default' })], opts)
  t.equal(statuses.find((s) => s.ref.kind === 'Stage')?.status.url, 'http://h000000001.execute-api.localhost:8080')
  t.match(config.apis[0]?.revisions[0]?.routes[0], { key: '$default', method: 'ANY', path: '' })
})

t.test('kinds the compiler does not compile are Accepted but not Programmed', async (t) => {
  const gadget: KindDefinition = {
    kind: 'TestGadget',
    plural: 'testgadgets',
    singular: 'testgadget',
    shortNames: [],
    description: 'test only',
    spec: Type.Object({ size: Type.Integer() }, { additionalProperties: false }),
    status: Type.Object({}),
    printerColumns: [],
  }
  ;(KINDS as KindDefinition[]).push(gadget)
  t.teardown(() => {
    ;(KINDS as KindDefinition[]).splice(KINDS.indexOf(gadget), 1)
  })
  const ok = { apiVersion: 'tollgate.dev/v1alpha1', kind: 'TestGadget', metadata: { name: 'g' }, spec: { size: 1 } }
  const bad = { ...ok, metadata: { name: 'h' }, spec: { size: 'big' } }
  const { statuses } = compile([ok, bad], opts)
  t.same(
    statuses[0]!.status.conditions,
    [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'TestGadget is valid' },
      { type: 'Programmed', status: 'False', reason: 'NotImplemented', message: 'TestGadget resources are validated but not enforced yet' },
    ],
  )
  t.match(statuses[1]!.status.conditions, [{ type: 'Accepted', status: 'False', reason: 'InvalidSpec', message: /spec\.size/ }])
  t.equal((statuses[1]!.status.conditions as unknown[]).length, 1)
})

t.test('uri templates: where stage variables and parameters may stand', async (t) => {
  const check = (uri: string, route: string[] = []) => uriProblems(uri, 'f', { route, mapped: [] }).problems.map((p) => p.reason)
  t.same(check('http://${stageVariables.host}'), [])
  t.same(check('http://example.com:${stageVariables.port}/x'), [])
  t.same(check('http://${stageVariables.a}${stageVariables.b}/p'), [])
  t.same(check('HTTPS://example.com/{id}', ['id']), [])
  t.same(check('http://example.com/{id}'), ['UnknownPathParameter'])
  t.same(check('http://example.com/{a*b}'), ['InvalidUri'])
  t.same(check('http://example.com/${stageVariables.bad-name}'), ['InvalidUri'])
  t.same(check('//example.com/x'), ['InvalidUri'])
  t.same(
    uriProblems('http://a/${stageVariables.x}?q=${stageVariables.y}', 'f', { route: [], mapped: [] }).stageVariables.map((u) => u.name),
    ['x', 'y'],
  )
})
