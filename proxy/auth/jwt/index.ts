// JWT (HTTP APIs) and COGNITO_USER_POOLS (REST APIs) routes: tokens verified against a JWKS.
import type { JwtAuthorizerConfig } from '../../config/schema.js'
import { GatewayError } from '../../errors.js'
import type { Handler, StageInput } from '../../pipeline/types.js'

const NOT_IMPLEMENTED = new GatewayError('TG_ERR_AUTHORIZER_CONFIGURATION', 'AUTHORIZER_CONFIGURATION_ERROR', 'JWT authorizers are not implemented yet')

export function buildJwtAuthorize(_input: StageInput, _authorizer: JwtAuthorizerConfig): Handler {
  return () => {
    throw NOT_IMPLEMENTED
  }
}
