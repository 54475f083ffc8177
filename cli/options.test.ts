import t from 'tap'
import { compileOptions } from './check.js'
import { parse } from './options.js'
import { compile } from '../operator/compile/index.js'

t.test('--region and --account-id reach the compiled config; neither given: no arn (the defaults)', async (t) => {
  const withArn = parse(['run', '-f', 'x', '--region', 'eu-west-1', '--account-id', '123456789012'], {})
  t.same(withArn.run.arn, { region: 'eu-west-1', accountId: '123456789012' })
  t.same(withArn.operator.arn, { region: 'eu-west-1', accountId: '123456789012' })
  const config = compile([], compileOptions(withArn.run)).config
  t.same(config.arn, { region: 'eu-west-1', accountId: '123456789012' })
  const plain = parse(['run', '-f', 'x'], {})
  t.equal(plain.run.arn, undefined)
  t.equal(compile([], compileOptions(plain.run)).config.arn, undefined)
  t.same(parse(['run', '-f', 'x', '--account-id', '111122223333'], {}).run.arn, { region: 'us-east-1', accountId: '111122223333' })
})

t.test('a malformed region or account is a usage error naming the flag', async (t) => {
  t.throws(() => parse(['run', '-f', 'x', '--region', 'EU'], {}), /--region must look like an AWS region/)
  t.throws(() => parse(['run', '-f', 'x', '--account-id', '12'], {}), /--account-id must be 12 digits/)
})

t.test('--function-endpoint reaches the compile options of run and the operator; a bad one is a usage error', async (t) => {
  const parsed = parse(['run', '-f', 'x', '--function-endpoint', 'http://localhost:4566/'], {})
  t.equal(parsed.run.functionEndpoint, 'http://localhost:4566')
  t.equal(parsed.operator.functionEndpoint, 'http://localhost:4566')
  t.equal(compileOptions(parsed.run).functionEndpoint, 'http://localhost:4566')
  t.equal(parse(['run', '-f', 'x'], {}).run.functionEndpoint, undefined)
  t.throws(() => parse(['run', '-f', 'x', '--function-endpoint', 'localhost:4566'], {}), /--function-endpoint must be an http\(s\) URL/)
})

t.test('deploy and --deployment-history options', async (t) => {
  const d = parse(['deploy', '--api', 'pets', '--stage', 'prod', '-n', 'shop', '--dry-run', '-o', 'yaml', '--description', 'v2'], { KUBECONFIG: '/k' })
  t.same(d.deploy, { api: 'pets', stage: 'prod', namespace: 'shop', dryRun: true, output: 'yaml', description: 'v2', kubeconfig: '/k' })
  t.equal(parse(['operator'], {}).operator.deploymentHistory, 10)
  t.equal(parse(['operator', '--deployment-history', '3'], {}).operator.deploymentHistory, 3)
  t.throws(() => parse(['operator', '--deployment-history=1.5'], {}), /--deployment-history must be an integer >= 0/)
})
