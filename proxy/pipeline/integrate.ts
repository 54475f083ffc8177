// integrate: calls the backend (HTTP, HTTP_PROXY), invokes the function (AWS, AWS_PROXY) or
// computes the mock status (MOCK).
import { httpIntegrate } from '../integrations/http.js'
import { proxyIntegrate } from '../integrations/http-proxy.js'
import { mockIntegrate } from '../integrations/mock.js'
import { functionIntegrate } from '../integrations/function/invoke.js'
import type { PipelineStage } from './types.js'

export const integrate: PipelineStage = {
  name: 'integrate',
  build({ integration }) {
    switch (integration.type) {
      case 'HTTP_PROXY':
        return proxyIntegrate(integration)
      case 'HTTP':
        return httpIntegrate(integration)
      case 'MOCK':
        return mockIntegrate()
      case 'AWS_PROXY':
      case 'AWS':
        return functionIntegrate(integration)
      default:
        return null
    }
  },
}
