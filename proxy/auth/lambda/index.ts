// CUSTOM routes: TOKEN and REQUEST authorizers called over the Lambda invoke API.
import type { LambdaAuthorizerConfig } from '../../config/schema.js'
import { GatewayError } from '../../errors.js'
import type { Handler, StageInput } from '../../pipeline/types.js'

const NOT_IMPLEMENTED = new GatewayError('TG_ERR_AUTHORIZER_CONFIGURATION', 'AUTHORIZER_CONFIGURATION_ERROR', 'Lambda authorizers are not implemented yet')

export function buildLambdaAuthorize(_input: StageInput, _authorizer: LambdaAuthorizerConfig): Handler {
  return () => {
    throw NOT_IMPLEMENTED
  }
}
