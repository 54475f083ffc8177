// ApiKeys: the value is read from a Secret (valueFrom.secretKeyRef, or for `generate: true`
// the Secret the operator generates, `<name>-api-key` key `value`), checked against AWS's rules
// and turned into its SHA-256 digest. Only the digest goes into the GatewayConfig; no message
// contains a value (only its length or the rule it breaks).
import { createHash } from 'node:crypto'
import { error, type Problem } from '../../crds/problems.js'
import type { ApiKeySpec } from '../../crds/apikey.js'
import type { SecretIndex } from './secrets.js'
import type { Entry } from './types.js'

/** AWS: an API key value has 20 to 128 characters; Tollgate (as `tollgate keys import`) takes letters and digits. */
export const API_KEY_VALUE = /^[A-Za-z0-9]{20,128}$/

/** Where the operator generates the value of a `generate: true` ApiKey (documented in docs/api-keys.md). */
export function generatedSecretName(apiKeyName: string): string {
  return `${apiKeyName}-api-key`
}
export const GENERATED_SECRET_KEY = 'value'

export interface ApiKeyBuild {
  entry: Entry
  /** "namespace/name". */
  id: string
  enabled: boolean
  labels: Record<string, string>
  /** Where the value was read from. */
  secretRef: { name: string; key: string }
  /** Digest of the value; undefined when it could not be read or is invalid (then the key is not in effect). */
  valueSha256: string | undefined
}

export function compileApiKey(entry: Entry, secrets: SecretIndex): ApiKeyBuild {
  const spec = entry.obj.spec as ApiKeySpec
  const meta = (entry.obj.metadata ?? {}) as { labels?: unknown }
  const labels = isStringMap(meta.labels) ? { ...meta.labels } : {}
  const generate = spec.generate === true
  const secretRef = generate
    ? { name: generatedSecretName(entry.ref.name), key: GENERATED_SECRET_KEY }
    : { name: spec.valueFrom!.secretKeyRef.name, key: spec.valueFrom!.secretKeyRef.key }
  const field = generate ? 'spec.generate' : 'spec.valueFrom.secretKeyRef'
  const problems: Problem[] = []
  let valueSha256: string | undefined
  const read = secrets.read(entry.ref.namespace, secretRef.name, secretRef.key)
  if (!read.ok) {
    if (generate && read.reason === 'SecretNotFound') {
      problems.push(
        error(
          field,
          'GeneratedSecretNotFound',
          `the value of a generated key is kept in Secret ${secretRef.name} (key ${secretRef.key}), which does not exist yet: ` +
            'the operator creates it; in standalone mode (tollgate run) nothing can generate and keep a value, so create that Secret yourself or use valueFrom',
        ),
      )
    } else {
      problems.push(error(field, read.reason, read.message))
    }
  } else {
    const why = valueProblem(read.value)
    if (why !== undefined) problems.push(error(field, 'InvalidApiKeyValue', `the value in Secret ${secretRef.name} (key ${secretRef.key}) ${why}`))
    else valueSha256 = createHash('sha256').update(read.value, 'utf8').digest('hex')
  }
  entry.problems.push(...problems)
  return { entry, id: `${entry.ref.namespace}/${entry.ref.name}`, enabled: spec.enabled ?? true, labels, secretRef, valueSha256 }
}

/** What is wrong with a key value, without showing it; undefined when it is fine. */
function valueProblem(value: string): string | undefined {
  if (value.length < 20 || value.length > 128) return `must be 20 to 128 characters (it has ${value.length})`
  if (!API_KEY_VALUE.test(value)) {
    const trailing = /[\r\n]$/.test(value) ? ' (it ends with a line break: create the Secret with `echo -n` or stringData)' : ''
    return `may contain only letters and digits${trailing}`
  }
  return undefined
}

/**
 * Two ApiKeys with the same value would be one key to the proxy: the first (sorted by
 * namespace/name) keeps it, the others are not in effect.
 */
export function resolveDuplicateValues(keys: readonly ApiKeyBuild[]): void {
  const owners = new Map<string, ApiKeyBuild>()
  for (const key of keys) {
    if (key.valueSha256 === undefined) continue
    const owner = owners.get(key.valueSha256)
    if (owner) {
      key.entry.problems.push(error('spec', 'DuplicateApiKeyValue', `has the same value as ApiKey ${owner.id}; a value identifies one key`))
      key.valueSha256 = undefined
    } else {
      owners.set(key.valueSha256, key)
    }
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
}
