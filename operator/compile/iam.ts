// IAM identities for AWS_IAM routes: Secrets labelled `tollgate.dev/iam-identity` (any value),
// each one IAM user with one access key and its identity policies (docs/authorization/iam.md):
//
//   accessKeyId       required: 16 to 128 word characters (AWS's rule)
//   secretAccessKey   required: at least 16 characters (the message gives the length, never the value)
//   user              optional: the IAM user name (default: the Secret's name); userArn is
//                     arn:aws:iam::{accountId}:user/{user}
//   policy, policy.*  IAM policy documents (JSON) over execute-api:Invoke; none: the identity may
//                     call only what a resource policy allows it (warning NoIdentityPolicy)
//
// Unlike other Secrets, an identity Secret gets a status entry (problems only, never a value), so
// its mistakes are reported by `tollgate run`/`validate` and the operator's log; the operator
// writes no status to Secrets. A Secret with an error is left out of the config; two Secrets
// with one accessKeyId: the one that sorts first (namespace, name) keeps it.
import type { ResourceObject } from '../../crds/validate.js'
import { error, warning, type Problem } from '../../crds/problems.js'
import { parsePolicy, PolicyError } from '../../proxy/auth/policy.js'
import type { IamConfig, IamIdentityConfig } from '../../proxy/config/iam.js'
import { conditionsFor } from './status.js'
import type { ResourceStatus } from './types.js'

/** Secrets carrying this label (any value) are IAM identities (on Kubernetes also label them tollgate.dev/secret). */
export const IAM_IDENTITY_LABEL = 'tollgate.dev/iam-identity'

const ACCESS_KEY_ID = /^\w{16,128}$/
const MIN_SECRET_LENGTH = 16
/** IAM user names: up to 64 of letters, digits and +=,.@_- */
const USER_NAME = /^[\w+=,.@-]{1,64}$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export function isIamIdentity(obj: ResourceObject): boolean {
  const labels = (obj.metadata as { labels?: unknown } | undefined)?.labels
  return labels !== null && typeof labels === 'object' && Object.hasOwn(labels, IAM_IDENTITY_LABEL)
}

interface Read {
  values: Map<string, string>
  problems: Problem[]
}

/** Every key of the Secret as text (stringData wins over data for one key, as the API server merges them). */
function readAll(obj: ResourceObject): Read {
  const values = new Map<string, string>()
  const problems: Problem[] = []
  const { data, stringData } = obj as { data?: unknown; stringData?: unknown }
  if (data !== undefined) {
    if (!isStringMap(data)) problems.push(error('data', 'InvalidSecret', 'data must map keys to base64 strings'))
    else
      for (const [key, encoded] of Object.entries(data)) {
        if (!BASE64.test(encoded) || encoded.length % 4 !== 0) problems.push(error(`data.${key}`, 'InvalidSecret', `data.${key} is not valid base64`))
        else values.set(key, Buffer.from(encoded, 'base64').toString('utf8'))
      }
  }
  if (stringData !== undefined) {
    if (!isStringMap(stringData)) problems.push(error('stringData', 'InvalidSecret', 'stringData must map keys to strings'))
    else for (const [key, value] of Object.entries(stringData)) values.set(key, value)
  }
  return { values, problems }
}

interface IdentityBuild {
  status: ResourceStatus
  identity: IamIdentityConfig | null
}

function compileIdentity(obj: ResourceObject, defaultNamespace: string): IdentityBuild {
  const meta = (obj.metadata ?? {}) as { name?: unknown; namespace?: unknown; generation?: unknown }
  const name = typeof meta.name === 'string' ? meta.name : ''
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace
  const { values, problems } = readAll(obj)
  const accessKeyId = values.get('accessKeyId')?.trim()
  const secret = values.get('secretAccessKey')
  if (accessKeyId === undefined) problems.push(error('data.accessKeyId', 'FieldRequired', 'an IAM identity needs the key accessKeyId'))
  else if (!ACCESS_KEY_ID.test(accessKeyId)) {
    problems.push(error('data.accessKeyId', 'InvalidAccessKeyId', `accessKeyId must be 16 to 128 letters, digits or underscores (it has ${accessKeyId.length} characters)`))
  }
  if (secret === undefined) problems.push(error('data.secretAccessKey', 'FieldRequired', 'an IAM identity needs the key secretAccessKey'))
  else if (secret.length < MIN_SECRET_LENGTH || /\s/.test(secret)) {
    const why = /\s/.test(secret) ? 'contains whitespace (a trailing line break?)' : `has ${secret.length} characters`
    problems.push(error('data.secretAccessKey', 'InvalidSecretAccessKey', `secretAccessKey must be at least ${MIN_SECRET_LENGTH} characters without whitespace; it ${why}`))
  }
  const user = values.get('user')?.trim() ?? name
  if (!USER_NAME.test(user)) problems.push(error('data.user', 'InvalidUserName', `user ${JSON.stringify(user)} is not an IAM user name (1 to 64 of letters, digits and +=,.@_-)`))

  const policies: unknown[] = []
  const policyKeys = [...values.keys()].filter((k) => k === 'policy' || k.startsWith('policy.')).sort()
  for (const key of policyKeys) {
    const text = values.get(key)!
    try {
      const doc: unknown = JSON.parse(text)
      parsePolicy(doc)
      policies.push(doc)
    } catch (err) {
      const why = err instanceof PolicyError ? err.message : 'the policy document is not valid JSON'
      problems.push(error(`data.${key}`, 'InvalidPolicy', why))
    }
  }
  if (policyKeys.length === 0) {
    problems.push(warning('data.policy', 'NoIdentityPolicy', `the identity has no policy; it may call only what an Api's resource policy allows it`))
  }
  const ref = { kind: 'Secret', namespace, name }
  const generation = Number.isInteger(meta.generation) ? (meta.generation as number) : undefined
  const ok = !problems.some((p) => p.severity === 'error')
  const first = problems.find((p) => p.severity === 'error')
  const conditions = conditionsFor(
    { obj, ref, generation, valid: true, problems },
    {
      compiled: false,
      acceptedMessage: 'IAM identity is valid',
      programmed: ok ? { ok, reason: 'Programmed', message: `in the config: access key ${accessKeyId} of user ${user}` } : { ok, reason: first!.reason, message: first!.message },
    },
  )
  const status: ResourceStatus = { ref, problems, status: { conditions } }
  if (generation !== undefined) status.generation = generation
  return {
    status,
    identity: ok ? { accessKeyId: accessKeyId!, secretAccessKey: secret!, user, source: { kind: 'Secret', namespace, name }, policies } : null,
  }
}

export interface IamBuild {
  /** Absent when no identity is valid. */
  config: IamConfig | undefined
  /** One per identity Secret, sorted by namespace, name. */
  statuses: ResourceStatus[]
}

export function compileIamIdentities(secrets: readonly ResourceObject[], defaultNamespace: string): IamBuild {
  const builds = secrets
    .filter(isIamIdentity)
    .map((obj) => compileIdentity(obj, defaultNamespace))
    .sort((a, b) => compareRefs(a.status.ref, b.status.ref))
  const byKey = new Map<string, IdentityBuild>()
  for (const build of builds) {
    const identity = build.identity
    if (identity === null) continue
    const first = byKey.get(identity.accessKeyId)
    if (first === undefined) {
      byKey.set(identity.accessKeyId, build)
      continue
    }
    const other = first.status.ref
    build.status.problems.push(error('data.accessKeyId', 'DuplicateAccessKeyId', `Secret ${other.namespace}/${other.name}, sorted earlier, has the same accessKeyId; this identity is not in effect`))
    build.identity = null
  }
  // Duplicates in one namespace/name (file sources report those) keep the first.
  const seen = new Set<string>()
  const statuses = builds.filter((b) => {
    const key = `${b.status.ref.namespace}/${b.status.ref.name}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  const identities = [...byKey.values()].map((b) => b.identity!).sort((a, b) => (a.accessKeyId < b.accessKeyId ? -1 : a.accessKeyId > b.accessKeyId ? 1 : 0))
  return { config: identities.length > 0 ? { identities } : undefined, statuses: statuses.map((b) => b.status) }
}

function compareRefs(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

function isStringMap(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
}
