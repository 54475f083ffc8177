// Canary releases end to end: manifests compiled by the real compiler, a real gateway, real
// upstreams. The split is random per request (the gateway's random source is injected: a seeded
// generator, so the run is reproducible) and lands within statistical bounds over 2,000
// requests; variable overrides apply on the canary side only; promotion and removal are edits.
import t from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import { build } from '../../proxy/build.js'
import { startGateway, startUpstream, type Running, type Upstream } from '../proxy/helpers.js'

const OPTS = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' as const, port: 8080 } }
const REQUESTS = 2000

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

let v1: Upstream
let v2: Upstream
let gw: Running
let draws = 0
let next: () => number = seeded(7)

function tagged(tag: string): Promise<Upstream> {
  return startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ tag, url: req.url }))
  })
}

// Both revisions pass the stage variable `color` to the backend.
const spec = (origin: string) => ({
  apiId: 'shop',
  routes: [{ path: '/pets', method: 'GET', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${origin}/pets?color=\${stageVariables.color}` } }],
})

function manifests(stageSpec: Record<string, unknown>): ResourceObject[] {
  return [
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name: 'shop' }, spec: spec(v2.origin) },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiDeployment', metadata: { name: 'shop-v1' }, spec: { apiRef: { name: 'shop' }, snapshot: spec(v1.origin) } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'ApiDeployment', metadata: { name: 'shop-v2' }, spec: { apiRef: { name: 'shop' }, snapshot: spec(v2.origin) } },
    { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'shop' }, variables: { color: 'blue' }, ...stageSpec } },
  ]
}

function apply(stageSpec: Record<string, unknown>) {
  const result = compile(manifests(stageSpec), OPTS)
  const stage = result.statuses.find((s) => s.ref.kind === 'Stage')!
  if (stage.problems.length > 0) throw new Error(JSON.stringify(stage.problems))
  gw.gateway.apply(result.config)
  return { stage, config: result.config }
}

/** Sends `n` requests (32 at a time); counts answers by "tag/color". */
async function split(n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (let sent = 0; sent < n; sent += 32) {
    const batch = Array.from({ length: Math.min(32, n - sent) }, () => gw.fetch('shop', '/prod/pets'))
    for (const res of await Promise.all(batch)) {
      const body = res.json() as { tag: string; url: string }
      const key = `${body.tag}/${new URL(body.url, 'http://x').searchParams.get('color')}`
      counts[key] = (counts[key] ?? 0) + 1
    }
  }
  return counts
}

t.before(async () => {
  v1 = await tagged('v1')
  v2 = await tagged('v2')
  gw = await startGateway(null, {
    random: () => {
      draws++
      return next()
    },
  })
})
t.teardown(async () => {
  await gw.close()
  await v1.close()
  await v2.close()
})

t.test('10% canary over 2,000 requests: the split is within bounds, overrides only on the canary', async (t) => {
  const { stage, config } = apply({ revision: 'shop-v1', canary: { revision: 'shop-v2', percentTraffic: 10, variableOverrides: { color: 'green' } } })
  t.match(stage.status, { deployment: 'shop-v1', canaryDeployment: 'shop-v2' })
  t.match(config.apis[0]!.stages[0]!.canary, { percentTraffic: 10, variables: { color: 'green' }, useStageCache: false })
  // What the request context records: ctx.stage is the side that served, with its revision.
  const prod = build(config).apis.get('shop')!.stages.get('prod')!
  t.match(prod, { side: 'stage', revision: stage.status.revision, variables: { color: 'blue' } })
  t.match(prod.canary, { percentTraffic: 10, useStageCache: false, stage: { name: 'prod', side: 'canary', revision: stage.status.canaryRevision, canary: null, variables: { color: 'green' } } })
  next = seeded(7)
  draws = 0
  const counts = await split(REQUESTS)
  t.equal(draws, REQUESTS, 'one random draw per request')
  t.same(Object.keys(counts).sort(), ['v1/blue', 'v2/green'], 'the base side serves v1 with the stage variables, the canary v2 with its overrides')
  // Binomial(2000, 0.1): mean 200, sd 13.4; 5 sd either side.
  const canary = counts['v2/green'] ?? 0
  t.ok(canary >= 133 && canary <= 267, `canary served ${canary} of ${REQUESTS} (expected 200 ± 67)`)
  t.equal(canary + (counts['v1/blue'] ?? 0), REQUESTS)
})

t.test('the split follows the random source exactly; 0% and 100%', async (t) => {
  apply({ revision: 'shop-v1', canary: { revision: 'shop-v2', percentTraffic: 25, variableOverrides: { color: 'green' } } })
  next = () => 0.2499
  t.same(await split(4), { 'v2/green': 4 }, 'a draw under 25% goes to the canary')
  next = () => 0.25
  t.same(await split(4), { 'v1/blue': 4 }, 'a draw of 25% does not')

  apply({ revision: 'shop-v1', canary: { revision: 'shop-v2', percentTraffic: 0 } })
  next = seeded(1)
  t.same(await split(200), { 'v1/blue': 200 }, '0%: never the canary')
  apply({ revision: 'shop-v1', canary: { revision: 'shop-v2', percentTraffic: 100 } })
  t.same(await split(200), { 'v2/blue': 200 }, '100%: always the canary; without overrides it has the stage variables')
})

t.test('a canary without a revision serves the Api; promotion and removal are edits', async (t) => {
  apply({ revision: 'shop-v1', canary: { percentTraffic: 100, variableOverrides: { color: 'red' } } })
  next = seeded(3)
  t.same(await split(8), { 'v2/red': 8 }, "no canary revision: the Api's current spec")

  // Promote: the stage takes the canary's revision, the canary goes.
  apply({ revision: 'shop-v2' })
  draws = 0
  t.same(await split(8), { 'v2/blue': 8 })
  t.equal(draws, 0, 'no canary: no random draw per request')
})
