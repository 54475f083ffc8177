// Models compiled with ajv: references between models in API Gateway's canonical form (with a
// fragment too), recursion that descends into the value (fine) versus $ref loops that never do
// (refused), and the models a set of roots uses.
import t from 'tap'
import type { ModelConfig } from '../config/schema.js'
import { compileModels, modelProblems, usedModels } from './models.js'

const REF = (name: string) => `https://apigateway.amazonaws.com/restapis/0a1b2c3d4e/models/${name}`
const models = (m: Record<string, unknown>): Record<string, ModelConfig> => Object.fromEntries(Object.entries(m).map(([k, schema]) => [k, { schema }]))

t.test('a recursive model that descends into the value compiles and validates at any depth', async (t) => {
  const set = models({ Tree: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: REF('Tree') } } } } })
  t.same(modelProblems(set), [])
  const validate = compileModels(set).validator('Tree')
  t.equal(validate({ name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] }), true)
  t.equal(validate({ name: 'a', children: [{ name: 'b', children: [{}] }] }), false, 'the missing name two levels down is found')
  t.same(usedModels(set, ['Tree']), ['Tree'])
})

t.test('a reference with a fragment points into another model', async (t) => {
  const set = models({
    Pet: { type: 'object', properties: { 'a/b': { type: 'integer' }, name: { type: 'string', maxLength: 3 } } },
    Names: { type: 'array', items: { $ref: `${REF('Pet')}#/properties/name` } },
    Escaped: { $ref: `${REF('Pet')}#/properties/a~1b` },
  })
  t.same(modelProblems(set), [])
  const compiled = compileModels(set)
  t.equal(compiled.validator('Names')(['abc', 'de']), true)
  t.equal(compiled.validator('Names')(['abcd']), false)
  t.equal(compiled.validator('Escaped')(1), true)
  t.equal(compiled.validator('Escaped')('1'), false, '~1 in the pointer is a "/" in the name')
  t.same(usedModels(set, ['Names', 'Escaped']), ['Escaped', 'Names', 'Pet'])
})

t.test('$ref loops that never reach the value are refused; every model in the loop says so', async (t) => {
  const set = models({ A: { $ref: REF('B') }, B: { anyOf: [{ $ref: REF('A') }, { type: 'string' }] }, C: { type: 'object' } })
  const problems = modelProblems(set)
  t.same(
    problems.map((p) => [p.model, p.reason]),
    [
      ['A', 'InvalidModelSchema'],
      ['B', 'InvalidModelSchema'],
    ],
  )
  t.match(problems[0]!.message, /\$ref loop that never reaches a value: A# → B# → B#\/anyOf\/0 → A#/)
})

t.test('root $schema and id are dropped: models are read as draft 4 and do not clash on their ids', async (t) => {
  const set = models({
    A: { $schema: 'http://json-schema.org/draft-04/schema#', id: 'http://example.com/same', type: 'string' },
    B: { $schema: 'http://json-schema.org/draft-04/schema#', id: 'http://example.com/same', type: 'integer' },
  })
  t.same(modelProblems(set), [])
  const compiled = compileModels(set)
  t.equal(compiled.validator('A')('x'), true)
  t.equal(compiled.validator('B')('x'), false)
})

t.test('a model that only fails through the model it references is reported once, on that model', async (t) => {
  const set = models({ Bad: { type: 'string', pattern: '(' }, User: { properties: { p: { $ref: REF('Bad') } } } })
  t.same(
    modelProblems(set).map((p) => p.model),
    ['Bad'],
  )
  t.throws(() => compileModels(set).validator('User'), { name: 'ModelCompileError' }, 'the proxy refuses to build it (the route answers 500)')
})
