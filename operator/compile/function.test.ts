// Lambda ARN uris of AWS and AWS_PROXY integrations, resolved against the gateway-wide function
// endpoint (CompileOptions.functionEndpoint); the golden cases cover the other forms and the errors.
import t from 'tap'
import { compile, type CompileOptions } from './index.js'

const base: CompileOptions = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http', port: 8080 } }
const ARN_URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations'

const resources = (uri: string) => [
  {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Api',
    metadata: { name: 'lambda' },
    spec: { routes: [{ path: '/hello', method: 'GET', integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri } }] },
  },
  { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Stage', metadata: { name: 'prod' }, spec: { apiRef: { name: 'lambda' }, variables: { fn: 'hello' } } },
]

t.test('an ARN uri becomes the invoke URL of the function ARN on the function endpoint', async (t) => {
  const { config, statuses } = compile(resources(ARN_URI), { ...base, functionEndpoint: 'http://localhost:4566/' })
  t.same(statuses.flatMap((s) => s.problems), [])
  const integration = config.apis[0]!.revisions[0]!.routes[0]!.integration
  t.equal(integration.uri, 'http://localhost:4566/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations')
  t.equal(integration.payloadFormatVersion, '1.0')
})

t.test('the stage variable an ARN uri reads is checked against the stage', async (t) => {
  const [api, stage] = resources(ARN_URI)
  const bare = { ...stage!, spec: { apiRef: { name: 'lambda' } } }
  const { statuses } = compile([api!, bare], { ...base, functionEndpoint: 'http://localhost:4566' })
  const problems = statuses.find((s) => s.ref.kind === 'Stage')!.problems
  t.match(problems, [{ severity: 'warning', reason: 'UndefinedStageVariable' }])
})

t.test('without the function endpoint an ARN uri is an error that says what to do', async (t) => {
  const { config, statuses } = compile(resources(ARN_URI), base)
  t.same(config.apis, [])
  const problem = statuses.find((s) => s.ref.kind === 'Api')!.problems[0]!
  t.equal(problem.reason, 'FunctionEndpointRequired')
  t.match(problem.message, /--function-endpoint/)
})

t.test('a function ARN with a qualifier is kept whole; a malformed one is refused', async (t) => {
  const ok = compile(resources('arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:hello:live/invocations'), {
    ...base,
    functionEndpoint: 'http://lambda:9001',
  })
  t.equal(ok.config.apis[0]!.revisions[0]!.routes[0]!.integration.uri, 'http://lambda:9001/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:hello:live/invocations')
  const bad = compile(resources('arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/hello/invocations'), { ...base, functionEndpoint: 'http://lambda:9001' })
  t.match(bad.statuses.find((s) => s.ref.kind === 'Api')!.problems, [{ reason: 'InvalidUri', message: /is not a Lambda function ARN/ }])
})
