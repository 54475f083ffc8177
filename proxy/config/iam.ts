// The IAM part of the GatewayConfig contract: the identities SigV4-signed requests (routes with
// authorizationType AWS_IAM) are verified against. Each comes from one Kubernetes Secret labelled
// `tollgate.dev/iam-identity` (operator/compile/iam.ts), like an IAM user with one access key and
// its identity policies.
//
// Secret material: `secretAccessKey` is here in clear because verifying a SigV4 signature needs
// the key itself (the design allows "SigV4 credentials" in the config). The proxy never logs it
// and never puts it in a status, a metric or a response.
import { Type, type Static } from '@sinclair/typebox'

const Source = Type.Object({ kind: Type.String(), namespace: Type.String(), name: Type.String() })

export const IamIdentityConfig = Type.Object({
  /** The access key id (the `Credential=AKID/...` of a signature); unique in the config. */
  accessKeyId: Type.String({ minLength: 16, maxLength: 128, pattern: '^\\w+$' }),
  /** The secret access key the signature is verified with. Never logged. */
  secretAccessKey: Type.String({ minLength: 1 }),
  /**
   * The IAM user name: userArn is arn:aws:iam::{accountId}:user/{user} ($context.identity.userArn),
   * {accountId} from GatewayConfig.arn.
   */
  user: Type.String({ minLength: 1 }),
  /** The Secret the identity came from (kind Secret). */
  source: Source,
  /** Identity policies (IAM policy documents over execute-api:Invoke), as written; checked by the compiler. */
  policies: Type.Array(Type.Unknown()),
})
export type IamIdentityConfig = Static<typeof IamIdentityConfig>

export const IamConfig = Type.Object({
  /** The identities, sorted by accessKeyId. */
  identities: Type.Array(IamIdentityConfig),
})
export type IamConfig = Static<typeof IamConfig>

/** Problems the schema cannot express: duplicate access keys, policies that do not parse. Never echoes a secret. */
export function iamProblems(iam: IamConfig | undefined, parse: (doc: unknown) => unknown): string[] {
  if (iam === undefined) return []
  const problems: string[] = []
  const seen = new Set<string>()
  for (const identity of iam.identities) {
    const where = `iam identity ${identity.source.namespace}/${identity.source.name}`
    if (seen.has(identity.accessKeyId)) problems.push(`${where}: duplicate accessKeyId ${identity.accessKeyId}`)
    seen.add(identity.accessKeyId)
    identity.policies.forEach((doc, i) => {
      try {
        parse(doc)
      } catch (err) {
        problems.push(`${where}: policy ${i}: ${err instanceof Error ? err.message : String(err)}`)
      }
    })
  }
  return problems
}
