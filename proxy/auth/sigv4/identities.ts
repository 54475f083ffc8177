// The IAM identities of a config, indexed by access key id, built once per GatewayConfig (the
// first AWS_IAM route of a config builds it; the others share it).
import { createHash } from 'node:crypto'
import type { GatewayConfig } from '../../config/schema.js'
import { arnSettings } from '../arn.js'
import { parsePolicy, type Policy } from '../policy.js'
import type { CallerIdentity } from '../types.js'

export interface Identity {
  /** Never logged, never answered. */
  readonly secretAccessKey: string
  readonly caller: CallerIdentity
  readonly policies: readonly Policy[]
}

/**
 * AWS gives IAM users a unique id (AIDA + 17 characters) as $context.identity.user / caller;
 * Tollgate derives a stable one from the userArn.
 */
export function principalId(userArn: string): string {
  return `AIDA${createHash('sha256').update(userArn).digest('hex').slice(0, 17).toUpperCase()}`
}

const indexes = new WeakMap<GatewayConfig, ReadonlyMap<string, Identity>>()

export function identitiesOf(gateway: GatewayConfig): ReadonlyMap<string, Identity> {
  let index = indexes.get(gateway)
  if (index !== undefined) return index
  const { accountId } = arnSettings(gateway)
  const map = new Map<string, Identity>()
  for (const identity of gateway.iam?.identities ?? []) {
    const userArn = `arn:aws:iam::${accountId}:user/${identity.user}`
    const id = principalId(userArn)
    map.set(identity.accessKeyId, {
      secretAccessKey: identity.secretAccessKey,
      caller: { accessKey: identity.accessKeyId, accountId, userArn, user: id, caller: id },
      policies: identity.policies.map((doc) => parsePolicy(doc)),
    })
  }
  index = map
  indexes.set(gateway, index)
  return index
}
