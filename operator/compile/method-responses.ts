// A route's method responses, and the integration responses that must fit them.
//
// API Gateway refuses, at PutIntegrationResponse, an integration response whose status code has
// no method response ("Invalid Method Response identifier specified"), and a responseParameters
// mapping to a method.response.header.NAME the method response does not declare ("Invalid
// mapping expression specified: ... Invalid mapping expression parameter specified:
// method.response.header.NAME"). In AWS every method has method responses; many Tollgate
// manifests list none, so a route without methodResponses (absent or empty) is not checked and
// maps what it likes. Once a route lists them, they are the contract: both checks apply to the
// integrations that have integration responses (HTTP, MOCK, AWS; the proxy types have none).
// Header names compare case-insensitively, as HTTP header names do.
import { error, type Problem } from '../../crds/problems.js'
import type { Route } from '../../crds/api.js'
import { childField } from './fields.js'

const RESPONSE_HEADER = /^method\.response\.header\.(.+)$/
const MAPPED_TYPES = new Set(['HTTP', 'MOCK', 'AWS'])

export function methodResponseProblems(route: Route, f: string): Problem[] {
  const problems: Problem[] = []
  const declared = new Map<string, Set<string>>()
  ;(route.methodResponses ?? []).forEach((r, i) => {
    if (declared.has(r.statusCode)) {
      problems.push(error(`${f}.methodResponses[${i}].statusCode`, 'DuplicateMethodResponse', `another method response already has status code ${r.statusCode}`))
      return
    }
    declared.set(r.statusCode, new Set(Object.keys(r.responseParameters ?? {}).map((k) => k.toLowerCase())))
  })
  if (declared.size === 0 || !MAPPED_TYPES.has(route.integration.type)) return problems
  ;(route.integration.responses ?? []).forEach((r, i) => {
    const rf = `${f}.integration.responses[${i}]`
    const headers = declared.get(r.statusCode)
    if (headers === undefined) {
      problems.push(
        error(
          `${rf}.statusCode`,
          'UndeclaredMethodResponse',
          `integration response status ${r.statusCode} has no method response: the route's methodResponses must list status code ${r.statusCode}`,
        ),
      )
      return
    }
    for (const key of Object.keys(r.responseParameters ?? {})) {
      if (!RESPONSE_HEADER.test(key) || headers.has(key.toLowerCase())) continue
      problems.push(
        error(
          childField(`${rf}.responseParameters`, key),
          'UndeclaredResponseHeader',
          `${key} is not declared by the method response for status ${r.statusCode}: add it to that method response's responseParameters`,
        ),
      )
    }
  })
  return problems
}
