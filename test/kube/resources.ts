// What the server serves: the core kinds it implements (with the defaulting and validation of
// their real strategies that matter to an operator), custom resources from CRD objects, and the
// discovery documents that describe both.
import { badRequest, type FieldError } from './status.js'
import { clone, isObject, type Json, type JsonObject } from './patch.js'
import type { Schema } from './schema.js'

export interface ResourceType {
  group: string
  version: string
  plural: string
  singular: string
  kind: string
  listKind: string
  namespaced: boolean
  shortNames: string[]
  categories: string[]
  /** Served from a CustomResourceDefinition (unstructured semantics). */
  custom: boolean
  /** Has the /status subresource. */
  status: boolean
  /** Objects of types with the same storage key are the same objects (events and events.k8s.io events). */
  storage: string
  /** Structural schema (custom resources) or list-type hints (core kinds). */
  schema?: Schema
  /** Prune unknown fields against `schema` (custom resources with a schema). */
  pruning: boolean
  /** Maintain metadata.generation. */
  generation: boolean
  /** DELETE answers with the deleted object (else with a Success Status). */
  returnDeletedObject: boolean
  /** PUT of a missing object creates it. */
  allowCreateOnUpdate: boolean
  /** PUT without metadata.resourceVersion is accepted (core kinds) or refused with 422 (custom resources). */
  allowUnconditionalUpdate: boolean
  /** Field selectors supported beyond metadata.name and metadata.namespace. */
  fieldSelectors: Record<string, (obj: JsonObject) => string | undefined>
  /** Merge keys of strategic merge patch (core kinds only). */
  mergeKeys?: Record<string, string>
  nameValidation: 'subdomain' | 'label'
  /** Served representation → storage representation. */
  toStorage?(obj: JsonObject): JsonObject
  /** Storage representation → served representation. */
  fromStorage?(obj: JsonObject): JsonObject
  /** Defaulting on create (status already handled); may throw ApiError. */
  prepareCreate?(obj: JsonObject, ctx: PrepareContext): void
  /** Defaulting on update. */
  prepareUpdate?(obj: JsonObject, old: JsonObject, ctx: PrepareContext): void
  validate?(obj: JsonObject, old: JsonObject | undefined): FieldError[]
  /** The CRD this type is served from. */
  crd?: string
}

export interface PrepareContext {
  allocateClusterIP(): string
}

export function groupVersion(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : v === undefined || v === null ? undefined : JSON.stringify(v)
}

function get(obj: JsonObject, path: string): string | undefined {
  let cur: Json | undefined = obj
  for (const p of path.split('.')) cur = isObject(cur) ? cur[p] : undefined
  return str(cur)
}

function selectors(...paths: string[]): Record<string, (obj: JsonObject) => string | undefined> {
  const out: Record<string, (obj: JsonObject) => string | undefined> = {}
  for (const p of paths) out[p] = (o) => get(o, p) ?? ''
  return out
}

function base(group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceType {
  return {
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    shortNames: [],
    categories: [],
    custom: false,
    status: false,
    storage: `${group}/${plural}`,
    pruning: false,
    generation: false,
    returnDeletedObject: false,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    fieldSelectors: {},
    nameValidation: 'subdomain',
  }
}

/**
 * Normalizes metav1.Time (second precision) and metav1.MicroTime (six fraction digits) fields
 * the way a real server re-serializes them; client-node sends JavaScript's millisecond ISO form.
 */
function normalizeTimes(obj: JsonObject, micro: string[], seconds: string[]): void {
  const visit = (path: string, asMicro: boolean): void => {
    const parts = path.split('.')
    let cur: Json | undefined = obj
    for (const p of parts.slice(0, -1)) cur = isObject(cur) ? cur[p] : undefined
    const last = parts[parts.length - 1]!
    if (!isObject(cur) || typeof cur[last] !== 'string') return
    const raw = cur[last] as string
    let m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(raw)
    if (!m) {
      const d = new Date(raw)
      if (Number.isNaN(d.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(raw))
        throw badRequest(`parsing time ${JSON.stringify(raw)} as "2006-01-02T15:04:05${asMicro ? '.000000' : ''}Z07:00": cannot parse ${JSON.stringify(raw)}`)
      m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(d.toISOString())!
    }
    cur[last] = asMicro ? `${m[1]!}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}Z` : `${m[1]!}Z`
  }
  for (const p of micro) visit(p, true)
  for (const p of seconds) visit(p, false)
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/

function validateKeys(obj: JsonObject, fields: string[]): FieldError[] {
  const errors: FieldError[] = []
  for (const f of fields) {
    const m = obj[f]
    if (!isObject(m)) continue
    for (const k of Object.keys(m)) {
      if (!CONFIG_KEY.test(k) || k.length > 253)
        errors.push({ type: 'FieldValueInvalid', field: `${f}[${k}]`, value: k, detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" })
    }
  }
  return errors
}

function immutable(obj: JsonObject, old: JsonObject | undefined, fields: string[]): FieldError[] {
  if (!old || old['immutable'] !== true) return []
  const errors: FieldError[] = []
  for (const f of fields) {
    if (JSON.stringify(obj[f] ?? null) !== JSON.stringify(old[f] ?? null)) errors.push({ type: 'FieldValueForbidden', field: f, detail: 'field is immutable when `immutable` is set' })
  }
  if (obj['immutable'] !== true) errors.push({ type: 'FieldValueForbidden', field: 'immutable', detail: 'field is immutable when `immutable` is set' })
  return errors
}

function secretDefaults(obj: JsonObject): void {
  if (obj['type'] === undefined || obj['type'] === '') obj['type'] = 'Opaque'
  const data = isObject(obj['data']) ? obj['data'] : {}
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
      throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (key ${k})`)
  }
  const stringData = obj['stringData']
  if (isObject(stringData)) {
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64')
    delete obj['stringData']
  }
  if (Object.keys(data).length > 0 || obj['data'] !== undefined) obj['data'] = data
}

function serviceDefaults(obj: JsonObject, ctx: PrepareContext, old?: JsonObject): void {
  const spec: JsonObject = isObject(obj['spec']) ? obj['spec'] : {}
  obj['spec'] = spec
  spec['type'] ??= 'ClusterIP'
  spec['sessionAffinity'] ??= 'None'
  if (spec['type'] !== 'ExternalName') {
    const oldSpec = old && isObject(old['spec']) ? old['spec'] : undefined
    if (spec['clusterIP'] === undefined || spec['clusterIP'] === '') {
      spec['clusterIP'] = oldSpec?.['clusterIP'] ?? ctx.allocateClusterIP()
    }
    spec['clusterIPs'] = [spec['clusterIP']!]
    spec['ipFamilies'] ??= ['IPv4']
    spec['ipFamilyPolicy'] ??= 'SingleStack'
    spec['internalTrafficPolicy'] ??= 'Cluster'
  }
  if (Array.isArray(spec['ports'])) {
    for (const p of spec['ports']) {
      if (!isObject(p)) continue
      p['protocol'] ??= 'TCP'
      p['targetPort'] ??= p['port'] ?? null
    }
  }
  if (!isObject(obj['status'])) obj['status'] = { loadBalancer: {} }
}

function serviceValidate(obj: JsonObject, old: JsonObject | undefined): FieldError[] {
  const errors: FieldError[] = []
  const spec = isObject(obj['spec']) ? obj['spec'] : {}
  const ports = spec['ports']
  if (spec['type'] !== 'ExternalName' && spec['clusterIP'] !== 'None' && (!Array.isArray(ports) || ports.length === 0))
    errors.push({ type: 'FieldValueRequired', field: 'spec.ports', detail: '' })
  if (Array.isArray(ports)) {
    ports.forEach((p, i) => {
      if (!isObject(p)) return
      const port = p['port']
      if (typeof port !== 'number' || port < 1 || port > 65535)
        errors.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].port`, value: port ?? 0, detail: 'must be between 1 and 65535, inclusive' })
      if (ports.length > 1 && !p['name']) errors.push({ type: 'FieldValueRequired', field: `spec.ports[${i}].name`, detail: '' })
    })
  }
  const oldSpec = old && isObject(old['spec']) ? old['spec'] : undefined
  if (oldSpec && oldSpec['clusterIP'] && spec['clusterIP'] !== oldSpec['clusterIP'] && oldSpec['type'] !== 'ExternalName' && spec['type'] !== 'ExternalName')
    errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: spec['clusterIP'] ?? '', detail: 'may not change once set' })
  return errors
}

function eventValidate(obj: JsonObject, regardingField: string): FieldError[] {
  const errors: FieldError[] = []
  const ns = isObject(obj['metadata']) ? obj['metadata']['namespace'] : undefined
  const regarding = obj[regardingField]
  if (isObject(regarding) && regarding['namespace'] && ns && regarding['namespace'] !== ns)
    errors.push({ type: 'FieldValueInvalid', field: `${regardingField}.namespace`, value: regarding['namespace'], detail: 'does not match event.namespace' })
  const type = obj['type']
  if (type !== undefined && type !== 'Normal' && type !== 'Warning')
    errors.push({ type: 'FieldValueInvalid', field: 'type', value: type, detail: 'has invalid value: ' + String(type) })
  return errors
}

/** events.k8s.io/v1 field → core/v1 field; the objects are the same in storage. */
const EVENT_FIELDS: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
]
const EVENT_SAME = ['eventTime', 'series', 'reportingInstance', 'action', 'reason', 'related', 'type']

function eventToCore(obj: JsonObject): JsonObject {
  const out: JsonObject = { kind: 'Event', apiVersion: 'v1', metadata: clone(obj['metadata'] ?? {}) }
  for (const [n, c] of EVENT_FIELDS) if (obj[n] !== undefined) out[c] = clone(obj[n]!)
  for (const f of EVENT_SAME) if (obj[f] !== undefined) out[f] = clone(obj[f]!)
  out['involvedObject'] ??= {}
  return out
}

function eventFromCore(obj: JsonObject): JsonObject {
  const out: JsonObject = { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: clone(obj['metadata'] ?? {}) }
  for (const [n, c] of EVENT_FIELDS) if (obj[c] !== undefined) out[n] = clone(obj[c]!)
  for (const f of EVENT_SAME) if (obj[f] !== undefined) out[f] = clone(obj[f]!)
  if (isObject(out['deprecatedSource']) && Object.keys(out['deprecatedSource']).length === 0) delete out['deprecatedSource']
  return out
}

/** The core kinds: namespaces, secrets, configmaps, services, pods, events, leases, events.k8s.io events. */
export function coreTypes(): ResourceType[] {
  const namespaces: ResourceType = {
    ...base('', 'v1', 'namespaces', 'Namespace', false),
    shortNames: ['ns'],
    status: true,
    returnDeletedObject: true,
    nameValidation: 'label',
    fieldSelectors: selectors('status.phase'),
    prepareCreate(obj) {
      const md = obj['metadata'] as JsonObject
      const labels = isObject(md['labels']) ? md['labels'] : {}
      labels['kubernetes.io/metadata.name'] = md['name'] as string
      md['labels'] = labels
      obj['spec'] = { finalizers: ['kubernetes'] }
      obj['status'] = { phase: 'Active' }
    },
    prepareUpdate(obj, old) {
      const md = obj['metadata'] as JsonObject
      const labels = isObject(md['labels']) ? md['labels'] : {}
      labels['kubernetes.io/metadata.name'] = md['name'] as string
      md['labels'] = labels
      obj['spec'] = clone(old['spec'] ?? { finalizers: ['kubernetes'] })
    },
  }
  const secrets: ResourceType = {
    ...base('', 'v1', 'secrets', 'Secret', true),
    fieldSelectors: selectors('type'),
    prepareCreate: (obj) => secretDefaults(obj),
    prepareUpdate: (obj) => secretDefaults(obj),
    validate: (obj, old) => [...validateKeys(obj, ['data']), ...immutable(obj, old, ['data', 'type'])],
  }
  const configmaps: ResourceType = {
    ...base('', 'v1', 'configmaps', 'ConfigMap', true),
    shortNames: ['cm'],
    validate: (obj, old) => [...validateKeys(obj, ['data', 'binaryData']), ...immutable(obj, old, ['data', 'binaryData'])],
  }
  const services: ResourceType = {
    ...base('', 'v1', 'services', 'Service', true),
    shortNames: ['svc'],
    categories: ['all'],
    status: true,
    returnDeletedObject: true,
    nameValidation: 'label',
    fieldSelectors: selectors('spec.clusterIP', 'spec.type'),
    mergeKeys: { 'spec.ports': 'port', 'metadata.ownerReferences': 'uid' },
    schema: { properties: { spec: { properties: { ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'], items: { type: 'object' } } } } } },
    prepareCreate: (obj, ctx) => {
      delete obj['status']
      serviceDefaults(obj, ctx)
    },
    prepareUpdate: (obj, old, ctx) => serviceDefaults(obj, ctx, old),
    validate: serviceValidate,
  }
  // Pods: created Pending with no address (the scheduler and kubelet fill status through the
  // status subresource, as tests do); the spec is not validated beyond being kept.
  const pods: ResourceType = {
    ...base('', 'v1', 'pods', 'Pod', true),
    shortNames: ['po'],
    categories: ['all'],
    status: true,
    fieldSelectors: selectors('spec.nodeName', 'status.phase', 'status.podIP', 'spec.hostNetwork'),
    prepareCreate: (obj) => {
      obj['status'] = { phase: 'Pending' }
    },
  }
  const coreEventSelectors = selectors(
    'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
    'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type',
  )
  const coreEventTimes = (obj: JsonObject): void => normalizeTimes(obj, ['eventTime', 'series.lastObservedTime'], ['firstTimestamp', 'lastTimestamp'])
  const v1EventTimes = (obj: JsonObject): void => normalizeTimes(obj, ['eventTime', 'series.lastObservedTime'], ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp'])
  const events: ResourceType = {
    ...base('', 'v1', 'events', 'Event', true),
    shortNames: ['ev'],
    storage: '/events',
    allowCreateOnUpdate: true,
    fieldSelectors: coreEventSelectors,
    validate: (obj) => eventValidate(obj, 'involvedObject'),
    prepareCreate: (obj) => {
      obj['involvedObject'] ??= {}
      coreEventTimes(obj)
    },
    prepareUpdate: (obj) => coreEventTimes(obj),
  }
  const eventsV1: ResourceType = {
    ...base('events.k8s.io', 'v1', 'events', 'Event', true),
    shortNames: ['ev'],
    storage: '/events',
    allowCreateOnUpdate: true,
    fieldSelectors: selectors('regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion', 'regarding.resourceVersion', 'regarding.fieldPath', 'reason', 'reportingController', 'type'),
    toStorage: eventToCore,
    fromStorage: eventFromCore,
    prepareCreate: v1EventTimes,
    prepareUpdate: v1EventTimes,
    validate: (obj, old) => {
      const errors = eventValidate(obj, 'regarding')
      if (old) return errors
      for (const f of ['eventTime', 'reportingController', 'reportingInstance', 'action', 'reason'])
        if (obj[f] === undefined || obj[f] === '' || obj[f] === null) errors.push({ type: 'FieldValueRequired', field: f, detail: '' })
      if (obj['type'] === undefined) errors.push({ type: 'FieldValueInvalid', field: 'type', value: '', detail: 'has invalid value: ' })
      return errors
    },
  }
  const leaseTimes = (obj: JsonObject): void => normalizeTimes(obj, ['spec.acquireTime', 'spec.renewTime'], [])
  const leases: ResourceType = {
    ...base('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
    prepareCreate: leaseTimes,
    prepareUpdate: leaseTimes,
    validate: (obj) => {
      const spec = isObject(obj['spec']) ? obj['spec'] : {}
      const errors: FieldError[] = []
      const d = spec['leaseDurationSeconds']
      if (d !== undefined && d !== null && (typeof d !== 'number' || d <= 0)) errors.push({ type: 'FieldValueInvalid', field: 'spec.leaseDurationSeconds', value: d, detail: 'must be greater than 0' })
      const t = spec['leaseTransitions']
      if (t !== undefined && t !== null && (typeof t !== 'number' || t < 0)) errors.push({ type: 'FieldValueInvalid', field: 'spec.leaseTransitions', value: t, detail: 'must be greater than or equal to 0' })
      return errors
    },
  }
  const crds: ResourceType = {
    ...base('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    status: true,
    returnDeletedObject: true,
    generation: true,
  }
  return [namespaces, secrets, configmaps, services, pods, events, eventsV1, leases, crds]
}

/** The part of a CRD object this server reads. */
export interface CRDObject {
  apiVersion?: string
  kind?: string
  metadata: { name: string; [k: string]: unknown }
  spec: {
    group: string
    scope: 'Namespaced' | 'Cluster'
    names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] }
    versions: {
      name: string
      served: boolean
      storage: boolean
      schema?: { openAPIV3Schema?: Schema }
      subresources?: { status?: Record<string, never>; scale?: unknown }
    }[]
  }
}

/** The structural problems of a CRD that the real server refuses with 422. */
export function validateCRD(crd: JsonObject): FieldError[] {
  const errors: FieldError[] = []
  const spec = isObject(crd['spec']) ? crd['spec'] : undefined
  const name = isObject(crd['metadata']) ? crd['metadata']['name'] : undefined
  if (!spec) return [{ type: 'FieldValueRequired', field: 'spec', detail: '' }]
  const names = isObject(spec['names']) ? spec['names'] : {}
  if (typeof spec['group'] !== 'string' || spec['group'] === '') errors.push({ type: 'FieldValueRequired', field: 'spec.group', detail: '' })
  else if (!String(spec['group']).includes('.')) errors.push({ type: 'FieldValueInvalid', field: 'spec.group', value: spec['group'], detail: 'should be a domain with at least one dot' })
  if (typeof names['plural'] !== 'string' || names['plural'] === '') errors.push({ type: 'FieldValueRequired', field: 'spec.names.plural', detail: '' })
  if (typeof names['kind'] !== 'string' || names['kind'] === '') errors.push({ type: 'FieldValueRequired', field: 'spec.names.kind', detail: '' })
  if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') errors.push({ type: 'FieldValueNotSupported', field: 'spec.scope', value: spec['scope'] ?? '', detail: 'supported values: "Cluster", "Namespaced"' })
  const versions = Array.isArray(spec['versions']) ? spec['versions'] : []
  if (versions.length === 0) errors.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: null, detail: 'must have exactly one version marked as storage version' })
  else if (versions.filter((v) => isObject(v) && v['storage'] === true).length !== 1)
    errors.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: null, rawValue: '[]apiextensions.CustomResourceDefinitionVersion{...}', detail: 'must have exactly one version marked as storage version' })
  versions.forEach((v, i) => {
    if (!isObject(v)) return
    if (typeof v['name'] !== 'string' || v['name'] === '') errors.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].name`, detail: '' })
    const schema = isObject(v['schema']) ? v['schema']['openAPIV3Schema'] : undefined
    if (!isObject(schema)) errors.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, detail: 'schemas are required' })
    else if (schema['type'] !== 'object') errors.push({ type: 'FieldValueInvalid', field: `spec.versions[${i}].schema.openAPIV3Schema.type`, value: schema['type'] ?? '', detail: 'must be object at the root' })
  })
  if (typeof names['plural'] === 'string' && typeof spec['group'] === 'string' && name !== `${names['plural']}.${spec['group']}`)
    errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name ?? '', detail: 'must be spec.names.plural+"."+spec.group' })
  return errors
}

/** One resource type for each served version of a CRD. */
export function typesFromCRD(crd: CRDObject): ResourceType[] {
  const { group, names, scope, versions } = crd.spec
  return versions
    .filter((v) => v.served)
    .map((v) => {
      const schema = v.schema?.openAPIV3Schema
      const t: ResourceType = {
        ...base(group, v.name, names.plural, names.kind, scope === 'Namespaced'),
        singular: names.singular || names.kind.toLowerCase(),
        listKind: names.listKind || `${names.kind}List`,
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        custom: true,
        status: v.subresources?.status !== undefined,
        pruning: schema !== undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true,
        generation: true,
        returnDeletedObject: true,
        allowUnconditionalUpdate: false,
        crd: crd.metadata.name,
      }
      if (schema) t.schema = schema
      return t
    })
}

/** A CRD object as it is stored and served, with the status the real server gives it. */
export function crdWithStatus(crd: JsonObject, now: string): JsonObject {
  const out = clone(crd)
  const spec = out['spec'] as JsonObject
  const names = clone(spec['names'] as JsonObject)
  names['singular'] ??= String(names['kind']).toLowerCase()
  names['listKind'] ??= `${String(names['kind'])}List`
  const versions = (spec['versions'] as JsonObject[]) ?? []
  const storage = versions.find((v) => v['storage'] === true)
  spec['names'] = clone(names)
  spec['conversion'] ??= { strategy: 'None' }
  const cond = (type: string, reason: string, message: string): JsonObject => ({ type, status: 'True', lastTransitionTime: now, reason, message })
  out['status'] = {
    acceptedNames: names,
    conditions: [cond('NamesAccepted', 'NoConflicts', 'no conflicts found'), cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
    storedVersions: storage ? [storage['name']!] : [],
  }
  return out
}

const TOLLGATE_KINDS: [string, string, string[]][] = [
  ['Api', 'apis', []],
  ['Stage', 'stages', []],
  ['ApiDeployment', 'apideployments', []],
  ['UsagePlan', 'usageplans', []],
  ['ApiKey', 'apikeys', []],
  ['Authorizer', 'authorizers', []],
  ['DomainName', 'domainnames', []],
]

/**
 * Stand-in CRDs for the seven Tollgate kinds: namespaced, status subresource, and a schema that
 * keeps any spec and status (register the project's generated CRDs to get real pruning and
 * validation).
 */
export function tollgateCRDs(): CRDObject[] {
  return TOLLGATE_KINDS.map(([kind, plural, shortNames]) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.tollgate.dev` },
    spec: {
      group: 'tollgate.dev',
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`, shortNames, categories: ['tollgate'] },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  }))
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

/** APIResourceList of one group version. */
export function resourceList(types: ResourceType[], gv: string): JsonObject {
  const resources: JsonObject[] = []
  for (const t of [...types].sort((a, b) => a.plural.localeCompare(b.plural))) {
    const r: JsonObject = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: VERBS }
    if (t.shortNames.length > 0) r['shortNames'] = t.shortNames
    if (t.categories.length > 0) r['categories'] = t.categories
    resources.push(r)
    if (t.status) resources.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] })
  }
  const out: JsonObject = { kind: 'APIResourceList' }
  if (gv.includes('/')) out['apiVersion'] = 'v1'
  out['groupVersion'] = gv
  out['resources'] = resources
  return out
}

/** APIGroup documents, one per group with at least one served version. */
export function apiGroups(types: ResourceType[]): JsonObject[] {
  const byGroup = new Map<string, string[]>()
  for (const t of types) {
    if (!t.group) continue
    const versions = byGroup.get(t.group) ?? []
    if (!versions.includes(t.version)) versions.push(t.version)
    byGroup.set(t.group, versions)
  }
  return [...byGroup.entries()].map(([group, versions]) => {
    const sorted = [...versions].sort(compareVersions)
    const gvs = sorted.map((v) => ({ groupVersion: `${group}/${v}`, version: v }))
    return { name: group, versions: gvs, preferredVersion: gvs[0]! }
  })
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v)
    if (!m) return [0, 0, 0]
    const stage = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3
    return [stage, Number(m[1]), Number(m[3] ?? 0)]
  }
  const [sa, ma, na] = parse(a)
  const [sb, mb, nb] = parse(b)
  return sb - sa || mb - ma || nb - na || a.localeCompare(b)
}
