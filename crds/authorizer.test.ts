import t, { type Test } from 'tap'
import type { Problem } from './problems.js'
import { validateResource } from './validate.js'

/** Exactly these problems (t.match alone accepts extra items). */
function expectProblems(t: Test, found: Problem[], wanted: object[]): void {
  t.equal(found.length, wanted.length, `problem count of ${JSON.stringify(found)}`)
  t.match(found, wanted)
}

const authorizer = (spec: Record<string, unknown>) => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'Authorizer',
  metadata: { name: 'auth', namespace: 'default' },
  spec,
})
const fn = { name: 'auth-fn', port: 8080 }
const problemsOf = (spec: Record<string, unknown>) => validateResource(authorizer(spec)).problems

t.test('valid authorizers of every type', async (t) => {
  t.same(problemsOf({ type: 'TOKEN', functionRef: fn, identitySource: 'method.request.header.Authorization', identityValidationExpression: '^Bearer .+$', resultTtlInSeconds: 0 }), [])
  t.same(problemsOf({ type: 'REQUEST', functionUri: 'http://127.0.0.1:9001/2015-03-31/functions/function/invocations', identitySource: 'method.request.header.X-User, method.request.querystring.tenant, stageVariables.env, context.sourceIp' }), [])
  t.same(problemsOf({ type: 'REQUEST', functionRef: fn, identitySource: ['$request.header.Authorization', '$context.routeKey'], authorizerPayloadFormatVersion: '2.0', enableSimpleResponses: true }), [])
  t.same(problemsOf({ type: 'REQUEST', functionRef: fn, resultTtlInSeconds: 0 }), [], 'REQUEST without caching needs no identity source')
  t.same(problemsOf({ type: 'JWT', jwtConfiguration: { issuer: 'https://issuer.example', audience: ['api'] } }), [])
  t.same(problemsOf({ type: 'COGNITO_USER_POOLS', providerArns: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123'] }), [])
  t.same(problemsOf({ type: 'COGNITO_USER_POOLS', issuer: 'http://localhost:9229/local_pool', jwksUri: 'http://localhost:9229/local_pool/.well-known/jwks.json' }), [])
})

t.test('unknown type', async (t) => {
  expectProblems(t, problemsOf({ type: 'LAMBDA' }), [{ field: 'spec.type', message: 'must be one of TOKEN, REQUEST, JWT, COGNITO_USER_POOLS; got "LAMBDA"' }])
})

t.test('resultTtlInSeconds is 0..3600', async (t) => {
  expectProblems(t, problemsOf({ type: 'TOKEN', functionRef: fn, identitySource: 'method.request.header.Authorization', resultTtlInSeconds: 3601 }), [
    { field: 'spec.resultTtlInSeconds', message: 'must be at most 3600; got 3601' },
  ])
})

t.test('a bad identity source is reported inside the string or list form', async (t) => {
  expectProblems(t, problemsOf({ type: 'TOKEN', functionRef: fn, identitySource: 'header.Authorization' }), [
    { field: 'spec.identitySource', message: /^must match .*got "header.Authorization"$/ },
  ])
  expectProblems(t, problemsOf({ type: 'REQUEST', functionRef: fn, identitySource: ['$request.header.A', 'Authorization'] }), [
    { field: 'spec.identitySource[1]', message: /^must match .*got "Authorization"$/ },
  ])
  expectProblems(t, problemsOf({ type: 'REQUEST', functionRef: fn, identitySource: 42 }), [{ field: 'spec.identitySource', message: 'must be a string or an array; got 42' }])
})

t.test('a TOKEN authorizer reads one header', async (t) => {
  const problem = { field: 'spec.identitySource', reason: 'InvalidIdentitySource', message: /one header: method\.request\.header\.NAME/ }
  expectProblems(t, problemsOf({ type: 'TOKEN', functionRef: fn, identitySource: 'method.request.header.A, method.request.header.B' }), [problem])
  expectProblems(t, problemsOf({ type: 'TOKEN', functionRef: fn, identitySource: ['method.request.querystring.token'] }), [problem])
  t.same(problemsOf({ type: 'TOKEN', functionRef: fn, identitySource: ['method.request.header.X-Token'] }), [])
})

t.test('TOKEN and REQUEST need exactly one function endpoint', async (t) => {
  expectProblems(t, problemsOf({ type: 'TOKEN', identitySource: 'method.request.header.Authorization' }), [
    { field: 'spec.functionRef', reason: 'InvalidFunction', message: 'TOKEN authorizers need exactly one of functionRef or functionUri' },
  ])
  expectProblems(t, problemsOf({ type: 'REQUEST', functionRef: fn, functionUri: 'http://x/', resultTtlInSeconds: 0 }), [{ field: 'spec.functionRef', reason: 'InvalidFunction' }])
})

t.test('identity source requirements follow AWS', async (t) => {
  expectProblems(t, problemsOf({ type: 'TOKEN', functionRef: fn }), [{ field: 'spec.identitySource', reason: 'MissingIdentitySource', message: /TOKEN authorizers read the token/ }])
  expectProblems(t, problemsOf({ type: 'REQUEST', functionRef: fn }), [{ field: 'spec.identitySource', reason: 'MissingIdentitySource', message: /cached results are keyed by it/ }])
})

t.test('fields of other types are mistakes', async (t) => {
  expectProblems(t, problemsOf({ type: 'JWT', jwtConfiguration: { issuer: 'https://i', audience: ['a'] }, functionRef: fn }), [
    { field: 'spec.functionRef', reason: 'FieldNotApplicable', message: 'applies only to type TOKEN or REQUEST, not JWT' },
  ])
  expectProblems(t, problemsOf({ type: 'REQUEST', functionRef: fn, resultTtlInSeconds: 0, identityValidationExpression: '.*' }), [
    { field: 'spec.identityValidationExpression', reason: 'FieldNotApplicable' },
  ])
  expectProblems(t, problemsOf({ type: 'REQUEST', functionRef: fn, resultTtlInSeconds: 0, authorizerPayloadFormatVersion: '1.0', enableSimpleResponses: true }), [
    { field: 'spec.enableSimpleResponses', message: 'simple responses need authorizerPayloadFormatVersion 2.0' },
  ])
})

t.test('JWT needs a configuration with at least one audience', async (t) => {
  expectProblems(t, problemsOf({ type: 'JWT' }), [{ field: 'spec.jwtConfiguration', reason: 'MissingJwtConfiguration' }])
  expectProblems(t, problemsOf({ type: 'JWT', jwtConfiguration: { issuer: 'https://i', audience: [] } }), [
    { field: 'spec.jwtConfiguration.audience', message: 'must have at least 1 item' },
  ])
  expectProblems(t, problemsOf({ type: 'JWT', jwtConfiguration: { issuer: 'issuer.example', audience: ['a'] } }), [{ field: 'spec.jwtConfiguration.issuer', message: /^must match/ }])
})

t.test('user pools by ARN or by issuer, not both', async (t) => {
  expectProblems(t, problemsOf({ type: 'COGNITO_USER_POOLS' }), [{ field: 'spec.providerArns', reason: 'InvalidUserPool' }])
  expectProblems(t, problemsOf({ type: 'COGNITO_USER_POOLS', providerArns: ['arn:aws:cognito-idp:us-east-1:123:userpool/x'] }), [
    { field: 'spec.providerArns[0]', message: /^must match/ },
  ])
  expectProblems(t, problemsOf({ type: 'COGNITO_USER_POOLS', providerArns: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_x1'], jwksUri: 'https://k' }), [
    { field: 'spec.jwksUri', message: 'applies only together with issuer' },
  ])
})

t.test('identityValidationExpression must compile', async (t) => {
  expectProblems(t, problemsOf({ type: 'TOKEN', functionRef: fn, identitySource: 'method.request.header.Authorization', identityValidationExpression: '^Bearer (' }), [
    { field: 'spec.identityValidationExpression', reason: 'InvalidExpression' },
  ])
})
