// validationErrorString: the messages of the Java json-schema-validator that API Gateway runs
// (message texts from its validation.properties, arguments as its keyword validators put them),
// in its order (keywords by name, then members by name, children only while nothing failed).
// Every case also checks that ajv (which decides) refuses the value, and valid values get no message.
// Observed on AWS: "Request body does not match model schema for content type application/json:
// [object has missing required properties ([\"body\",\"subject\",\"to\"])]"
// (https://github.com/RafPe/serverless-reqvalidator-plugin/issues/1).
import t from 'tap'
import { explain, validationErrorString } from './explain.js'
import { compileModels } from './models.js'

const MODEL = 'https://apigateway.amazonaws.com/restapis/x1y2z3/models/'

interface Case {
  name: string
  schema: unknown
  value: unknown
  expect: string
  /** Other models the schema references. */
  models?: Record<string, unknown>
}

const PET = {
  type: 'object',
  required: ['price', 'type'],
  properties: {
    id: { type: 'integer' },
    type: { type: 'string', enum: ['dog', 'cat', 'fish'] },
    price: { type: 'number', minimum: 25.0, maximum: 500.0 },
  },
}

const cases: Case[] = [
  { name: 'required', schema: { type: 'object', required: ['body', 'subject', 'to'] }, value: {}, expect: '[object has missing required properties (["body","subject","to"])]' },
  { name: 'required: only the missing ones, in schema order', schema: { required: ['to', 'body', 'subject'] }, value: { body: 'x' }, expect: '[object has missing required properties (["to","subject"])]' },
  { name: 'type', schema: { type: 'integer' }, value: 'x', expect: '[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]' },
  { name: 'type number allows integer too', schema: { type: 'number' }, value: true, expect: '[instance type (boolean) does not match any allowed primitive type (allowed: ["integer","number"])]' },
  { name: 'type list prints in NodeType order', schema: { type: ['string', 'null', 'array'] }, value: 1.5, expect: '[instance type (number) does not match any allowed primitive type (allowed: ["array","null","string"])]' },
  { name: 'type of a fraction is number', schema: { type: 'integer' }, value: 2.5, expect: '[instance type (number) does not match any allowed primitive type (allowed: ["integer"])]' },
  { name: 'enum', schema: { enum: ['dog', 'cat', 'fish'] }, value: 'bird', expect: '[instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]' },
  { name: 'enum with an object', schema: { enum: [1, { a: 1 }] }, value: { a: 2 }, expect: '[instance value ({"a":2}) not found in enum (possible values: [1,{"a":1}])]' },
  { name: 'minimum', schema: { minimum: 25 }, value: 20, expect: '[numeric instance is lower than the required minimum (minimum: 25, found: 20)]' },
  { name: 'exclusiveMinimum', schema: { minimum: 25, exclusiveMinimum: true }, value: 25, expect: '[numeric instance is not strictly greater than the required minimum 25]' },
  { name: 'maximum', schema: { maximum: 500 }, value: 500.5, expect: '[numeric instance is greater than the required maximum (maximum: 500, found: 500.5)]' },
  { name: 'exclusiveMaximum', schema: { maximum: 10, exclusiveMaximum: true }, value: 10, expect: '[numeric instance is not strictly lower than the required maximum 10]' },
  { name: 'multipleOf', schema: { multipleOf: 3 }, value: 10, expect: '[remainder of division is not zero (10 / 3)]' },
  { name: 'minLength counts code points', schema: { minLength: 3 }, value: 'a😀', expect: '[string "a😀" is too short (length: 2, required minimum: 3)]' },
  { name: 'maxLength', schema: { maxLength: 3 }, value: 'abcd', expect: '[string "abcd" is too long (length: 4, maximum allowed: 3)]' },
  { name: 'pattern (unanchored, no u flag: \\- is an escape)', schema: { pattern: '^[a-z\\-]+$' }, value: 'AB', expect: '[ECMA 262 regex "^[a-z\\-]+$" does not match input string "AB"]' },
  {
    name: 'additionalProperties: the extra names, sorted',
    schema: { properties: { a: {} }, patternProperties: { '^x-': {} }, additionalProperties: false },
    value: { a: 1, zeta: 1, 'x-ok': 1, beta: 2 },
    expect: '[object instance has properties which are not allowed by the schema: ["beta","zeta"]]',
  },
  { name: 'minItems', schema: { minItems: 2 }, value: [1], expect: '[array is too short: must have at least 2 elements but instance has 1 elements]' },
  { name: 'maxItems', schema: { maxItems: 1 }, value: [1, 2], expect: '[array is too long: must have at most 1 elements but instance has 2 elements]' },
  { name: 'uniqueItems', schema: { uniqueItems: true }, value: [{ a: 1 }, { a: 1 }], expect: '[array must not contain duplicate elements]' },
  { name: 'additionalItems', schema: { items: [{}, {}], additionalItems: false }, value: [1, 2, 3], expect: '[schema only allows 2 elements in array but instance has 3 elements]' },
  { name: 'minProperties', schema: { minProperties: 2 }, value: { a: 1 }, expect: '[object has too few properties (found 1 but schema requires at least 2)]' },
  { name: 'maxProperties', schema: { maxProperties: 0 }, value: { a: 1 }, expect: '[object has too many properties (found 1 but schema requires at most 0)]' },
  {
    name: 'dependencies (property)',
    schema: { dependencies: { card: ['billing', 'name'] } },
    value: { card: 1, name: 'x' },
    expect: '[property "card" of object has missing property dependencies (schema requires ["billing","name"]; missing: ["billing"])]',
  },
  { name: 'format email', schema: { format: 'email' }, value: 'nope', expect: '[string "nope" is not a valid email address]' },
  { name: 'format ipv4', schema: { format: 'ipv4' }, value: '300.1.1.1', expect: '[string "300.1.1.1" is not a valid IPv4 address]' },
  {
    name: 'format date-time',
    schema: { format: 'date-time' },
    value: 'yesterday',
    expect: `[string "yesterday" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]]`,
  },
  { name: 'anyOf', schema: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, value: null, expect: '[instance failed to match at least one required schema among 2]' },
  { name: 'oneOf matching two', schema: { oneOf: [{ type: 'integer' }, { minimum: 0 }] }, value: 3, expect: '[instance failed to match exactly one schema (matched 2 out of 2)]' },
  { name: 'allOf', schema: { allOf: [{ type: 'integer' }, { minimum: 5 }, { maximum: 1 }] }, value: 3, expect: '[instance failed to match all required schemas (matched only 1 out of 3)]' },
  { name: 'not', schema: { not: { type: 'string' } }, value: 'x', expect: '[instance matched a schema which it should not have]' },
  // Order and pruning, as the Java validator walks.
  { name: 'a failing object keyword stops the walk into members', schema: PET, value: { price: 1 }, expect: '[object has missing required properties (["type"])]' },
  {
    name: 'members in name order: price before type',
    schema: PET,
    value: { type: 'bird', price: 20 },
    expect: '[numeric instance is lower than the required minimum (minimum: 25, found: 20), instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]',
  },
  {
    name: 'keywords of one value in name order (enum before type)',
    schema: { properties: { type: { type: 'string', enum: ['dog'] } } },
    value: { type: 5 },
    expect: '[instance value (5) not found in enum (possible values: ["dog"]), instance type (integer) does not match any allowed primitive type (allowed: ["string"])]',
  },
  {
    name: 'a member that failed: later members are checked, but not walked into',
    schema: { properties: { a: { type: 'string' }, b: { type: 'object', properties: { x: { type: 'string' } } }, c: { type: 'string' } } },
    value: { a: 1, b: { x: 1 }, c: 2 },
    expect:
      '[instance type (integer) does not match any allowed primitive type (allowed: ["string"]), instance type (integer) does not match any allowed primitive type (allowed: ["string"])]',
  },
  {
    name: 'a nested failure comes first when its member sorts first',
    schema: { properties: { a: { properties: { x: { type: 'string' } } }, b: { type: 'string' } } },
    value: { b: 1, a: { x: 1 } },
    expect:
      '[instance type (integer) does not match any allowed primitive type (allowed: ["string"]), instance type (integer) does not match any allowed primitive type (allowed: ["string"])]',
  },
  {
    name: 'array elements against items, in order',
    schema: { type: 'array', items: { type: 'object', required: ['name'] } },
    value: [{ name: 'a' }, {}, { nom: 1 }],
    expect: '[object has missing required properties (["name"]), object has missing required properties (["name"])]',
  },
  {
    name: '$ref to another model (canonical form), and a local definition',
    schema: { type: 'object', properties: { pet: { $ref: `${MODEL}Pet` }, tags: { $ref: '#/definitions/tags' } }, definitions: { tags: { type: 'array', maxItems: 1 } } },
    models: { Pet: PET },
    value: { pet: { type: 'cat' }, tags: ['a', 'b'] },
    expect: '[object has missing required properties (["price"]), array is too long: must have at most 1 elements but instance has 2 elements]',
  },
  { name: 'keywords beside $ref are ignored (draft 4)', schema: { $ref: `${MODEL}Pet`, maxProperties: 0 }, models: { Pet: PET }, value: { type: 'cat', price: 30, id: 'x' }, expect: '[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]' },
]

t.test('the validator messages, case by case', async (t) => {
  for (const c of cases) {
    const models = compileModels({ ...Object.fromEntries(Object.entries(c.models ?? {}).map(([k, v]) => [k, { schema: v }])), Body: { schema: c.schema } })
    t.equal(models.validator('Body')(c.value), false, `${c.name}: ajv refuses the value`)
    t.equal(validationErrorString(explain((m) => models.schema(m), 'Body', c.value)), c.expect, c.name)
  }
})

t.test('valid values get no message, and ajv accepts them', async (t) => {
  const valid: Array<[unknown, unknown]> = [
    [PET, { type: 'dog', price: 25, id: 1 }],
    [{ type: 'number' }, 3],
    [{ minimum: 5, exclusiveMinimum: true }, 5.5],
    [{ pattern: 'b' }, 'abc'],
    [{ properties: { a: { type: 'string' } }, additionalProperties: { type: 'integer' } }, { a: 'x', b: 2 }],
    [{ format: 'uri' }, '/relative/path'],
    [{ format: 'unknown-format' }, 'anything'],
    [{ oneOf: [{ type: 'string' }, { type: 'integer' }] }, 3],
  ]
  for (const [schema, value] of valid) {
    const models = compileModels({ Body: { schema } })
    t.equal(models.validator('Body')(value), true, `ajv accepts ${JSON.stringify(value)}`)
    t.same(explain((m) => models.schema(m), 'Body', value), [], `no message for ${JSON.stringify(value)} against ${JSON.stringify(schema)}`)
  }
})
