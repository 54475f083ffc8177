// Helpers of the function integration tests: manifests compiled by the real compiler and served
// by a real gateway (the way `tollgate run` serves them), functions as real HTTP servers speaking
// the Lambda invoke API (test/auth/lambda/functions.ts), called with undici.
import type { ResourceObject } from '../../crds/validate.js'
import { compile } from '../../operator/compile/index.js'
import type { GatewayConfig } from '../../proxy/config/schema.js'
import type { GatewayOptions } from '../../proxy/gateway.js'
import { startGateway, type Running } from '../proxy/helpers.js'

export { startFunction, policy, type AuthorizerFunction as FunctionServer, type Behaviour } from '../auth/lambda/functions.js'

export function compiled(resources: ResourceObject[], functionEndpoint?: string): GatewayConfig {
  const result = compile(resources, {
    domain: 'localhost',
    defaultNamespace: 'default',
    endpoint: { scheme: 'http', port: 8080 },
    ...(functionEndpoint !== undefined ? { functionEndpoint } : {}),
  })
  for (const s of result.statuses) {
    const errors = s.problems.filter((p) => p.severity === 'error')
    if (errors.length > 0) throw new Error(`${s.ref.kind} ${s.ref.name}: ${JSON.stringify(errors)}`)
  }
  return result.config
}

export function serve(resources: ResourceObject[], options: GatewayOptions = {}): Promise<Running> {
  return startGateway(compiled(resources), options)
}

export function apiManifest(name: string, spec: Record<string, unknown>): ResourceObject {
  return { apiVersion: 'tollgate.dev/v1alpha1', kind: 'Api', metadata: { name }, spec: { apiId: name, ...spec } }
}

export function stageManifest(api: string, stageName: string, variables?: Record<string, string>): ResourceObject {
  return {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'Stage',
    metadata: { name: `${api}-${stageName.replace('$', '')}` },
    spec: { apiRef: { name: api }, stageName, ...(variables !== undefined ? { variables } : {}) },
  }
}

/** The time fields of an event: checked here (format, window), then replaced by the received values. */
export const CLF_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/
export const TRACE_ID = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/
