// JWT (HTTP APIs) and COGNITO_USER_POOLS (REST APIs) routes: tokens verified against the
// issuer's JSON Web Key Set (verify.ts), keys fetched and cached by the gateway's JwtKeyStore
// (keys.ts), verified tokens cached per authorizer until they expire (token-cache.ts).
//
// Answers (AWS's):
//   no token, invalid token (signature, alg, kid, iss, aud, exp, nbf), keys unavailable
//                    → 401 {"message":"Unauthorized"} (UNAUTHORIZED); HTTP APIs add
//                      www-authenticate: Bearer scope="" error="invalid_token" error_description="..."
//   none of the route's authorizationScopes in the token
//                    → HTTP APIs: 403 {"message":"Forbidden"} with error="insufficient_scope";
//                      REST (Cognito): 401 Unauthorized, as AWS documents for user pools.
//   COGNITO_USER_POOLS: a route without scopes takes identity tokens, a route with scopes access
//   tokens (AWS's rule), enforced on the token_use claim when the token has one.
//
// HOT PATH — change with care: a token seen before is a cache lookup and a few comparisons,
// synchronously (no promise); only a new token goes through verification (async).
import type { JwtAuthorizerConfig } from '../../config/schema.js'
import type { RequestContext } from '../../context.js'
import { GatewayError } from '../../errors.js'
import type { Handler, StageInput } from '../../pipeline/types.js'
import { tokenReader, withoutBearer } from './identity-source.js'
import { JwtKeyStore } from './keys.js'
import { JwtVerifier, TokenRejected, type VerifiedToken } from './verify.js'

export { JwtKeyStore, type KeyStoreOptions } from './keys.js'

const UNAUTHORIZED = new GatewayError('TG_ERR_UNAUTHORIZED', 'UNAUTHORIZED', 'the JWT is missing or invalid')
const FORBIDDEN = new GatewayError('TG_ERR_ACCESS_DENIED', 'ACCESS_DENIED', 'the JWT has none of the route authorization scopes')

const DEFAULT_SOURCE = { HTTP: '$request.header.Authorization', REST: 'method.request.header.Authorization' }

/** One verifier (and token cache) per authorizer of a config, per key store. */
const verifiers = new WeakMap<JwtKeyStore, WeakMap<JwtAuthorizerConfig, JwtVerifier>>()

function verifierFor(keys: JwtKeyStore, authorizer: JwtAuthorizerConfig): JwtVerifier {
  let byConfig = verifiers.get(keys)
  if (byConfig === undefined) verifiers.set(keys, (byConfig = new WeakMap()))
  let verifier = byConfig.get(authorizer)
  if (verifier === undefined) byConfig.set(authorizer, (verifier = new JwtVerifier(authorizer, keys)))
  return verifier
}

function quoted(value: string): string {
  return value.replace(/["\\]/g, '')
}

export function buildJwtAuthorize(input: StageInput, authorizer: JwtAuthorizerConfig): Handler {
  // Without a store (StageInputs built by hand), the route gets keys of its own.
  const verifier = verifierFor(input.jwtKeys ?? new JwtKeyStore(), authorizer)
  const http = input.api.protocol === 'HTTP'
  const read = tokenReader(authorizer.identitySources[0] ?? DEFAULT_SOURCE[http ? 'HTTP' : 'REST'])
  const scopes = input.route.authorizationScopes ?? []
  const cognito = authorizer.type === 'COGNITO_USER_POOLS'
  const requiredTokenUse = scopes.length > 0 ? 'access' : 'id'
  const insufficientScope = http ? FORBIDDEN : UNAUTHORIZED
  const scopeChallenge = `Bearer scope="${quoted(scopes.join(' '))}" error="insufficient_scope" error_description="expected scopes: [${quoted(scopes.join(' '))}]"`

  function refuse(ctx: RequestContext, err: GatewayError, challenge: string | null): never {
    if (http && challenge !== null) ctx.res.setHeader('www-authenticate', challenge)
    throw err
  }

  function invalid(ctx: RequestContext, description: string): never {
    return refuse(ctx, UNAUTHORIZED, `Bearer scope="" error="invalid_token" error_description="${quoted(description)}"`)
  }

  /** Route-level checks of a verified token, then $context.authorizer. */
  function admit(ctx: RequestContext, token: VerifiedToken): void {
    if (cognito && token.tokenUse !== undefined && token.tokenUse !== requiredTokenUse) {
      invalid(ctx, `the route takes ${requiredTokenUse} tokens`)
    }
    if (scopes.length > 0) {
      const held = token.result.scopes
      let granted = false
      if (held !== null) for (let i = 0; i < scopes.length && !granted; i++) granted = held.includes(scopes[i]!)
      if (!granted) refuse(ctx, insufficientScope, scopeChallenge)
    }
    ctx.authorizer = token.result
  }

  return (ctx) => {
    // The cache is keyed by the value as sent ("Bearer ..." or the bare token): a hit costs no
    // string work besides the lookup.
    const value = read(ctx)
    if (value === undefined) return refuse(ctx, UNAUTHORIZED, null)
    const cached = verifier.cache.get(value, ctx.startedAt)
    if (cached !== undefined) return admit(ctx, cached)
    const token = withoutBearer(value)
    if (token === '') return refuse(ctx, UNAUTHORIZED, null)
    return verifier.verify(token, value).then(
      (verified) => admit(ctx, verified),
      (err: unknown) => {
        if (err instanceof TokenRejected) invalid(ctx, err.description)
        throw err
      },
    )
  }
}
