import t from 'tap'
import { join } from 'node:path'
import { formatProblem, formatStatusProblems, loadManifests, parseManifests, type LoadProblem } from './files.js'
import { compile } from '../compile/index.js'

const api = (name: string, extra = '') => `apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: ${name}${extra}}
spec:
  routes:
    - {path: /, method: GET, integration: {type: MOCK}}
`

t.test('folders are read recursively, in sorted order, manifests only', async (t) => {
  const dir = t.testdir({
    'b.yaml': api('b'),
    'a.yml': api('a'),
    'c.json': JSON.stringify({ apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'c' }, spec: { apiRef: { name: 'a' } } }),
    'notes.txt': 'not: a manifest',
    '.hidden.yaml': api('hidden'),
    '.git': { 'x.yaml': api('git') },
    sub: { deeper: { 'z.yaml': api('z') }, 'y.YAML': api('y') },
  })
  const r = await loadManifests([dir])
  t.same(r.problems, [])
  t.same(
    r.files.map((f) => f.slice(dir.length + 1)),
    ['a.yml', 'b.yaml', 'c.json', 'sub/deeper/z.yaml', 'sub/y.YAML'],
  )
  t.same(
    r.resources.map((l) => `${l.ref.kind} ${l.ref.namespace}/${l.ref.name}`),
    ['Api default/a', 'Api default/b', 'Stage default/c', 'Api default/z', 'Api default/y'],
  )
})

t.test('multi-document files: each resource knows the first line of its document', async (t) => {
  const dir = t.testdir({
    'm.yaml': ['# leading comment', '', api('one'), '---', '# about two', api('two'), '---', '', '---', api('three', ', namespace: ns')].join('\n'),
  })
  const r = await loadManifests([join(dir, 'm.yaml')])
  t.same(r.problems, [])
  t.same(
    r.resources.map((l) => [l.ref.name, l.ref.namespace, l.origin.line]),
    [
      ['one', 'default', 3],
      ['two', 'default', 12],
      ['three', 'ns', 22],
    ],
  )
  t.equal(r.resources[0]!.origin.file, join(dir, 'm.yaml'))
})

t.test('syntax errors and non-objects are problems with file and line; everything else still loads', async (t) => {
  const dir = t.testdir({
    'bad.yaml': [api('before'), '---', 'kind: Api', 'metadata: {name: [broken', '---', '- a list', '- of things', '---', 'just a string', '---', api('after')].join('\n'),
    'good.yaml': api('good'),
  })
  const r = await loadManifests([dir])
  const file = join(dir, 'bad.yaml')
  t.same(
    r.resources.map((l) => l.ref.name),
    ['before', 'after', 'good'],
  )
  t.match(r.problems, [
    { origin: { file, line: 11 }, reason: 'YamlSyntaxError', message: /must be sufficiently indented/ },
    { origin: { file, line: 12 }, reason: 'NotAnObject', message: /a list/ },
    { origin: { file, line: 15 }, reason: 'NotAnObject', message: /a string/ },
  ])
  t.equal(r.problems.length, 3)
  t.notMatch(r.problems[0]!.message, /\n/, 'one line, without the code frame')
})

t.test('a duplicate across files names both places; the first definition wins', async (t) => {
  const dir = t.testdir({
    'a.yaml': api('petstore'),
    'b.yaml': `# again\n${api('petstore', ', namespace: default')}`,
    'c.yaml': api('petstore', ', namespace: other'),
  })
  const r = await loadManifests([dir])
  t.same(
    r.resources.map((l) => [l.ref.namespace, l.origin.file.slice(dir.length + 1)]),
    [
      ['default', 'a.yaml'],
      ['other', 'c.yaml'],
    ],
  )
  t.same(r.problems, [
    {
      origin: { file: join(dir, 'b.yaml'), line: 2 },
      reason: 'DuplicateResource',
      message: `also defined at ${join(dir, 'a.yaml')}:1; this definition is ignored`,
      ref: { kind: 'Api', namespace: 'default', name: 'petstore' },
    },
  ])
})

t.test('paths: missing ones are problems, explicit files load whatever their extension, each file once', async (t) => {
  const dir = t.testdir({ 'api.txt': api('txt'), 'x.yaml': api('x') })
  const missing = join(dir, 'nope.yaml')
  const r = await loadManifests([missing, join(dir, 'api.txt'), dir, join(dir, 'x.yaml')])
  t.same(
    r.resources.map((l) => l.ref.name),
    ['txt', 'x'],
  )
  t.match(r.problems, [{ origin: { file: missing, line: 0 }, reason: 'FileNotFound' }])
  t.equal(r.problems.length, 1)
})

t.test('a kind: List contributes its items, each with its own line', async (t) => {
  const problems: LoadProblem[] = []
  const text = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - apiVersion: tollgate.dev/v1alpha1',
    '    kind: Stage',
    '    metadata: {name: s1}',
    '    spec: {apiRef: {name: a}}',
    '  - 42',
    '  - apiVersion: tollgate.dev/v1alpha1',
    '    kind: Stage',
    '    metadata: {name: s2}',
    '    spec: {apiRef: {name: a}}',
  ].join('\n')
  const loaded = parseManifests(text, 'list.yaml', 'default', problems)
  t.same(
    loaded.map((l) => [l.ref.name, l.origin.line]),
    [
      ['s1', 4],
      ['s2', 9],
    ],
  )
  t.match(problems, [{ origin: { file: 'list.yaml', line: 8 }, reason: 'NotAnObject' }])
})

t.test('formatProblem renders one line and leaves out what it lacks', async (t) => {
  const ref = { kind: 'Api', namespace: 'default', name: 'petstore' }
  t.equal(
    formatProblem({ origin: { file: 'examples/petstore.yaml', line: 12 }, ref, field: 'spec.routes[2].integration.uri', reason: 'InvalidUri', message: 'must be absolute' }),
    'examples/petstore.yaml:12: Api default/petstore: spec.routes[2].integration.uri: InvalidUri: must be absolute',
  )
  t.equal(
    formatProblem({ origin: { file: 'a.yaml', line: 3 }, ref, severity: 'warning', field: 'spec.variables', reason: 'UndefinedStageVariable', message: 'x' }),
    'a.yaml:3: warning: Api default/petstore: spec.variables: UndefinedStageVariable: x',
  )
  t.equal(formatProblem({ origin: { file: 'gone.yaml', line: 0 }, reason: 'FileNotFound', message: 'no such file' }), 'gone.yaml: FileNotFound: no such file')
  t.equal(formatProblem({ ref, field: '', severity: 'error', reason: 'ApiIdConflict', message: 'taken' }), 'Api default/petstore: ApiIdConflict: taken')
  t.equal(formatProblem({ ref: { kind: '', namespace: 'default', name: '' }, reason: 'UnknownKind', message: 'm' }), '<no kind> default/<no name>: UnknownKind: m')
})

t.test('compile problems print with the file and line of their resource', async (t) => {
  const dir = t.testdir({
    'api.yaml': api('shop', ', namespace: team').replace('path: /,', 'path: /pets/,'),
    'stage.yaml': `\n\napiVersion: tollgate.dev/v1alpha1\nkind: Stage\nmetadata: {name: prod, namespace: team}\nspec: {apiRef: {name: shop}}\n`,
  })
  const r = await loadManifests([dir])
  const { statuses } = compile(
    r.resources.map((l) => l.resource),
    { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } },
  )
  t.same(formatStatusProblems(statuses, r.resources), [
    `${join(dir, 'api.yaml')}:1: Api team/shop: spec.routes[0].path: InvalidPath: path "/pets/" has an empty path part (a doubled or trailing /)`,
    `${join(dir, 'stage.yaml')}:3: Stage team/prod: spec.apiRef: ApiNotAccepted: Api team/shop is not accepted: spec.routes[0].path: path "/pets/" has an empty path part (a doubled or trailing /)`,
  ])
})
