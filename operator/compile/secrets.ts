// Secrets as compiler inputs. The operator passes the Secrets it watches, standalone mode the
// `kind: Secret` manifests of its files; both come in as resources of kind Secret (apiVersion
// v1) with `data` (base64) and/or `stringData` (plain; wins over `data` for the same key, as
// the API server merges them).
//
// Secrets are read, never reported on and never echoed: they get no status (the operator does
// not write to Secrets), and a problem with one is reported on the resource that reads it,
// naming the Secret and the key but never a value. Their values leave the compiler only as
// digests (apikeys.ts).
import type { ResourceObject } from '../../crds/validate.js'
import { canonicalJson } from '../../proxy/config/hash.js'

/** True for a core/v1 Secret, which the compiler reads instead of compiling. */
export function isSecret(obj: ResourceObject): boolean {
  return obj !== null && typeof obj === 'object' && obj.apiVersion === 'v1' && obj.kind === 'Secret'
}

export type SecretRead =
  | { ok: true; value: string }
  | { ok: false; reason: 'SecretNotFound' | 'InvalidSecret'; message: string }

/** The Secrets of one compile, by "namespace/name". */
export class SecretIndex {
  private readonly secrets = new Map<string, ResourceObject>()

  constructor(objects: readonly ResourceObject[], defaultNamespace: string) {
    // The first by canonical JSON wins when two share a name (file sources report duplicates).
    const sorted = [...objects].map((obj) => ({ obj, text: canonicalJson(obj) })).sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    for (const { obj } of sorted) {
      const meta = obj.metadata !== null && typeof obj.metadata === 'object' ? obj.metadata : {}
      if (typeof meta.name !== 'string' || meta.name === '') continue
      const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace
      const id = `${namespace}/${meta.name}`
      if (!this.secrets.has(id)) this.secrets.set(id, obj)
    }
  }

  /** The value of `key` in Secret `namespace/name`, as UTF-8 text. Messages never contain a value. */
  read(namespace: string, name: string, key: string): SecretRead {
    const obj = this.secrets.get(`${namespace}/${name}`)
    if (obj === undefined) {
      return {
        ok: false,
        reason: 'SecretNotFound',
        message: `Secret ${namespace}/${name} not found (on Kubernetes the operator reads only Secrets labelled tollgate.dev/secret)`,
      }
    }
    const record = obj as { stringData?: unknown; data?: unknown }
    const stringData = record.stringData
    const data = record.data
    if (stringData !== undefined && !isStringMap(stringData)) {
      return { ok: false, reason: 'InvalidSecret', message: `Secret ${namespace}/${name}: stringData must map keys to strings` }
    }
    if (data !== undefined && !isStringMap(data)) {
      return { ok: false, reason: 'InvalidSecret', message: `Secret ${namespace}/${name}: data must map keys to base64 strings` }
    }
    if (stringData !== undefined && Object.hasOwn(stringData, key)) return { ok: true, value: stringData[key]! }
    if (data !== undefined && Object.hasOwn(data, key)) {
      const encoded = data[key]!
      if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
        return { ok: false, reason: 'InvalidSecret', message: `Secret ${namespace}/${name}: data.${key} is not valid base64` }
      }
      return { ok: true, value: Buffer.from(encoded, 'base64').toString('utf8') }
    }
    return { ok: false, reason: 'SecretNotFound', message: `Secret ${namespace}/${name} has no key ${key}` }
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function isStringMap(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
}
