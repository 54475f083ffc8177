import t from 'tap'
import { configHash } from './hash.js'
import { configProblems, assertValidConfig, ConfigError } from './validate.js'
import { CONFIG_SCHEMA_VERSION, type GatewayConfig } from './schema.js'

function sample(): GatewayConfig {
  const body = {
    schemaVersion: CONFIG_SCHEMA_VERSION as typeof CONFIG_SCHEMA_VERSION,
    domain: 'localhost',
    apis: [
      {
        id: 'abc',
        name: 'default/abc',
        source: { kind: 'Api', namespace: 'default', name: 'abc' },
        protocol: 'REST' as const,
        endpointType: 'REGIONAL' as const,
        disableExecuteApiEndpoint: false,
        binaryMediaTypes: [],
        revisions: [{ id: 'r1', routes: [] }],
        stages: [{ name: 'prod', source: { kind: 'Stage', namespace: 'default', name: 'p' }, revision: 'r1', variables: {} }],
      },
    ],
  }
  return { ...body, hash: configHash(body) }
}

t.test('a valid config has no problems, whatever the key order', async (t) => {
  const c = sample()
  t.same(configProblems(c), [])
  const reordered = JSON.parse(JSON.stringify({ apis: c.apis, hash: c.hash, domain: c.domain, schemaVersion: c.schemaVersion }))
  t.equal(configHash(reordered), c.hash)
})

t.test('a tampered config fails the hash check', async (t) => {
  const c = sample()
  c.domain = 'example.com'
  t.match(configProblems(c), [/hash/])
  t.throws(() => assertValidConfig(c), ConfigError)
})

t.test('a stage pointing at a missing revision is refused', async (t) => {
  const c = sample()
  c.apis[0]!.stages[0]!.revision = 'nope'
  c.hash = configHash(c)
  t.match(configProblems(c), [/unknown revision nope/])
})

t.test('schema errors name the path', async (t) => {
  t.match(configProblems({ schemaVersion: 'v0' }), [/\//])
})
