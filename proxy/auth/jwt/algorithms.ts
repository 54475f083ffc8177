// Which JWS algorithms a JWT authorizer accepts, and which JSON Web Keys may verify each.
// Only asymmetric algorithms: a shared-secret (HS*) or unsigned (`none`) token is refused before
// any key is looked at, so an HS256 token "signed" with the issuer's public key bytes (HS/RS
// confusion) never reaches a verifier. AWS documents RSA only (RS*); Tollgate also accepts PS*
// (RSA-PSS) and ES* (ECDSA), which OIDC providers such as Keycloak can be set to sign with.
import type { JWK } from 'jose'

const RSA = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])
const EC_CURVE: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }

/** True for the algorithms a token may be signed with. */
export function acceptedAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && (RSA.has(alg) || EC_CURVE[alg] !== undefined)
}

/** True when `jwk` may verify a token signed with `alg` (key type, curve, declared alg and use). */
export function keyFits(jwk: JWK, alg: string): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false
  if (jwk.alg !== undefined && jwk.alg !== alg) return false
  if (jwk.key_ops !== undefined && !jwk.key_ops.includes('verify')) return false
  if (RSA.has(alg)) return jwk.kty === 'RSA'
  const curve = EC_CURVE[alg]
  return curve !== undefined && jwk.kty === 'EC' && jwk.crv === curve
}
