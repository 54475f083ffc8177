// Rows of an AWS API key file → Kubernetes manifests: per key, a Secret holding the value and an
// ApiKey reading it. Pure: names are derived deterministically from the rows, in line order.
import { createHash } from 'node:crypto'
import { API_VERSION } from '../../crds/common.js'
import { SECRET_LABEL } from '../../operator/kube/labels.js'
import type { ApiKeySpec } from '../../crds/apikey.js'
import type { KeyRow } from './aws-key-file.js'

/** Key of the value inside each Secret (spec.valueFrom.secretKeyRef.key of the ApiKey). */
export const SECRET_KEY = 'value'
/** Annotation keeping AWS's Name, which is free text and not a Kubernetes name. */
export const AWS_NAME_ANNOTATION = 'tollgate.dev/aws-name'
/** Default label key prefix for usage plans: tollgate.dev/usage-plan-<id>: "true". */
export const PLAN_LABEL_PREFIX = 'tollgate.dev/usage-plan-'
/** Suffix of each Secret's name: ApiKey alice reads Secret alice-api-key. */
export const SECRET_SUFFIX = '-api-key'

/** Derived names stay label-sized (63) including a "-N" suffix for duplicates. */
const NAME_BASE_MAX = 56

export interface Manifest {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations: Record<string, string> }
  [field: string]: unknown
}

export interface Collision {
  line: number
  awsName: string
  name: string
  /** The name the row would have had, and the line that has it. */
  wanted: string
  takenBy: number
}

export interface Imported {
  /** Secret then ApiKey, for each row in line order. */
  manifests: Manifest[]
  /** Kubernetes name of each row's ApiKey, in row order. */
  names: string[]
  /** Rows whose derived name was taken by an earlier row, and the name they got instead. */
  collisions: Collision[]
  /** Usage plan id → names of the ApiKeys labelled for it, in first-seen order. */
  plans: Map<string, string[]>
}

export interface ImportOptions {
  /** Namespace put on every object; undefined leaves it to kubectl (-n, or the context's). */
  namespace: string | undefined
  labelPrefix: string
}

export function buildManifests(rows: KeyRow[], options: ImportOptions): Imported {
  const { names, collisions } = kubeNames(rows)
  const manifests: Manifest[] = []
  const plans = new Map<string, string[]>()
  rows.forEach((row, i) => {
    const name = names[i] as string
    const ns = options.namespace === undefined ? {} : { namespace: options.namespace }
    const annotations = { [AWS_NAME_ANNOTATION]: row.name }
    const secretName = `${name}${SECRET_SUFFIX}`
    manifests.push({
      apiVersion: 'v1',
      kind: 'Secret',
      // The label makes the operator read this Secret (it watches only labelled Secrets).
      metadata: { name: secretName, ...ns, labels: { [SECRET_LABEL]: 'true' }, annotations },
      type: 'Opaque',
      stringData: { [SECRET_KEY]: row.value },
    })
    const labels: Record<string, string> = {}
    for (const id of row.usagePlanIds) {
      labels[planLabelKey(options.labelPrefix, id)] = 'true'
      const keys = plans.get(id) ?? []
      keys.push(name)
      plans.set(id, keys)
    }
    const spec: ApiKeySpec = {
      enabled: row.enabled,
      description: row.description !== '' ? row.description : row.name,
      valueFrom: { secretKeyRef: { name: secretName, key: SECRET_KEY } },
    }
    manifests.push({
      apiVersion: API_VERSION,
      kind: 'ApiKey',
      metadata: { name, ...ns, ...(row.usagePlanIds.length > 0 ? { labels } : {}), annotations },
      spec,
    })
  })
  return { manifests, names, collisions, plans }
}

/**
 * A Kubernetes name (RFC 1123: lowercase letters, digits and '-') for each row, from its AWS
 * Name. Rows whose names map to the same name keep it in line order: the first gets `base`, the
 * next `base-2`, `base-3`, … skipping any name another row derives on its own, so adding a
 * suffix never takes a name that is some row's natural one.
 */
export function kubeNames(rows: Array<Pick<KeyRow, 'line' | 'name'>>): { names: string[]; collisions: Collision[] } {
  const bases = rows.map((r) => baseName(r.name))
  const natural = new Set(bases)
  const owner = new Map<string, number>()
  const names: string[] = []
  const collisions: Collision[] = []
  rows.forEach((row, i) => {
    const base = bases[i] as string
    let name = base
    if (owner.has(name)) {
      let n = 2
      while (owner.has(`${base}-${n}`) || natural.has(`${base}-${n}`)) n++
      name = `${base}-${n}`
      collisions.push({ line: row.line, awsName: row.name, name, wanted: base, takenBy: owner.get(base) as number })
    }
    owner.set(name, row.line)
    names.push(name)
  })
  return { names, collisions }
}

/** `My First Key` → `my-first-key`; `Ünïcode_Key` → `unicode-key`; nothing usable → `key-<hash>`. */
export function baseName(awsName: string): string {
  const ascii = awsName.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
  let name = ascii.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  name = name.slice(0, NAME_BASE_MAX).replace(/-+$/, '')
  if (name === '') name = `key-${createHash('sha256').update(awsName).digest('hex').slice(0, 8)}`
  return name
}

export function planLabelKey(prefix: string, id: string): string {
  return `${prefix}${id}`
}

/**
 * Why a usage plan id makes no valid label key with `prefix`, or undefined. The message does not
 * repeat the id (the caller shows it when it is safe to).
 */
export function planIdProblem(prefix: string, id: string): string | undefined {
  if (labelKeyProblem(planLabelKey(prefix, id)) === undefined) return undefined
  const room = 63 - prefix.slice(prefix.lastIndexOf('/') + 1).length
  return `makes no valid label key ${prefix}<id>: an id is at most ${room} letters, digits, -, _ or ., ending with a letter or digit`
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Why `key` is not a valid Kubernetes label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/')
  const prefix = slash < 0 ? undefined : key.slice(0, slash)
  const name = slash < 0 ? key : key.slice(slash + 1)
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key prefix ${JSON.stringify(prefix)} must be a DNS subdomain (lowercase letters, digits, - and .)`
  }
  if (!LABEL_NAME.test(name)) {
    return `label name ${JSON.stringify(name)} must be at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit`
  }
  return undefined
}
