// AWS_IAM routes: SigV4-signed requests verified against access keys from Secrets.
import { GatewayError } from '../../errors.js'
import type { Handler, StageInput } from '../../pipeline/types.js'

const NOT_IMPLEMENTED = new GatewayError('TG_ERR_AUTHORIZER_CONFIGURATION', 'AUTHORIZER_CONFIGURATION_ERROR', 'AWS_IAM authorization is not implemented yet')

export function buildIamAuthorize(_input: StageInput): Handler {
  return () => {
    throw NOT_IMPLEMENTED
  }
}
