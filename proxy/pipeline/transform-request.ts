// transform-request: builds the integration request (method, path, headers, body) from the
// method request: parameter mappings, request templates, passthrough behaviour; for functions
// the event (AWS_PROXY: the Lambda proxy event; AWS: the request template's output).
import { httpRequest } from '../integrations/http.js'
import { proxyRequest } from '../integrations/http-proxy.js'
import { mockRequest } from '../integrations/mock.js'
import { awsRequest } from '../integrations/function/aws.js'
import { awsProxyRequest } from '../integrations/function/aws-proxy.js'
import { arnSettings } from '../auth/arn.js'
import type { PipelineStage } from './types.js'

export const transformRequest: PipelineStage = {
  name: 'transform-request',
  build(input) {
    const { integration, gateway } = input
    const env = { accountId: arnSettings(gateway).accountId }
    switch (integration.type) {
      case 'HTTP_PROXY':
        return proxyRequest(integration)
      case 'HTTP':
        return httpRequest(integration, env)
      case 'MOCK':
        return mockRequest(integration, env)
      case 'AWS_PROXY':
        return awsProxyRequest(integration, input)
      case 'AWS':
        return awsRequest(integration, env)
      default:
        return null
    }
  },
}
