// transform-response: turns the integration response into the method response for HTTP and
// MOCK: the selected integration response (status, mapped headers, template or passthrough
// body). Not built for HTTP_PROXY: a proxy response is the backend's, streamed by the proxy call
// (integrations/proxy-call.ts) as it arrives.
import { httpResponse } from '../integrations/http.js'
import { mockResponse } from '../integrations/mock.js'
import { arnSettings } from '../auth/arn.js'
import type { PipelineStage } from './types.js'

export const transformResponse: PipelineStage = {
  name: 'transform-response',
  build({ integration, gateway }) {
    const env = { accountId: arnSettings(gateway).accountId }
    switch (integration.type) {
      case 'HTTP':
        return httpResponse(integration, env)
      case 'MOCK':
        return mockResponse(integration, env)
      default:
        return null
    }
  },
}
