// The registry of Tollgate kinds. The CRD generator, the validator and the compiler all read
// the kinds from here.
import { ApiKind } from './api.js'
import { ApiDeploymentKind } from './apideployment.js'
import { ApiKeyKind } from './apikey.js'
import { AuthorizerKind } from './authorizer.js'
import { DomainNameKind } from './domainname.js'
import { StageKind } from './stage.js'
import { UsagePlanKind } from './usageplan.js'
import type { KindDefinition } from './common.js'

export { API_VERSION, GROUP, VERSION } from './common.js'
export type { KindDefinition } from './common.js'

export const KINDS: readonly KindDefinition[] = [ApiKind, StageKind, ApiDeploymentKind, UsagePlanKind, ApiKeyKind, AuthorizerKind, DomainNameKind]

export function kindByName(kind: string): KindDefinition | undefined {
  return KINDS.find((k) => k.kind === kind)
}
