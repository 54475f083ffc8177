// transform-request: builds the integration request (method, path, headers, body) from the
// method request: parameter mappings, request templates, passthrough behaviour.
import { httpRequest } from '../integrations/http.js'
import { proxyRequest } from '../integrations/http-proxy.js'
import { mockRequest } from '../integrations/mock.js'
import { arnSettings } from '../auth/arn.js'
import type { PipelineStage } from './types.js'

export const transformRequest: PipelineStage = {
  name: 'transform-request',
  build({ integration, gateway }) {
    const env = { accountId: arnSettings(gateway).accountId }
    switch (integration.type) {
      case 'HTTP_PROXY':
        return proxyRequest(integration)
      case 'HTTP':
        return httpRequest(integration, env)
      case 'MOCK':
        return mockRequest(integration, env)
      default:
        return null
    }
  },
}
