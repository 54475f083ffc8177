// The verbs (get, list, create, update, patch, delete) with the semantics of the real generic
// registry and the custom resource strategy: system metadata, status subresource, generation,
// optimistic concurrency, field management, finalizers, pruning, defaulting and validation.
import { randomUUID } from 'node:crypto'
import { parse as parseYaml } from 'yaml'
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  failure,
  invalid,
  notFound,
  unsupportedMediaType,
  expired,
  type FieldError,
  type GroupKind,
  type GroupResource,
} from './status.js'
import { clone, deepEqual, isObject, jsonPatch, mergePatch, strategicMergePatch, PatchError, type Json, type JsonObject } from './patch.js'
import { apply, recordUpdate, renderManagedFields, type ManagedEntry } from './apply.js'
import { applyDefaults, prune, validate as validateSchema } from './schema.js'
import { parseFieldSelector, parseLabelSelector } from './selectors.js'
import { crdWithStatus, groupVersion, typesFromCRD, validateCRD, coreTypes, type CRDObject, type PrepareContext, type ResourceType } from './resources.js'
import { Store, type Stored } from './store.js'

export interface WriteOptions {
  dryRun: boolean
  fieldManager: string | undefined
  /** The manager recorded when the request names none (the real server derives it from the User-Agent). */
  defaultManager: string
  force: boolean
}

export interface ListOptions {
  labelSelector?: string | null
  fieldSelector?: string | null
  limit?: number
  continue?: string | null
  resourceVersion?: string | null
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789'

export function gr(t: ResourceType): GroupResource {
  return { group: t.group, resource: t.plural }
}

export function gk(t: ResourceType): GroupKind {
  return { group: t.group, kind: t.kind }
}

function md(obj: JsonObject): JsonObject {
  if (!isObject(obj['metadata'])) obj['metadata'] = {}
  return obj['metadata'] as JsonObject
}

function validateQualifiedName(key: string, field: string, errors: FieldError[]): void {
  const parts = key.split('/')
  const name = parts.length === 2 ? parts[1]! : parts[0]!
  const prefix = parts.length === 2 ? parts[0]! : undefined
  if (parts.length > 2 || !QUALIFIED_NAME.test(name) || name.length > 63 || (prefix !== undefined && (!SUBDOMAIN.test(prefix) || prefix.length > 253)))
    errors.push({
      type: 'FieldValueInvalid',
      field,
      value: key,
      detail: "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    })
}

/** ObjectMeta validation: name, labels, annotations, finalizers. */
function validateMeta(t: ResourceType, obj: JsonObject): FieldError[] {
  const errors: FieldError[] = []
  const m = md(obj)
  const name = m['name']
  if (typeof name !== 'string' || name === '') errors.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' })
  else if (t.nameValidation === 'label' && (!LABEL.test(name) || name.length > 63))
    errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: name.length > 63 ? 'must be no more than 63 characters' : LABEL_MSG })
  else if (t.nameValidation === 'subdomain' && (!SUBDOMAIN.test(name) || name.length > 253))
    errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: name.length > 253 ? 'must be no more than 253 characters' : SUBDOMAIN_MSG })
  for (const f of ['labels', 'annotations']) {
    const v = m[f]
    if (v === undefined || v === null) continue
    if (!isObject(v)) throw badRequest(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field ObjectMeta.metadata.${f} of type map[string]string`)
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== 'string') throw badRequest(`json: cannot unmarshal ${typeof val} into Go struct field ObjectMeta.metadata.${f} of type string`)
      validateQualifiedName(k, `metadata.${f}`, errors)
      if (f === 'labels' && (!LABEL_VALUE.test(val) || val.length > 63))
        errors.push({
          type: 'FieldValueInvalid',
          field: `metadata.labels`,
          value: val,
          detail: val.length > 63 ? 'must be no more than 63 characters' : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        })
    }
  }
  const fin = m['finalizers']
  if (fin !== undefined && fin !== null && (!Array.isArray(fin) || fin.some((x) => typeof x !== 'string'))) throw badRequest('json: cannot unmarshal into Go struct field ObjectMeta.metadata.finalizers of type []string')
  return errors
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Everything but metadata: what a generation bump compares. */
function nonMetadata(obj: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(obj)) if (k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') out[k] = v
  return out
}

function withoutVolatile(obj: JsonObject): JsonObject {
  const c = clone(obj)
  const m = md(c)
  delete m['resourceVersion']
  delete m['managedFields']
  return c
}

function sameManaged(a: ManagedEntry[], b: ManagedEntry[]): boolean {
  if (a.length !== b.length) return false
  return a.every((e, i) => {
    const f = b[i]!
    return e.manager === f.manager && e.operation === f.operation && e.subresource === f.subresource && e.fields.size === f.fields.size && [...e.fields].every((k) => f.fields.has(k))
  })
}

export class Registry {
  readonly store: Store
  private types: ResourceType[] = []
  private nextIP = 10
  readonly now: () => Date
  private readonly prepareCtx: PrepareContext

  constructor(store: Store, now: () => Date) {
    this.store = store
    this.now = now
    this.types = coreTypes()
    this.prepareCtx = {
      allocateClusterIP: () => {
        const n = this.nextIP++
        return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`
      },
    }
  }

  allTypes(): ResourceType[] {
    return this.types
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural)
  }

  /** By kind, plural, `plural.group` or `Kind.group`; the preferred (first registered) version. */
  lookup(name: string): ResourceType | undefined {
    return this.types.find((t) => t.kind === name || t.plural === name || `${t.plural}.${t.group}` === name || `${t.kind}.${t.group}` === name)
  }

  private timestamp(): string {
    return rfc3339(this.now())
  }

  // ---- serving ---------------------------------------------------------------------------

  /** The served representation of a stored object, with managedFields rendered. */
  serve(t: ResourceType, stored: Stored, withTypeMeta = true): JsonObject {
    let out = t.fromStorage ? t.fromStorage(stored.obj) : clone(stored.obj)
    out = { apiVersion: groupVersion(t), kind: t.kind, ...out }
    out['apiVersion'] = groupVersion(t)
    out['kind'] = t.kind
    if (stored.managed.length > 0) md(out)['managedFields'] = renderManagedFields(stored.managed, groupVersion(t))
    if (!withTypeMeta) {
      delete out['apiVersion']
      delete out['kind']
    }
    return out
  }

  private storageForm(t: ResourceType, obj: JsonObject): JsonObject {
    const out = t.toStorage ? t.toStorage(obj) : clone(obj)
    if (!t.toStorage) out['apiVersion'] = groupVersion(t)
    delete md(out)['managedFields']
    return out
  }

  // ---- reads -----------------------------------------------------------------------------

  get(t: ResourceType, namespace: string, name: string): JsonObject {
    const s = this.store.get(t.storage, namespace, name)
    if (!s) throw notFound(gr(t), name)
    return this.serve(t, s)
  }

  /** A filter over served objects from the label and field selectors; throws on bad selectors. */
  matcher(t: ResourceType, namespace: string | undefined, opts: ListOptions): (served: JsonObject) => boolean {
    const labels = parseLabelSelector(opts.labelSelector)
    const fields = parseFieldSelector(opts.fieldSelector)
    const getters = fields.map((f) => {
      if (f.field === 'metadata.name') return (o: JsonObject) => md(o)['name'] as string
      if (f.field === 'metadata.namespace') return (o: JsonObject) => (md(o)['namespace'] as string | undefined) ?? ''
      const g = t.fieldSelectors[f.field]
      if (!g) throw badRequest(`field label not supported: ${f.field}`)
      return g
    })
    return (o) => {
      const m = md(o)
      if (namespace !== undefined && m['namespace'] !== namespace) return false
      if (!labels(isObject(m['labels']) ? (m['labels'] as Record<string, string>) : undefined)) return false
      return fields.every((f, i) => {
        const v = getters[i]!(o) ?? ''
        return f.op === '=' ? v === f.value : v !== f.value
      })
    }
  }

  list(t: ResourceType, namespace: string | undefined, opts: ListOptions): JsonObject {
    const match = this.matcher(t, namespace, opts)
    let rv = this.store.revision
    let start = ''
    if (opts.continue) {
      let token: { rv: number; start: string }
      try {
        token = JSON.parse(Buffer.from(opts.continue, 'base64url').toString('utf8')) as { rv: number; start: string }
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data')
      }
      if (token.rv < this.store.compactedRevision)
        throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.')
      rv = token.rv
      start = token.start
    }
    const all = this.store.list(t.storage).filter((s) => {
      const key = `${(md(s.obj)['namespace'] as string | undefined) ?? ''}/${md(s.obj)['name'] as string}`
      return key > start
    })
    const items: JsonObject[] = []
    let remaining = 0
    let lastKey = ''
    for (const s of all) {
      const served = this.serve(t, s, t.custom)
      if (!match(served)) continue
      if (opts.limit && opts.limit > 0 && items.length >= opts.limit) {
        remaining++
        continue
      }
      items.push(served)
      lastKey = `${(md(s.obj)['namespace'] as string | undefined) ?? ''}/${md(s.obj)['name'] as string}`
    }
    const metadata: JsonObject = { resourceVersion: String(rv) }
    if (remaining > 0) {
      metadata['continue'] = Buffer.from(JSON.stringify({ rv, start: lastKey })).toString('base64url')
      metadata['remainingItemCount'] = remaining
    }
    return { apiVersion: groupVersion(t), kind: t.listKind, metadata, items }
  }

  // ---- writes ----------------------------------------------------------------------------

  private checkTypeMeta(t: ResourceType, body: JsonObject, bodyText: string): FieldError[] {
    const kind = body['kind']
    const apiVersion = body['apiVersion']
    if (t.custom) {
      if (kind === undefined || kind === '') throw badRequest(`Object 'Kind' is missing in '${bodyText}'`)
      const errors: FieldError[] = []
      if (kind !== t.kind) errors.push({ type: 'FieldValueInvalid', field: 'kind', value: kind, detail: `must be ${t.kind}` })
      if (apiVersion !== groupVersion(t)) errors.push({ type: 'FieldValueInvalid', field: 'apiVersion', value: apiVersion ?? '', detail: `must be ${groupVersion(t)}` })
      return errors
    }
    if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== groupVersion(t))
      throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${groupVersion(t)})`)
    if (kind !== undefined && kind !== '' && kind !== t.kind) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: kind "${String(kind)}" does not match "${t.kind}"`)
    body['apiVersion'] = groupVersion(t)
    body['kind'] = t.kind
    return []
  }

  private checkNamespace(t: ResourceType, obj: JsonObject, namespace: string): void {
    const m = md(obj)
    if (!t.namespaced) {
      delete m['namespace']
      return
    }
    if (m['namespace'] === undefined || m['namespace'] === '') m['namespace'] = namespace
    else if (m['namespace'] !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
  }

  private schemaProcess(t: ResourceType, obj: JsonObject): JsonObject {
    if (!t.custom || !t.schema) return obj
    let out = obj
    if (t.pruning) out = prune(out, t.schema, true) as JsonObject
    out = applyDefaults(out, t.schema) as JsonObject
    return out
  }

  private validateAll(t: ResourceType, obj: JsonObject, old: JsonObject | undefined, typeMetaErrors: FieldError[]): void {
    const errors = [...typeMetaErrors, ...validateMeta(t, obj)]
    if (t.custom && t.schema) validateSchema(obj, t.schema, '', errors)
    if (t.validate) errors.push(...t.validate(obj, old))
    if (errors.length > 0) throw invalid(gk(t), (md(obj)['name'] as string | undefined) ?? '', errors)
  }

  /** Create namespaces on first use instead of answering 404 (the real NamespaceLifecycle admission refuses). */
  autoCreateNamespaces = false

  private requireNamespace(t: ResourceType, namespace: string): void {
    if (!t.namespaced || this.store.get('/namespaces', '', namespace)) return
    if (!this.autoCreateNamespaces) throw notFound({ group: '', resource: 'namespaces' }, namespace)
    const nsType = this.find('', 'v1', 'namespaces')!
    this.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, { dryRun: false, fieldManager: undefined, defaultManager: 'tollgate-test', force: false })
  }

  create(t: ResourceType, namespace: string, body: Json, opts: WriteOptions, bodyText = JSON.stringify(body), managedOverride?: ManagedEntry[]): JsonObject {
    if (!isObject(body)) throw badRequest(`Object 'Kind' is missing in '${bodyText}'`)
    let obj = clone(body)
    const typeErrors = this.checkTypeMeta(t, obj, bodyText)
    this.checkNamespace(t, obj, namespace)
    const m = md(obj)
    if ((m['name'] === undefined || m['name'] === '') && typeof m['generateName'] === 'string' && m['generateName'] !== '') {
      do {
        let suffix = ''
        for (let i = 0; i < 5; i++) suffix += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)]
        m['name'] = `${m['generateName'] as string}${suffix}`
      } while (this.store.get(t.storage, namespace, m['name'] as string))
    }
    this.requireNamespace(t, namespace)
    if (t.custom && t.status) delete obj['status']
    // The etcd3 store refuses this with a plain error, which the server serves as a 500 without a reason.
    if (m['resourceVersion'] !== undefined && m['resourceVersion'] !== '' && m['resourceVersion'] !== '0')
      throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'resourceVersion should not be set on objects to be created', code: 500 })
    m['uid'] = randomUUID()
    m['creationTimestamp'] = this.timestamp()
    delete m['resourceVersion']
    delete m['deletionTimestamp']
    delete m['deletionGracePeriodSeconds']
    delete m['selfLink']
    delete m['managedFields']
    if (t.generation) m['generation'] = 1
    else delete m['generation']
    t.prepareCreate?.(obj, this.prepareCtx)
    obj = this.schemaProcess(t, obj)
    this.validateAll(t, obj, undefined, typeErrors)
    const name = md(obj)['name'] as string
    if (this.store.get(t.storage, t.namespaced ? namespace : '', name)) throw alreadyExists(gr(t), name)
    const managed = managedOverride ?? recordUpdate(undefined, obj, t.schema, [], opts.fieldManager ?? opts.defaultManager, undefined, this.timestamp())
    const stored: Stored = { obj: this.storageForm(t, obj), managed }
    if (opts.dryRun) return this.serve(t, stored)
    if (t.crd === undefined && t.storage === 'apiextensions.k8s.io/customresourcedefinitions') return this.createCRD(t, stored)
    return this.serve(t, this.store.put(t.storage, stored))
  }

  /**
   * PUT. `fromPatch` marks an update computed by a patch, whose resourceVersion was already
   * checked; `managedOverride` carries field ownership computed by an apply.
   */
  update(
    t: ResourceType,
    namespace: string,
    name: string,
    subresource: string | undefined,
    body: Json,
    opts: WriteOptions,
    bodyText = JSON.stringify(body),
    fromPatch = false,
    managedOverride?: ManagedEntry[],
  ): JsonObject {
    if (!isObject(body)) throw badRequest(`Object 'Kind' is missing in '${bodyText}'`)
    let obj = clone(body)
    const typeErrors = this.checkTypeMeta(t, obj, bodyText)
    const m = md(obj)
    if (m['name'] !== name) throw badRequest(`the name of the object (${String(m['name'] ?? '')}) does not match the name on the URL (${name})`)
    this.checkNamespace(t, obj, namespace)
    const ns = t.namespaced ? namespace : ''
    const existing = this.store.get(t.storage, ns, name)
    if (!existing) {
      if (t.allowCreateOnUpdate && subresource === undefined) {
        delete m['resourceVersion']
        return this.create(t, namespace, obj, opts, bodyText)
      }
      throw notFound(gr(t), name)
    }
    const oldServed = this.serve(t, existing)
    const old = withoutVolatile(oldServed)
    const rv = m['resourceVersion']
    if (!fromPatch) {
      if (rv === undefined || rv === '' || rv === null) {
        if (!t.allowUnconditionalUpdate)
          throw invalid(gk(t), name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', rawValue: '0x0', detail: 'must be specified for an update' }])
      } else if (typeof rv !== 'string' || !/^\d+$/.test(rv)) {
        throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`)
      } else if (rv !== md(oldServed)['resourceVersion']) {
        throw conflict(gr(t), name)
      }
    }
    // What each endpoint may change.
    if (subresource === 'status') {
      const next = clone(old)
      if (obj['status'] !== undefined) next['status'] = obj['status']!
      else delete next['status']
      if (!t.custom) {
        const nm = md(next)
        for (const f of ['labels', 'annotations']) {
          if (m[f] !== undefined) nm[f] = m[f]!
          else delete nm[f]
        }
      }
      obj = next
    } else if (t.status) {
      if (old['status'] !== undefined) obj['status'] = clone(old['status'])
      else delete obj['status']
    }
    const nm = md(obj)
    const om = md(old)
    if (nm['uid'] !== undefined && nm['uid'] !== '' && nm['uid'] !== om['uid'])
      throw invalid(gk(t), name, [{ type: 'FieldValueInvalid', field: 'metadata.uid', value: nm['uid'], detail: 'field is immutable' }])
    for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
      if (om[f] !== undefined) nm[f] = om[f]!
      else delete nm[f]
    }
    delete nm['resourceVersion']
    delete nm['selfLink']
    delete nm['managedFields']
    if (om['deletionTimestamp'] !== undefined) {
      const oldFin = Array.isArray(om['finalizers']) ? om['finalizers'] : []
      const added = (Array.isArray(nm['finalizers']) ? nm['finalizers'] : []).filter((f) => !oldFin.includes(f))
      if (added.length > 0)
        throw invalid(gk(t), name, [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }])
    }
    t.prepareUpdate?.(obj, old, this.prepareCtx)
    obj = this.schemaProcess(t, obj)
    if (t.generation && subresource !== 'status' && !deepEqual(nonMetadata(obj), nonMetadata(old))) md(obj)['generation'] = ((om['generation'] as number | undefined) ?? 0) + 1
    this.validateAll(t, obj, old, typeErrors)
    const manager = opts.fieldManager ?? opts.defaultManager
    const managed = managedOverride ?? recordUpdate(old, obj, t.schema, existing.managed, manager, subresource, this.timestamp())
    if (deepEqual(obj, old) && sameManaged(managed, existing.managed)) return oldServed
    const stored: Stored = { obj: this.storageForm(t, obj), managed }
    if (opts.dryRun) return this.serve(t, { obj: { ...stored.obj, metadata: { ...md(stored.obj), resourceVersion: md(oldServed)['resourceVersion']! } }, managed })
    const fin = md(obj)['finalizers']
    if (md(obj)['deletionTimestamp'] !== undefined && (!Array.isArray(fin) || fin.length === 0)) {
      this.store.put(t.storage, stored)
      this.store.remove(t.storage, ns, name)
      return this.serve(t, stored)
    }
    if (t.storage === 'apiextensions.k8s.io/customresourcedefinitions') return this.updateCRD(t, stored)
    return this.serve(t, this.store.put(t.storage, stored))
  }

  patch(
    t: ResourceType,
    namespace: string,
    name: string,
    subresource: string | undefined,
    contentType: string,
    bodyText: string,
    opts: WriteOptions,
  ): JsonObject {
    const ns = t.namespaced ? namespace : ''
    const accepted = t.custom
      ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']
      : ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']
    if (!accepted.includes(contentType)) throw unsupportedMediaType(contentType, accepted)
    if (contentType === 'application/apply-patch+yaml') return this.applyPatch(t, namespace, name, subresource, bodyText, opts)
    if (opts.force) throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type: 'FieldValueInvalid', field: 'force', value: true, detail: 'may not be specified for non-apply patch' }])
    let patchBody: Json
    try {
      patchBody = JSON.parse(bodyText) as Json
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`)
    }
    const existing = this.store.get(t.storage, ns, name)
    if (!existing) throw notFound(gr(t), name)
    const current = this.serve(t, existing)
    delete md(current)['managedFields']
    let patched: Json
    try {
      if (contentType === 'application/json-patch+json') patched = jsonPatch(current, patchBody)
      else if (contentType === 'application/merge-patch+json') {
        if (!isObject(patchBody)) throw new PatchError('merge patch must be a JSON object')
        patched = mergePatch(current, patchBody)
      } else {
        if (!isObject(patchBody)) throw new PatchError('strategic merge patch must be a JSON object')
        patched = strategicMergePatch(current, patchBody, t.mergeKeys ?? {})
      }
    } catch (e) {
      if (e instanceof PatchError)
        throw new ApiError(failure(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ reason: 'UnexpectedServerResponse', message: e.message }] }))
      throw e
    }
    if (!isObject(patched)) throw badRequest('the patched object is not an object')
    const pm = md(patched)
    const rv = pm['resourceVersion']
    if (rv !== undefined && rv !== null && rv !== '' && rv !== md(current)['resourceVersion']) throw conflict(gr(t), name)
    pm['resourceVersion'] = md(current)['resourceVersion']!
    return this.update(t, namespace, name, subresource, patched, opts, JSON.stringify(patched), true)
  }

  private applyPatch(t: ResourceType, namespace: string, name: string, subresource: string | undefined, bodyText: string, opts: WriteOptions): JsonObject {
    if (!opts.fieldManager)
      throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' }])
    let applied: Json
    try {
      applied = parseYaml(bodyText) as Json
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`)
    }
    if (!isObject(applied)) throw badRequest(`Object 'Kind' is missing in '${bodyText}'`)
    if (applied['kind'] === undefined || applied['kind'] === '') throw badRequest(`Object 'Kind' is missing in '${bodyText}'`)
    if (applied['apiVersion'] !== groupVersion(t) || applied['kind'] !== t.kind)
      throw badRequest(`the API version in the data (${String(applied['apiVersion'])}) and kind (${String(applied['kind'])}) do not match the expected ${groupVersion(t)}, Kind=${t.kind}`)
    const am = md(applied)
    if (am['name'] === undefined) am['name'] = name
    if (am['name'] !== name) throw badRequest(`the name of the object (${String(am['name'])}) does not match the name on the URL (${name})`)
    this.checkNamespace(t, applied, namespace)
    const ns = t.namespaced ? namespace : ''
    const existing = this.store.get(t.storage, ns, name)
    const only = t.status ? (subresource === 'status' ? 'status' : 'main') : undefined
    const restricted = clone(applied)
    if (only === 'status') {
      for (const k of Object.keys(restricted)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && k !== 'status') delete restricted[k]
      restricted['metadata'] = { name, ...(t.namespaced ? { namespace } : {}) }
    } else if (only === 'main') delete restricted['status']
    const now = this.timestamp()
    if (!existing) {
      if (subresource !== undefined) throw notFound(gr(t), name)
      delete md(restricted)['resourceVersion']
      const result = apply(undefined, restricted, t.schema, [], opts.fieldManager, undefined, opts.force, now, only)
      return this.create(t, namespace, result.object, opts, bodyText, result.managed)
    }
    const live = this.serve(t, existing)
    delete md(live)['managedFields']
    const appliedRv = am['resourceVersion']
    if (appliedRv !== undefined && appliedRv !== null && appliedRv !== '' && appliedRv !== md(live)['resourceVersion']) throw conflict(gr(t), name)
    const result = apply(live, restricted, t.schema, existing.managed, opts.fieldManager, subresource, opts.force, now, only)
    if (result.conflicts.length > 0) {
      const n = result.conflicts.length
      const lines = result.conflicts.map((c) => `conflict with "${c.manager}": ${c.path}`)
      const message = n === 1 ? `Apply failed with 1 conflict: ${lines[0]!}` : `Apply failed with ${n} conflicts: ${lines.join('\n')}`
      throw new ApiError(
        failure(409, 'Conflict', message, { causes: result.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: c.path })) }),
      )
    }
    const merged = result.object
    md(merged)['resourceVersion'] = md(live)['resourceVersion']!
    return this.update(t, namespace, name, subresource, merged, opts, bodyText, true, result.managed)
  }

  delete(t: ResourceType, namespace: string, name: string, body: Json | undefined, opts: { dryRun: boolean }): JsonObject {
    const ns = t.namespaced ? namespace : ''
    const existing = this.store.get(t.storage, ns, name)
    if (!existing) throw notFound(gr(t), name)
    const served = this.serve(t, existing)
    const m = md(served)
    if (isObject(body) && isObject(body['preconditions'])) {
      const pre = body['preconditions']
      if (pre['uid'] !== undefined && pre['uid'] !== null && pre['uid'] !== m['uid'])
        throw conflict(gr(t), name, `Precondition failed: UID in precondition: ${String(pre['uid'])}, UID in object meta: ${String(m['uid'])}`)
      if (pre['resourceVersion'] !== undefined && pre['resourceVersion'] !== null && pre['resourceVersion'] !== m['resourceVersion'])
        throw conflict(gr(t), name, `Precondition failed: ResourceVersion in precondition: ${String(pre['resourceVersion'])}, ResourceVersion in object meta: ${String(m['resourceVersion'])}`)
    }
    if (opts.dryRun) return t.returnDeletedObject ? served : this.successStatus(t, name, m['uid'] as string)
    const fin = m['finalizers']
    if (Array.isArray(fin) && fin.length > 0) {
      if (m['deletionTimestamp'] !== undefined) return served
      const obj = clone(existing.obj)
      const om = md(obj)
      om['deletionTimestamp'] = this.timestamp()
      om['deletionGracePeriodSeconds'] = 0
      if (typeof om['generation'] === 'number' && om['generation'] > 0) om['generation'] = om['generation'] + 1
      return this.serve(t, this.store.put(t.storage, { obj, managed: existing.managed }))
    }
    if (t.storage === '/namespaces') {
      for (const storage of this.store.storagesWithNamespace(name)) {
        for (const s of this.store.list(storage)) if (md(s.obj)['namespace'] === name) this.store.remove(storage, name, md(s.obj)['name'] as string)
      }
    }
    if (t.storage === 'apiextensions.k8s.io/customresourcedefinitions') this.dropCRDTypes(name)
    this.store.remove(t.storage, ns, name)
    return t.returnDeletedObject ? served : this.successStatus(t, name, m['uid'] as string)
  }

  deleteCollection(t: ResourceType, namespace: string | undefined, opts: ListOptions & { dryRun: boolean }): JsonObject {
    const list = this.list(t, namespace, opts)
    const items = list['items'] as JsonObject[]
    for (const item of items) this.delete(t, (md(item)['namespace'] as string | undefined) ?? '', md(item)['name'] as string, undefined, opts)
    return list
  }

  private successStatus(t: ResourceType, name: string, uid: string): JsonObject {
    const details: JsonObject = { name }
    if (t.group) details['group'] = t.group
    details['kind'] = t.plural
    details['uid'] = uid
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details }
  }

  // ---- custom resource definitions -------------------------------------------------------

  private crdType(): ResourceType {
    return this.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!
  }

  private checkCRD(obj: JsonObject): void {
    const errors = validateCRD(obj)
    if (errors.length > 0) throw invalid({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }, (md(obj)['name'] as string | undefined) ?? '', errors)
    const spec = obj['spec'] as JsonObject
    const group = spec['group'] as string
    const plural = (spec['names'] as JsonObject)['plural'] as string
    const clash = this.types.find((t) => t.group === group && t.plural === plural && t.crd === undefined)
    if (clash) throw invalid({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }, md(obj)['name'] as string, [{ type: 'FieldValueInvalid', field: 'spec.names.plural', value: plural, detail: 'is already in use' }])
  }

  private createCRD(t: ResourceType, stored: Stored): JsonObject {
    this.checkCRD(stored.obj)
    stored.obj = crdWithStatus(stored.obj, this.timestamp())
    const out = this.serve(t, this.store.put(t.storage, stored))
    this.installCRDTypes(stored.obj)
    return out
  }

  private updateCRD(t: ResourceType, stored: Stored): JsonObject {
    this.checkCRD(stored.obj)
    stored.obj = crdWithStatus(stored.obj, this.timestamp())
    const out = this.serve(t, this.store.put(t.storage, stored))
    this.installCRDTypes(stored.obj)
    return out
  }

  private installCRDTypes(crd: JsonObject): void {
    const name = md(crd)['name'] as string
    this.types = this.types.filter((t) => t.crd !== name)
    this.types.push(...typesFromCRD(crd as unknown as CRDObject))
  }

  private dropCRDTypes(name: string): void {
    const dropped = this.types.filter((t) => t.crd === name)
    this.types = this.types.filter((t) => t.crd !== name)
    const storages = new Set(dropped.map((t) => t.storage))
    for (const storage of storages) for (const s of this.store.list(storage)) this.store.remove(storage, (md(s.obj)['namespace'] as string | undefined) ?? '', md(s.obj)['name'] as string)
  }

  /** Registers (or replaces) a CRD as if it had been created through the API. */
  registerCRD(crd: JsonObject): JsonObject {
    const t = this.crdType()
    const name = isObject(crd['metadata']) ? (crd['metadata']['name'] as string | undefined) : undefined
    const opts: WriteOptions = { dryRun: false, fieldManager: 'tollgate-test', defaultManager: 'tollgate-test', force: false }
    const body: JsonObject = { ...clone(crd), apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' }
    const existing = name ? this.store.get(t.storage, '', name) : undefined
    if (existing) {
      md(body)['resourceVersion'] = md(existing.obj)['resourceVersion']!
      return this.update(t, '', name!, undefined, body, opts)
    }
    return this.create(t, '', body, opts)
  }
}
