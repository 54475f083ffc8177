// transform-response: turns the integration response into the method response: for proxies the
// backend's response minus hop-by-hop headers; for HTTP and MOCK the selected integration
// response (status, mapped headers, template or passthrough body).
import { httpResponse } from '../integrations/http.js'
import { proxyResponse } from '../integrations/http-proxy.js'
import { mockResponse } from '../integrations/mock.js'
import type { PipelineStage } from './types.js'

export const transformResponse: PipelineStage = {
  name: 'transform-response',
  build({ integration }) {
    switch (integration.type) {
      case 'HTTP_PROXY':
        return proxyResponse()
      case 'HTTP':
        return httpResponse(integration)
      case 'MOCK':
        return mockResponse(integration)
      default:
        return null
    }
  },
}
