// integrate: calls the backend (HTTP, HTTP_PROXY), invokes the function (AWS, AWS_PROXY) or
// computes the mock status (MOCK).
// HTTP_PROXY streams the backend's response to the client (and ends the chain), except on
// routes the stage caches: there the response is taken whole so respond can record it.
import { httpIntegrate } from '../integrations/http.js'
import { routeCache } from '../cache/key.js'
import { bufferedProxyIntegrate } from '../integrations/buffered-proxy.js'
import { proxyIntegrate } from '../integrations/http-proxy.js'
import { mockIntegrate } from '../integrations/mock.js'
import { functionIntegrate } from '../integrations/function/invoke.js'
import type { PipelineStage } from './types.js'

export const integrate: PipelineStage = {
  name: 'integrate',
  build({ integration, stage, route }) {
    switch (integration.type) {
      case 'HTTP_PROXY':
        return routeCache(stage, route) === undefined ? proxyIntegrate(integration) : bufferedProxyIntegrate(integration)
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
