// The compiler's inputs and outputs, and the bookkeeping record it keeps for every input
// resource while it works.
import type { ResourceObject } from '../../crds/validate.js'
import type { Problem } from '../../crds/problems.js'
import type { GatewayConfig } from '../../proxy/config/schema.js'

export interface CompileOptions {
  /** Execute-api domain: APIs are served at {apiId}.execute-api.{domain}. */
  domain: string
  /** Namespace of resources that name none (files in standalone mode). */
  defaultNamespace: string
  /** How clients reach the public listener; used for the URLs written to statuses. */
  endpoint: { scheme: 'http' | 'https'; port?: number }
  /**
   * Account-wide default throttle, the last bucket of every metered request (default API
   * Gateway's 10,000 rps, burst 5,000). `tollgate run --account-rate-limit/--account-burst-limit`.
   */
  accountThrottle?: { rateLimit: number; burstLimit: number }
  /** Region and account in ARNs (methodArn); absent: us-east-1 / 000000000000. `--region`, `--account-id`. */
  arn?: { region: string; accountId: string }
  /**
   * Gateway-wide Lambda endpoint (http(s)://HOST[:PORT], e.g. LocalStack's http://localhost:4566)
   * that AWS and AWS_PROXY integrations written with a Lambda ARN uri are invoked at
   * (compile/function.ts). Absent: such a uri is an error. `--function-endpoint`.
   */
  functionEndpoint?: string
}

export interface ResourceRef {
  kind: string
  namespace: string
  name: string
}

/** What the compiler says about one input resource. */
export interface ResourceStatus {
  ref: ResourceRef
  /** metadata.generation of the input, when it had one. */
  generation?: number
  /** Everything found wrong (errors) or worth knowing (warnings), in the order found. */
  problems: Problem[]
  /** The status subresource to write: observedGeneration, conditions and per-kind fields. */
  status: Record<string, unknown>
}

export interface CompileResult {
  config: GatewayConfig
  /** One per input resource, sorted by kind, namespace, name. */
  statuses: ResourceStatus[]
}

/** The compiler's record of one input resource. */
export interface Entry {
  obj: ResourceObject
  ref: ResourceRef
  generation: number | undefined
  /** Schema-valid (validateResource passed) and not a dropped duplicate. */
  valid: boolean
  problems: Problem[]
}

export function refKey(ref: ResourceRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error')
}
