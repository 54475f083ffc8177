import t from 'tap'
import { evaluatePolicy, parsePolicy, PolicyError, wildcard } from './policy.js'

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets/42'

t.test('wildcards: * spans slashes, ? is one character, the rest is literal', async (t) => {
  t.ok(wildcard('arn:aws:execute-api:*:*:abc123/*', false).test(ARN))
  t.ok(wildcard('arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets/??', false).test(ARN))
  t.notOk(wildcard('arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/pets/?', false).test(ARN))
  t.notOk(wildcard('arn:aws:execute-api:*:*:abc123/prod/get/*', false).test(ARN), 'resources are case-sensitive')
  t.ok(wildcard('execute-api:invoke', true).test('execute-api:Invoke'), 'actions are not')
  t.notOk(wildcard('a.c', false).test('abc'), '. is literal')
})

t.test('an explicit Deny wins over an Allow; no matching Allow is NONE', async (t) => {
  const policy = parsePolicy({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:abc123/prod/*' },
      { Effect: 'Deny', Action: ['execute-api:*'], Resource: ['arn:aws:execute-api:*:*:abc123/prod/DELETE/*'] },
    ],
  })
  t.equal(evaluatePolicy(policy, 'execute-api:Invoke', ARN), 'ALLOW')
  t.equal(evaluatePolicy(policy, 'execute-api:Invoke', ARN.replace('/GET/', '/DELETE/')), 'DENY')
  t.equal(evaluatePolicy(policy, 'execute-api:Invoke', ARN.replace('/prod/', '/test/')), 'NONE')
})

t.test('NotAction and NotResource; a single Statement object; JSON text', async (t) => {
  const policy = parsePolicy(
    JSON.stringify({ Statement: { Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: 'arn:aws:execute-api:*:*:abc123/*/POST/*' } }),
  )
  t.equal(evaluatePolicy(policy, 'execute-api:Invoke', ARN), 'ALLOW')
  t.equal(evaluatePolicy(policy, 'execute-api:Invoke', ARN.replace('/GET/', '/POST/')), 'NONE')
  const notAction = parsePolicy({ Statement: [{ Effect: 'Deny', NotAction: 'execute-api:ManageConnections', Resource: '*' }] })
  t.equal(evaluatePolicy(notAction, 'execute-api:Invoke', ARN), 'DENY')
})

t.test('statements with Principal or Condition match only through matchesExtra', async (t) => {
  const policy = parsePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' }] })
  t.equal(evaluatePolicy(policy, 'execute-api:Invoke', ARN), 'NONE')
  t.equal(evaluatePolicy(policy, 'execute-api:Invoke', ARN, () => true), 'ALLOW')
})

t.test('malformed documents are refused with the reason', async (t) => {
  const bad: [unknown, RegExp][] = [
    ['{', /not valid JSON/],
    [[], /must be an object/],
    [{ Statement: [] }, /no Statement/],
    [{ Statement: [{ Effect: 'allow', Action: 'a', Resource: '*' }] }, /Effect must be Allow or Deny/],
    [{ Statement: [{ Effect: 'Allow', Resource: '*' }] }, /exactly one of Action or NotAction/],
    [{ Statement: [{ Effect: 'Allow', Action: 'a' }] }, /exactly one of Resource or NotResource/],
    [{ Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, /Action must be a string or a non-empty list/],
    [{ Statement: [{ Effect: 'Allow', Action: 'a', Resource: [1] }] }, /Resource must be a string/],
  ]
  for (const [doc, message] of bad) t.throws(() => parsePolicy(doc), { constructor: PolicyError, message })
})
