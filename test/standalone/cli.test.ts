// The tollgate command as a user runs it: validate and compile on files, exit codes and the
// file/resource/field/reason of every error.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { manifestDir } from '../helpers/servers.js'

const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))
const examples = fileURLToPath(new URL('../../examples/manifests', import.meta.url))

function tollgate(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

t.test('validate accepts the examples', async (t) => {
  const r = tollgate('validate', '-f', examples)
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /4 resources valid/)
})

t.test('validate names file, line, resource, field and reason, and exits 1', async (t) => {
  const dir = manifestDir({
    'ok.yaml': 'apiVersion: tollgate.dev/v1alpha1\nkind: Api\nmetadata: {name: fine}\nspec:\n  routes:\n    - {path: /a, method: GET, integration: {type: MOCK}}\n',
    'bad.yaml':
      '# a comment line\napiVersion: tollgate.dev/v1alpha1\nkind: Api\nmetadata: {name: broken}\nspec:\n  routes:\n    - {path: /a, method: FETCH, integration: {type: MOCK}}\n',
  })
  const r = tollgate('validate', '-f', dir)
  t.equal(r.code, 1)
  t.match(r.stderr, `${join(dir, 'bad.yaml')}:`)
  t.match(r.stderr, /Api default\/broken: spec\.routes\[0\]\.method: \w+: must be one of GET, POST/)
  t.notMatch(r.stderr, /fine/, 'the valid Api is not reported')
})

t.test('validate reports YAML syntax errors with the file', async (t) => {
  const dir = manifestDir({ 'broken.yaml': 'kind: Api\nspec: [unclosed\n' })
  const r = tollgate('validate', '-f', dir)
  t.equal(r.code, 1)
  t.match(r.stderr, 'broken.yaml')
})

t.test('compile prints the GatewayConfig as JSON', async (t) => {
  const r = tollgate('compile', '-f', examples)
  t.equal(r.code, 0, r.stderr)
  const config = JSON.parse(r.stdout) as { hash: string; apis: Array<{ id: string }> }
  t.match(config.hash, /^[0-9a-f]{64}$/)
  t.same(config.apis.map((a) => a.id).sort(), ['petshttp01', 'petstore01'])
})

t.test('usage errors exit 2', async (t) => {
  t.equal(tollgate('validate').code, 2)
  t.equal(tollgate('frobnicate', '-f', examples).code, 2)
  t.equal(tollgate('run', '-f', examples, '--port', 'abc').code, 2)
})
