// transform-response: turns the integration response into the method response for HTTP, MOCK
// and AWS: the selected integration response (status, mapped headers, template or passthrough
// body; AWS selects on the function's errorMessage); for AWS_PROXY the function's result. Not built for HTTP_PROXY: a proxy response is the backend's, streamed by the proxy call
// (integrations/proxy-call.ts) as it arrives.
import { httpResponse } from '../integrations/http.js'
import { mockResponse } from '../integrations/mock.js'
import { awsResponse } from '../integrations/function/aws.js'
import { awsProxyResponse } from '../integrations/function/aws-proxy.js'
import { arnSettings } from '../auth/arn.js'
import type { PipelineStage } from './types.js'

export const transformResponse: PipelineStage = {
  name: 'transform-response',
  build(input) {
    const { integration, gateway } = input
    const env = { accountId: arnSettings(gateway).accountId }
    switch (integration.type) {
      case 'HTTP':
        return httpResponse(integration, env)
      case 'MOCK':
        return mockResponse(integration, env)
      case 'AWS_PROXY':
        return awsProxyResponse(integration, input)
      case 'AWS':
        return awsResponse(integration, env)
      default:
        return null
    }
  },
}
