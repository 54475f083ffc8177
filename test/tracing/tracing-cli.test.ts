// The exporter settings of `tollgate run` and `tollgate proxy`: flags, then OpenTelemetry's
// standard environment, read once in main (cli/tracing-options.ts); and `tollgate run` with
// them exports the spans of a traced stage to a real OTLP receiver.
import t from 'tap'
import { request } from 'undici'
import { parse } from '../../cli/options.js'
import { startStandalone } from '../../cli/run.js'
import { manifestDir } from '../helpers/servers.js'
import { KIND, startReceiver } from './otlp-receiver.js'

t.test('flags win over the environment; the environment is the standard one', async (t) => {
  t.same(parse(['proxy'], {}).proxy.tracing, { endpoint: '', serviceName: 'tollgate-proxy', sampleRatio: 1 }, 'nothing set: no export')
  t.same(parse(['run', '-f', 'x'], {}).run.tracing, { endpoint: '', serviceName: 'tollgate', sampleRatio: 1 })
  t.same(
    parse(['proxy', '--otlp-endpoint', 'http://collector:4318/', '--trace-sample-ratio', '0.25', '--trace-service-name', 'edge'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318',
      OTEL_SERVICE_NAME: 'other',
    }).proxy.tracing,
    { endpoint: 'http://collector:4318/v1/traces', serviceName: 'edge', sampleRatio: 0.25 },
  )
  t.equal(parse(['proxy', '--otlp-endpoint', 'https://c.example.com/otlp/v1/traces'], {}).proxy.tracing?.endpoint, 'https://c.example.com/otlp/v1/traces', 'a traces URL as it is')
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'gw-eu', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }
  t.same(parse(['proxy'], env).proxy.tracing, { endpoint: 'http://collector:4318/v1/traces', serviceName: 'gw-eu', sampleRatio: 0.1 })
  t.equal(parse(['proxy'], { ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom' }).proxy.tracing?.endpoint, 'http://traces:9999/custom', 'the traces endpoint, as it is, first')
  t.equal(parse(['proxy'], { ...env, OTEL_TRACES_EXPORTER: 'none' }).proxy.tracing?.endpoint, '', 'OTEL_TRACES_EXPORTER=none')
  t.equal(parse(['proxy'], { ...env, OTEL_SDK_DISABLED: 'true' }).proxy.tracing?.endpoint, '')
  t.equal(parse(['proxy', '--otlp-endpoint', 'http://x:4318'], { OTEL_SDK_DISABLED: 'true' }).proxy.tracing?.endpoint, 'http://x:4318/v1/traces', 'a flag is a flag')
  t.equal(parse(['proxy'], { OTEL_TRACES_SAMPLER: 'always_off' }).proxy.tracing?.sampleRatio, 0)
  t.equal(parse(['proxy'], { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }).proxy.tracing?.sampleRatio, 1)
})

t.test('bad values are usage errors naming the flag or variable; other commands never read them', async (t) => {
  t.throws(() => parse(['proxy', '--otlp-endpoint', 'collector:4318'], {}), { code: 'TG_ERR_USAGE', message: /--otlp-endpoint must be an http\(s\) URL/ })
  t.throws(() => parse(['proxy', '--trace-sample-ratio', '2'], {}), /--trace-sample-ratio must be a number from 0 to 1/)
  t.throws(() => parse(['run', '-f', 'x', '--trace-sample-ratio', 'half'], {}), /--trace-sample-ratio/)
  t.throws(() => parse(['proxy'], { OTEL_TRACES_SAMPLER: 'xray' }), /OTEL_TRACES_SAMPLER "xray" is not supported/)
  t.throws(() => parse(['proxy'], { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '-1' }), /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/)
  t.throws(() => parse(['proxy'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://c:4317' }), /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/)
  const validate = parse(['validate', '-f', 'x'], { OTEL_TRACES_SAMPLER: 'xray' })
  t.equal(validate.run.tracing, undefined, 'validate neither reads nor needs them')
})

const manifest = `
apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: hello}
spec:
  apiId: hello00001
  routes:
    - path: /hi
      method: GET
      integration:
        type: MOCK
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: [{statusCode: '200', responseTemplates: {application/json: '{"hi": true}'}}]
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: hello-prod}
spec: {apiRef: {name: hello}, stageName: prod, tracingEnabled: true}
`

t.test('tollgate run exports the spans of a traced stage where --otlp-endpoint says', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const dir = manifestDir({ 'api.yaml': manifest })
  const logs: string[] = []
  const endpoint = receiver.url.replace(/\/v1\/traces$/, '')
  const args = parse(['run', '-f', dir, '--otlp-endpoint', endpoint, '--trace-service-name', 'standalone-test'], {})
  const s = await startStandalone({ ...args.run, port: 0, adminPort: undefined, holdOffMs: 20 }, (l) => logs.push(l))
  t.teardown(() => s.close())
  t.match(logs.join('\n'), `tracing: stages with tracingEnabled export spans to ${receiver.url}`)
  const res = await request(`http://127.0.0.1:${s.port}/prod/hi`, { headers: { host: 'hello00001.execute-api.localhost', traceparent: `00-${'9'.repeat(32)}-${'8'.repeat(16)}-01` } })
  t.equal(res.statusCode, 200)
  await res.body.text()
  for (let i = 0; i < 200 && !receiver.spans.some((x) => x.traceId === '9'.repeat(32)); i++) {
    await s.tracing!.flush()
    await new Promise((r) => setTimeout(r, 10))
  }
  const span = receiver.spans.find((x) => x.traceId === '9'.repeat(32))
  t.ok(span, 'the SERVER span arrived')
  t.equal(span?.kind, KIND.SERVER)
  t.equal(span?.name, 'GET /hi')
  t.equal(span?.resource['service.name'], 'standalone-test')
})

t.test('tollgate run without an endpoint warns about a traced stage', async (t) => {
  const dir = manifestDir({ 'api.yaml': manifest })
  const logs: string[] = []
  const args = parse(['run', '-f', dir], {})
  const s = await startStandalone({ ...args.run, port: 0, adminPort: undefined, holdOffMs: 20 }, (l) => logs.push(l))
  t.teardown(() => s.close())
  t.match(logs.join('\n'), /warning: a stage has tracingEnabled but no OTLP endpoint is set/)
  t.notMatch(logs.join('\n'), /export spans to/)
})
