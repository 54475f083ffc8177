// The REST API every Tollgate benchmark target serves: Api `bench`, GET /pets/{petId} by
// HTTP_PROXY to the bench upstream, on stage `prod`; each target adds what it measures (route
// fields, integration fields, stage settings, more resources). Compiled by the real compiler;
// a manifest error throws, so a target never measures a route that did not compile.
import { compile } from '../operator/compile/index.js'
import type { ResourceObject } from '../crds/validate.js'
import type { GatewayConfig } from '../proxy/config/schema.js'

export interface BenchApiOptions {
  /** Added to the route (e.g. authorizationType). */
  readonly route?: Record<string, unknown>
  /** Added to the route's integration (e.g. cacheKeyParameters). */
  readonly integration?: Record<string, unknown>
  /** Added to the Stage's spec (e.g. cache, tracingEnabled, accessLogSettings). */
  readonly stage?: Record<string, unknown>
  /** More resources (an Authorizer, Secrets, …). */
  readonly resources?: readonly ResourceObject[]
}

export function benchApi(upstream: number, opts: BenchApiOptions = {}): GatewayConfig {
  const resources: ResourceObject[] = [
    ...(opts.resources ?? []),
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Api',
      metadata: { name: 'bench', namespace: 'default' },
      spec: {
        apiId: 'bench',
        routes: [
          {
            path: '/pets/{petId}',
            method: 'GET',
            ...opts.route,
            integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `http://127.0.0.1:${upstream}/pets/{petId}`, ...opts.integration },
          },
        ],
      },
    },
    {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'Stage',
      metadata: { name: 'bench-prod', namespace: 'default' },
      spec: { apiRef: { name: 'bench' }, stageName: 'prod', ...opts.stage },
    },
  ]
  const { config, statuses } = compile(resources, { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http' } })
  const errors = statuses.flatMap((s) => s.problems.filter((p) => p.severity === 'error'))
  if (errors.length > 0) throw new Error(`bench manifests: ${JSON.stringify(errors)}`)
  return config
}
