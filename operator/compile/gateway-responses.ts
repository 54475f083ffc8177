// An Api's spec.gatewayResponses: its checks and `ApiConfig.gatewayResponses`.
//
// REST APIs only: API Gateway has no gateway responses for HTTP APIs, so a manifest that sets
// them on one is refused rather than silently ignored. Keys are AWS's response types
// (proxy/gateway-responses.ts, CUSTOMIZABLE_TYPES); a status must be a final status (2XX-5XX: a
// 1XX is informational and cannot end a request); response parameters and templates are parsed
// the way the proxy will (proxy/gateway-response-custom.ts), so what is accepted here builds there.
// Templates that use more than AWS's "simple variable substitution" get a warning: Tollgate
// renders them with the VTL engine, AWS does not process VTL in gateway responses.
import { error, warning, type Problem } from '../../crds/problems.js'
import type { ApiSpec } from '../../crds/api.js'
import type { GatewayResponseConfig, GatewayResponsesConfig } from '../../proxy/config/schema.js'
import { isMediaType, parseResponseParameter, usesVtl } from '../../proxy/gateway-response-custom.js'
import { CUSTOMIZABLE_TYPES, type ResponseType } from '../../proxy/gateway-responses.js'
import { compileTemplate, TemplateProblem } from '../../proxy/vtl/index.js'
import { childField } from './fields.js'

type GatewayResponsesSpec = NonNullable<ApiSpec['gatewayResponses']>

export interface CompiledGatewayResponses {
  config: GatewayResponsesConfig | undefined
  problems: Problem[]
}

const CUSTOMIZABLE: ReadonlySet<string> = new Set<ResponseType>(CUSTOMIZABLE_TYPES)

export function compileGatewayResponses(spec: GatewayResponsesSpec | undefined, protocol: 'REST' | 'HTTP' | 'WEBSOCKET'): CompiledGatewayResponses {
  if (spec === undefined) return { config: undefined, problems: [] }
  const f = 'spec.gatewayResponses'
  if (protocol !== 'REST') {
    return {
      config: undefined,
      problems: [
        error(f, 'GatewayResponsesNotSupported', `${protocol} APIs have no gateway responses (API Gateway offers them for REST APIs only); remove spec.gatewayResponses`),
      ],
    }
  }
  const problems: Problem[] = []
  const config: GatewayResponsesConfig = {}
  for (const type of Object.keys(spec).sort()) {
    const rf = childField(f, type)
    if (!CUSTOMIZABLE.has(type)) {
      problems.push(error(rf, 'InvalidGatewayResponseType', `${JSON.stringify(type)} is not a gateway response type; use one of ${CUSTOMIZABLE_TYPES.join(', ')}`))
      continue
    }
    const response = spec[type]!
    if (response.statusCode !== undefined && response.statusCode.startsWith('1')) {
      problems.push(error(`${rf}.statusCode`, 'InvalidGatewayResponseStatus', `${response.statusCode} is an informational status and cannot answer a request; use 2XX to 5XX`))
    }
    for (const [key, value] of Object.entries(response.responseParameters ?? {})) {
      const parsed = parseResponseParameter(key, value)
      if (typeof parsed === 'string') problems.push(error(childField(`${rf}.responseParameters`, key), 'InvalidGatewayResponseParameter', parsed))
    }
    for (const [contentType, text] of Object.entries(response.responseTemplates ?? {})) {
      const tf = childField(`${rf}.responseTemplates`, contentType)
      if (!isMediaType(contentType)) {
        problems.push(error(tf, 'InvalidGatewayResponseTemplate', `${JSON.stringify(contentType)} is not a media type (type/subtype, e.g. application/json)`))
        continue
      }
      try {
        const compiled = compileTemplate(text)
        if (usesVtl(compiled.ast)) {
          problems.push(
            warning(
              tf,
              'NonPortableGatewayResponseTemplate',
              'uses VTL directives or method calls: Tollgate renders them, but API Gateway renders gateway response templates by simple variable substitution only, so this template answers differently there',
            ),
          )
        }
      } catch (err) {
        if (!(err instanceof TemplateProblem)) throw err
        problems.push(error(tf, 'InvalidGatewayResponseTemplate', err.message))
      }
    }
    const out: GatewayResponseConfig = {
      responseParameters: { ...response.responseParameters },
      responseTemplates: { ...response.responseTemplates },
    }
    if (response.statusCode !== undefined) out.statusCode = response.statusCode
    config[type] = out
  }
  return { config, problems }
}
