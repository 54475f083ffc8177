// What authorization leaves on the request context for the stages after it: the authorizer's
// result ($context.authorizer.*) and, for SigV4 callers, the IAM identity ($context.identity.*).

/** $context.authorizer: what a Lambda authorizer returned, or the claims of a verified JWT. */
export interface AuthorizerResult {
  /** $context.authorizer.principalId (Lambda authorizers; JWT: the `sub` claim). */
  readonly principalId: string
  /** $context.authorizer.KEY: the Lambda authorizer's context (strings, numbers, booleans). */
  readonly context: Readonly<Record<string, string | number | boolean>>
  /** $context.authorizer.claims.NAME (JWT, COGNITO_USER_POOLS); null for Lambda authorizers. */
  readonly claims: Readonly<Record<string, unknown>> | null
  /** Scopes of a JWT (the `scope` / `scp` claim), for $context.authorizer.jwt.scopes. */
  readonly scopes: readonly string[] | null
  /** $context.authorizer.integrationLatency: milliseconds the function took (0 when cached). */
  readonly latencyMs: number
}

/** $context.identity of a SigV4-signed request (AWS_IAM). */
export interface CallerIdentity {
  readonly accessKey: string
  readonly accountId: string
  /** The IAM-style ARN of the identity, e.g. arn:aws:iam::000000000000:user/alice. */
  readonly userArn: string
  /** $context.identity.user / caller: the identity's principal id. */
  readonly user: string
  readonly caller: string
}
