// Verification of one authorizer's tokens, as API Gateway's JWT authorizer does it: decode, check
// the algorithm (asymmetric only), the issuer (before any key is fetched: only configured
// issuers' keys are ever fetched), the signature with the key named by `kid`, `exp` and `nbf`
// within CLOCK_SKEW_SECONDS, and the audience (`aud`, or `client_id` when the token has no
// `aud`, as AWS does). Route-level checks (scopes, Cognito's token_use) are the caller's
// (index.ts): one verifier and one token cache serve every route of the authorizer.
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose'
import type { JwtAuthorizerConfig } from '../../config/schema.js'
import type { AuthorizerResult } from '../types.js'
import { acceptedAlgorithm } from './algorithms.js'
import { KeyUnavailable, type JwtKeyStore } from './keys.js'
import { TokenCache } from './token-cache.js'

/**
 * Tolerance on `exp` and `nbf`, in seconds. AWS documents none; 60 s is the usual allowance for
 * clocks of issuer and gateway drifting apart (Envoy's jwt_authn default, for one).
 */
export const CLOCK_SKEW_SECONDS = 60
/** Verified tokens kept per authorizer. */
export const TOKEN_CACHE_CAPACITY = 10_000

/** A token refused; `description` is what HTTP APIs put in www-authenticate (AWS's wording style). */
export class TokenRejected extends Error {
  constructor(readonly description: string) {
    super(description)
    this.name = 'TokenRejected'
  }
}

export interface VerifiedToken {
  /** What the authorize stage leaves on the context ($context.authorizer.claims, jwt.scopes). */
  readonly result: AuthorizerResult
  /** Cognito's token_use claim ("id" or "access"), when the token has one. */
  readonly tokenUse: string | undefined
}

const MALFORMED = new TokenRejected('the token is malformed')
const BAD_ALGORITHM = new TokenRejected('the token signing algorithm is not supported')
const NO_KID = new TokenRejected('the token has no kid')
const BAD_ISSUER = new TokenRejected('the token does not have a valid issuer')
const BAD_AUDIENCE = new TokenRejected('the token does not have a valid audience')
const BAD_SIGNATURE = new TokenRejected('the token signature is invalid')
const EXPIRED = new TokenRejected('the token has expired')
const NOT_YET_VALID = new TokenRejected('the token is not valid yet')
const NO_EXPIRY = new TokenRejected('the token has no expiration time')

const NO_CONTEXT: Readonly<Record<string, string | number | boolean>> = Object.freeze({})

export class JwtVerifier {
  readonly cache = new TokenCache<VerifiedToken>(TOKEN_CACHE_CAPACITY)
  private readonly issuers: ReadonlySet<string>
  private readonly audiences: ReadonlySet<string>

  constructor(
    private readonly config: JwtAuthorizerConfig,
    private readonly keys: JwtKeyStore,
  ) {
    this.issuers = new Set(config.issuers)
    this.audiences = new Set(config.audiences)
  }

  /**
   * Verifies `token` (already without "Bearer "); on success caches it under `cacheKey` (default:
   * the token; the handler uses the identity source's value as sent) and returns it, else throws
   * TokenRejected.
   */
  async verify(token: string, cacheKey = token): Promise<VerifiedToken> {
    const started = Date.now()
    let alg: unknown
    let kid: unknown
    let unverified: JWTPayload
    try {
      ;({ alg, kid } = decodeProtectedHeader(token))
      unverified = decodeJwt(token)
    } catch {
      throw MALFORMED
    }
    if (!acceptedAlgorithm(alg)) throw BAD_ALGORITHM
    if (typeof kid !== 'string' || kid === '') throw NO_KID
    const iss = unverified.iss
    if (typeof iss !== 'string' || !this.issuers.has(iss)) throw BAD_ISSUER

    let key
    try {
      key = await this.keys.key(await this.jwksUri(iss), kid, alg)
    } catch (err) {
      if (err instanceof KeyUnavailable) throw new TokenRejected(err.description)
      throw err
    }
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, key, { algorithms: [alg], issuer: iss, clockTolerance: CLOCK_SKEW_SECONDS, requiredClaims: ['exp'] }))
    } catch (err) {
      throw rejection(err)
    }
    if (this.audiences.size > 0 && !this.audienceMatches(payload)) throw BAD_AUDIENCE

    const verified: VerifiedToken = {
      result: result(payload, Date.now() - started),
      tokenUse: typeof payload.token_use === 'string' ? payload.token_use : undefined,
    }
    // Later hits report no authorizer latency (nothing was verified for them).
    const cached: VerifiedToken = { ...verified, result: { ...verified.result, latencyMs: 0 } }
    this.cache.set(cacheKey, cached, (payload.exp! + CLOCK_SKEW_SECONDS) * 1000)
    return verified
  }

  /** Where the issuer's keys are: jwksUri, Cognito's {issuer}/.well-known/jwks.json, or OIDC discovery. */
  private jwksUri(iss: string): string | Promise<string> {
    if (this.config.jwksUri !== undefined) return this.config.jwksUri
    if (this.config.type === 'COGNITO_USER_POOLS') return `${iss.replace(/\/+$/, '')}/.well-known/jwks.json`
    return this.keys.discoveredJwksUri(iss)
  }

  /** AWS: `aud` must name an accepted audience; `client_id` is compared only when there is no `aud`. */
  private audienceMatches(payload: JWTPayload): boolean {
    const aud = payload.aud
    if (aud !== undefined) return typeof aud === 'string' ? this.audiences.has(aud) : aud.some((a) => this.audiences.has(a))
    const clientId = payload.client_id
    return typeof clientId === 'string' && this.audiences.has(clientId)
  }
}

function rejection(err: unknown): TokenRejected {
  if (err instanceof errors.JWTExpired) return EXPIRED
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return NOT_YET_VALID
    if (err.claim === 'exp') return NO_EXPIRY
    if (err.claim === 'iss') return BAD_ISSUER
    return MALFORMED
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return BAD_SIGNATURE
  if (err instanceof errors.JOSEAlgNotAllowed) return BAD_ALGORITHM
  return MALFORMED
}

/** The token's scopes: `scope` (space-separated) and/or `scp` (a list or a string); null without either. */
export function scopesOf(payload: JWTPayload): string[] | null {
  const found: string[] = []
  let any = false
  const { scope, scp } = payload as { scope?: unknown; scp?: unknown }
  for (const claim of [scope, scp]) {
    if (typeof claim === 'string') {
      any = true
      for (const s of claim.split(' ')) if (s !== '') found.push(s)
    } else if (Array.isArray(claim)) {
      any = true
      for (const s of claim) if (typeof s === 'string' && s !== '') found.push(s)
    }
  }
  return any ? found : null
}

function result(payload: JWTPayload, latencyMs: number): AuthorizerResult {
  return {
    principalId: typeof payload.sub === 'string' ? payload.sub : '',
    context: NO_CONTEXT,
    claims: Object.freeze({ ...payload }),
    scopes: scopesOf(payload),
    latencyMs,
  }
}
