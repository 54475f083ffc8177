// Fields the resource schemas accept but GatewayConfig does not carry yet, so the proxy cannot
// act on them. Using one is not an error (manifests written for API Gateway keep working),
// but the status says so with a NotImplemented warning instead of silently ignoring it.
// Delete a line here when its feature lands in the contract.
import { warning, type Problem } from '../../crds/problems.js'
import type { ApiSpec } from '../../crds/api.js'

const API_FIELDS = ['minimumCompressionSize'] as const
const INTEGRATION_FIELDS = ['cacheNamespace'] as const
// Every Stage field is enforced now; methodSettings fields that are not are reported per field in stage.ts.

function notEnforced(field: string): Problem {
  return warning(field, 'NotImplemented', 'is accepted but not enforced yet')
}

export function apiNotImplemented(spec: ApiSpec): Problem[] {
  const problems: Problem[] = []
  for (const key of API_FIELDS) if (spec[key] !== undefined) problems.push(notEnforced(`spec.${key}`))
  spec.routes.forEach((route, i) => {
    for (const key of INTEGRATION_FIELDS) {
      if (route.integration[key] !== undefined) problems.push(notEnforced(`spec.routes[${i}].integration.${key}`))
    }
  })
  return problems
}

