// A test Kubernetes API server: in-process, plain HTTP on 127.0.0.1, speaking the real wire
// protocol (JSON only) so that code under test talks to it through the real
// @kubernetes/client-node. See README.md beside this file for what it implements and where it
// deliberately differs from a real API server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { KubeConfig } from '@kubernetes/client-node'
import { ApiError, badRequest, methodNotAllowed, pathNotFound, statusForCode, unauthorized, unsupportedMediaType, type Status } from './status.js'
import { clone, isObject, type Json, type JsonObject } from './patch.js'
import { Registry, type WriteOptions } from './registry.js'
import { Store, type StoreEvent } from './store.js'
import { apiGroups, groupVersion, resourceList, tollgateCRDs, type ResourceType } from './resources.js'

export type { Status } from './status.js'
export type { ResourceType } from './resources.js'

export interface ApiServerOptions {
  /** The bearer token clients must send (default: random). */
  token?: string
  /** How many change events the server remembers for watches from an old resourceVersion (default 1000). */
  historySize?: number
  /** Interval of BOOKMARK events on watches that allow them (default 1000 ms; a real server sends one about every minute). */
  bookmarkIntervalMs?: number
  /** Register stand-in CRDs for the seven tollgate.dev kinds (default true). */
  tollgateCRDs?: boolean
  /** Namespaces that exist at start (default: default, kube-system, kube-public, kube-node-lease). */
  namespaces?: string[]
  /** Create a namespace on first use instead of answering 404 like the real server (default false). */
  autoCreateNamespaces?: boolean
  /** Longest watch when the client gives no timeoutSeconds (default 1800 s, the real minimum request timeout). */
  maxWatchSeconds?: number
  /** The clock (default: the real one). */
  now?: () => Date
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'

/** What the server understood a request to be (as the real server's RequestInfo). */
export interface RequestInfo {
  verb: Verb | 'discovery'
  path: string
  group?: string
  version?: string
  resource?: string
  subresource?: string
  namespace?: string
  name?: string
}

export interface RequestRecord extends RequestInfo {
  method: string
  query: string
  contentType: string | undefined
  fieldManager: string | undefined
  /** The response status, once the response is finished. */
  status?: number
}

/**
 * Which requests a fault applies to: a string matches a request whose path contains it, or whose
 * resource (`apis`) or resource/subresource (`apis/status`) equals it; a RegExp is tested against
 * the path; a function sees the whole RequestInfo.
 */
export type RequestMatcher = string | RegExp | ((info: RequestInfo) => boolean)

export interface FaultHandle {
  /** Whether the fault has been served. */
  readonly fired: boolean
}

export interface BreakOptions {
  /** End streams cleanly (as a server-side timeout does) instead of cutting the connection. */
  graceful?: boolean
}

export interface TestApiServer {
  readonly url: string
  readonly port: number
  readonly token: string
  /** Every request served, in order. */
  readonly requests: RequestRecord[]
  /** A KubeConfig for in-process clients. */
  kubeconfig(): KubeConfig
  /** The kubeconfig as YAML, for child processes. */
  kubeconfigYaml(): string
  /** Writes the kubeconfig to a temporary file and returns its path (for KUBECONFIG). */
  kubeconfigFile(): string
  /** Registers (or replaces) an apiextensions.k8s.io/v1 CustomResourceDefinition. */
  registerCRD(crd: object): void
  /** Stored objects of a kind (by Kind, plural, `plural.group` or `Kind.group`), as a GET would serve them. */
  objects(kind: string, namespace?: string): JsonObject[]
  /** Creates an object directly (as a create through the API by manager `tollgate-test`). */
  seed(obj: object): JsonObject
  /** The current (global) resourceVersion. */
  resourceVersion(): number
  /** Aborts every open watch; returns how many. */
  breakWatches(opts?: BreakOptions): number
  /** Forgets the event history: a watch from any older resourceVersion gets 410 Expired. */
  compactHistory(): void
  /** Sets the history size (compacting what no longer fits). */
  setHistorySize(n: number): void
  /** Sends a BOOKMARK now on every watch that allows bookmarks. */
  sendBookmarks(): void
  /** Answers the next request matching verb (or '*') and matcher with this error instead of serving it. */
  failNext(verb: Verb | '*', matcher: RequestMatcher, status: number | Partial<Status>): FaultHandle
  /** How many watches are open (optionally of one resource). */
  openWatches(resource?: string): number
  close(): Promise<void>
}

interface Fault {
  verb: Verb | '*'
  matcher: RequestMatcher
  status: Status
  fired: boolean
}

interface OpenWatch {
  res: ServerResponse
  type: ResourceType
  resource: string
  bookmarks: boolean
  sendBookmark(): void
  end(): void
}

const MAX_BODY = 3 * 1024 * 1024
const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof ApiError) return send(res, err.status.code, err.status)
  const message = err instanceof Error ? err.message : String(err)
  send(res, 500, statusForCode(500, 'InternalError', `Internal error occurred: ${message}`))
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new ApiError(statusForCode(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728')))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase()
}

function parseObjectBody(text: string, contentType: string): Json {
  if (contentType === 'application/yaml') {
    try {
      return parseYaml(text) as Json
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`)
    }
  }
  if (contentType !== '' && contentType !== 'application/json') throw unsupportedMediaType(contentType, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'])
  try {
    return JSON.parse(text) as Json
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`)
  }
}

interface Route {
  info: RequestInfo
  type?: ResourceType
  watch: boolean
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1'
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<TestApiServer> {
  const token = opts.token ?? randomBytes(16).toString('hex')
  const store = new Store(opts.historySize ?? 1000, 1)
  const registry = new Registry(store, opts.now ?? (() => new Date()))
  registry.autoCreateNamespaces = opts.autoCreateNamespaces ?? false
  const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 1000
  const maxWatchSeconds = opts.maxWatchSeconds ?? 1800
  const requests: RequestRecord[] = []
  const faults: Fault[] = []
  const watches = new Set<OpenWatch>()
  const seedOpts: WriteOptions = { dryRun: false, fieldManager: undefined, defaultManager: 'tollgate-test', force: false }

  const nsType = registry.find('', 'v1', 'namespaces')!
  for (const ns of opts.namespaces ?? DEFAULT_NAMESPACES) registry.create(nsType, '', { metadata: { name: ns } }, seedOpts)
  if (opts.tollgateCRDs ?? true) for (const crd of tollgateCRDs()) registry.registerCRD(crd as unknown as JsonObject)

  function route(url: URL, method: string): Route | 'discovery' {
    const segs = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent)
    let group: string
    let version: string
    let rest: string[]
    if (segs[0] === 'api' && segs.length >= 2) {
      group = ''
      version = segs[1]!
      rest = segs.slice(2)
    } else if (segs[0] === 'apis' && segs.length >= 3) {
      group = segs[1]!
      version = segs[2]!
      rest = segs.slice(3)
    } else return 'discovery'
    if (rest.length === 0) return 'discovery'
    let watch = false
    if (rest[0] === 'watch') {
      watch = true
      rest = rest.slice(1)
    }
    let namespace: string | undefined
    if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
      namespace = rest[1]
      rest = rest.slice(2)
    }
    if (rest.length === 0 || rest.length > 3) throw pathNotFound()
    const [resource, name, subresource] = rest as [string, string | undefined, string | undefined]
    const type = registry.find(group, version, resource)
    if (!type) throw pathNotFound()
    if (!type.namespaced && namespace !== undefined) throw pathNotFound()
    if (type.namespaced && namespace === undefined && name !== undefined) throw pathNotFound()
    if (subresource !== undefined && !(subresource === 'status' && type.status)) throw pathNotFound()
    if (!watch) watch = method === 'GET' && isTrue(url.searchParams.get('watch'))
    let verb: Verb
    switch (method) {
      case 'GET':
        verb = watch ? 'watch' : name === undefined ? 'list' : 'get'
        break
      case 'POST':
        if (name !== undefined) throw methodNotAllowed()
        verb = 'create'
        break
      case 'PUT':
        if (name === undefined) throw methodNotAllowed()
        verb = 'update'
        break
      case 'PATCH':
        if (name === undefined) throw methodNotAllowed()
        verb = 'patch'
        break
      case 'DELETE':
        verb = name === undefined ? 'deletecollection' : 'delete'
        break
      default:
        throw methodNotAllowed()
    }
    // The all-namespaces path of a namespaced resource serves only list and watch.
    if (type.namespaced && namespace === undefined && verb !== 'list' && verb !== 'watch') throw methodNotAllowed()
    const info: RequestInfo = { verb, path: url.pathname, group, version, resource }
    if (subresource !== undefined) info.subresource = subresource
    if (namespace !== undefined) info.namespace = namespace
    if (name !== undefined) info.name = name
    return { info, type, watch }
  }

  /** Ends the watches of resources no longer served (their CRD was deleted), as the real server does. */
  function endOrphanedWatches(): void {
    for (const w of [...watches]) {
      if (!registry.find(w.type.group, w.type.version, w.type.plural)) {
        watches.delete(w)
        w.end()
      }
    }
  }

  function discovery(res: ServerResponse, url: URL): void {
    const segs = url.pathname.split('/').filter((s) => s !== '')
    const types = registry.allTypes()
    const p = url.pathname.replace(/\/+$/, '') || '/'
    if (p === '/healthz' || p === '/livez' || p === '/readyz' || p.startsWith('/healthz/') || p.startsWith('/livez/') || p.startsWith('/readyz/')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
      res.end('ok')
      return
    }
    if (p === '/version')
      return send(res, 200, {
        major: '1',
        minor: '31',
        gitVersion: 'v1.31.0',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2024-08-13T00:00:00Z',
        goVersion: 'go1.22.5',
        compiler: 'gc',
        platform: 'linux/amd64',
      })
    if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: url.host }] })
    if (p === '/api/v1') return send(res, 200, resourceList(types.filter((t) => t.group === ''), 'v1'))
    const groups = apiGroups(types)
    if (p === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups })
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = groups.find((x) => x.name === segs[1])
      if (g) return send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g })
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const gvTypes = types.filter((t) => t.group === segs[1] && t.version === segs[2])
      if (gvTypes.length > 0) return send(res, 200, resourceList(gvTypes, `${segs[1]!}/${segs[2]!}`))
    }
    throw pathNotFound()
  }

  function matches(f: Fault, info: RequestInfo): boolean {
    if (f.verb !== '*' && f.verb !== info.verb) return false
    const m = f.matcher
    if (typeof m === 'function') return m(info)
    if (m instanceof RegExp) return m.test(info.path)
    return info.path.includes(m) || info.resource === m || (info.subresource !== undefined && `${info.resource}/${info.subresource}` === m)
  }

  function writeOptions(url: URL, req: IncomingMessage): WriteOptions {
    const dryRun = url.searchParams.getAll('dryRun')
    if (dryRun.some((d) => d !== 'All')) throw badRequest(`Invalid dryRun value: ${dryRun.join(',')}`)
    const ua = req.headers['user-agent'] ?? ''
    const fieldManager = url.searchParams.get('fieldManager') ?? undefined
    return {
      dryRun: dryRun.length > 0,
      fieldManager: fieldManager === '' ? undefined : fieldManager,
      defaultManager: ua.split('/')[0] || 'unknown',
      force: isTrue(url.searchParams.get('force')),
    }
  }

  function startWatch(res: ServerResponse, t: ResourceType, info: RequestInfo, url: URL): void {
    const q = url.searchParams
    let fieldSelector = q.get('fieldSelector')
    if (info.name !== undefined) fieldSelector = [fieldSelector, `metadata.name=${info.name}`].filter((s) => s).join(',')
    const match = registry.matcher(t, info.namespace, { labelSelector: q.get('labelSelector'), fieldSelector })
    const rvParam = q.get('resourceVersion') ?? ''
    if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${JSON.stringify(rvParam)}`)
    const bookmarks = isTrue(q.get('allowWatchBookmarks'))
    const sendInitial = q.get('sendInitialEvents')
    if (sendInitial !== null && (q.get('resourceVersionMatch') !== 'NotOlderThan' || !bookmarks))
      throw badRequest('sendInitialEvents is allowed only with resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true')
    const timeoutParam = q.get('timeoutSeconds')
    const timeoutSeconds = timeoutParam !== null && /^\d+$/.test(timeoutParam) && Number(timeoutParam) > 0 ? Math.min(Number(timeoutParam), maxWatchSeconds) : maxWatchSeconds

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' })
    res.flushHeaders()
    res.socket?.setNoDelay(true)
    const write = (type: string, object: JsonObject): void => {
      if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify({ type, object }) + '\n')
    }
    const serve = (ev: { object: JsonObject; managed: StoreEvent['managed'] }): JsonObject => registry.serve(t, { obj: ev.object, managed: ev.managed })
    const bookmark = (annotations?: Record<string, string>): void => {
      const metadata: JsonObject = { resourceVersion: String(store.revision) }
      if (annotations) metadata['annotations'] = annotations
      write('BOOKMARK', { kind: t.kind, apiVersion: groupVersion(t), metadata })
    }
    const deliver = (ev: StoreEvent): void => {
      try {
        deliverOne(ev)
      } catch {
        // A watch must never fail the write that feeds it: drop the watch instead.
        res.destroy()
      }
    }
    const deliverOne = (ev: StoreEvent): void => {
      const cur = serve(ev)
      const curMatches = match(cur)
      const prevMatches = ev.prev !== undefined && match(registry.serve(t, { obj: ev.prev, managed: [] }))
      if (ev.type === 'ADDED') {
        if (curMatches) write('ADDED', cur)
      } else if (ev.type === 'MODIFIED') {
        if (curMatches && prevMatches) write('MODIFIED', cur)
        else if (curMatches) write('ADDED', cur)
        else if (prevMatches) write('DELETED', cur)
      } else if (prevMatches || curMatches) write('DELETED', cur)
    }

    let backlog: StoreEvent[] = []
    if (rvParam === '' || rvParam === '0' || sendInitial === 'true') {
      for (const s of store.list(t.storage)) {
        const served = registry.serve(t, s)
        if (match(served)) write('ADDED', served)
      }
      if (sendInitial === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' })
    } else {
      const events = store.eventsSince(t.storage, Number(rvParam))
      if (events === 'expired') {
        const oldest = store.compactedRevision
        write('ERROR', statusForCode(410, 'Expired', `too old resource version: ${rvParam} (${oldest})`) as unknown as JsonObject)
        res.end()
        return
      }
      backlog = events
    }
    for (const ev of backlog) deliver(ev)
    const unsubscribe = store.subscribe({ storage: t.storage, deliver })
    const timers: NodeJS.Timeout[] = []
    const w: OpenWatch = {
      res,
      type: t,
      resource: t.plural,
      bookmarks,
      sendBookmark: () => bookmark(),
      end: () => res.end(),
    }
    watches.add(w)
    const cleanup = (): void => {
      unsubscribe()
      for (const tm of timers) clearTimeout(tm)
      watches.delete(w)
    }
    if (bookmarks) timers.push(setInterval(() => bookmark(), bookmarkIntervalMs))
    timers.push(setTimeout(() => res.end(), timeoutSeconds * 1000))
    res.on('close', cleanup)
    res.on('finish', cleanup)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    const contentTypeHeader = req.headers['content-type']
    const record: RequestRecord = {
      verb: 'discovery',
      path: url.pathname,
      method,
      query: url.search,
      contentType: contentTypeHeader,
      fieldManager: url.searchParams.get('fieldManager') ?? undefined,
    }
    requests.push(record)
    res.on('finish', () => {
      record.status = res.statusCode
    })
    try {
      if (req.headers.authorization !== `Bearer ${token}`) throw unauthorized()
      const r = route(url, method)
      if (r === 'discovery') {
        if (method !== 'GET') throw methodNotAllowed()
        return discovery(res, url)
      }
      Object.assign(record, r.info)
      const fault = faults.find((f) => !f.fired && matches(f, r.info))
      if (fault) {
        fault.fired = true
        faults.splice(faults.indexOf(fault), 1)
        if (method !== 'GET' && method !== 'DELETE') await readBody(req)
        return send(res, fault.status.code, fault.status)
      }
      const t = r.type!
      const { info } = r
      const ns = info.namespace ?? ''
      const q = url.searchParams
      switch (info.verb) {
        case 'watch':
          return startWatch(res, t, info, url)
        case 'list':
          return send(res, 200, registry.list(t, info.namespace, listOptions(q)))
        case 'get':
          return send(res, 200, registry.get(t, ns, info.name!))
        case 'create': {
          const o = writeOptions(url, req)
          const text = await readBody(req)
          const body = parseObjectBody(text, mediaType(contentTypeHeader))
          return send(res, 201, registry.create(t, ns, body, o, text))
        }
        case 'update': {
          const o = writeOptions(url, req)
          const text = await readBody(req)
          const body = parseObjectBody(text, mediaType(contentTypeHeader))
          const existed = registry.store.get(t.storage, t.namespaced ? ns : '', info.name!) !== undefined
          const out = registry.update(t, ns, info.name!, info.subresource, body, o, text)
          return send(res, existed ? 200 : 201, out)
        }
        case 'patch': {
          const o = writeOptions(url, req)
          const text = await readBody(req)
          const existed = registry.store.get(t.storage, t.namespaced ? ns : '', info.name!) !== undefined
          const out = registry.patch(t, ns, info.name!, info.subresource, mediaType(contentTypeHeader), text, o)
          return send(res, existed ? 200 : 201, out)
        }
        case 'delete': {
          const o = writeOptions(url, req)
          const text = await readBody(req)
          let body: Json | undefined
          if (text.trim() !== '') body = parseObjectBody(text, 'application/json')
          const out = registry.delete(t, ns, info.name!, body, o)
          if (t.plural === 'customresourcedefinitions') endOrphanedWatches()
          return send(res, 200, out)
        }
        case 'deletecollection': {
          const o = writeOptions(url, req)
          await readBody(req)
          const out = registry.deleteCollection(t, info.namespace, { ...listOptions(q), dryRun: o.dryRun })
          if (t.plural === 'customresourcedefinitions') endOrphanedWatches()
          return send(res, 200, out)
        }
      }
    } catch (err) {
      if (res.headersSent) {
        res.destroy()
        return
      }
      sendError(res, err)
    }
  }

  function listOptions(q: URLSearchParams): { labelSelector: string | null; fieldSelector: string | null; limit: number; continue: string | null; resourceVersion: string | null } {
    const limit = q.get('limit')
    return {
      labelSelector: q.get('labelSelector'),
      fieldSelector: q.get('fieldSelector'),
      limit: limit !== null && /^\d+$/.test(limit) ? Number(limit) : 0,
      continue: q.get('continue'),
      resourceVersion: q.get('resourceVersion'),
    }
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res)
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`

  const kubeconfigYaml = (): string =>
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: tollgate-test',
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: tollgate-test',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      '- name: tollgate-test',
      '  context:',
      '    cluster: tollgate-test',
      '    user: tollgate-test',
      '    namespace: default',
      'current-context: tollgate-test',
      '',
    ].join('\n')

  const api: TestApiServer = {
    url,
    port,
    token,
    requests,
    kubeconfig() {
      const kc = new KubeConfig()
      kc.loadFromString(kubeconfigYaml())
      return kc
    },
    kubeconfigYaml,
    kubeconfigFile() {
      const dir = mkdtempSync(join(tmpdir(), 'tollgate-kube-'))
      const file = join(dir, 'kubeconfig')
      writeFileSync(file, kubeconfigYaml(), { mode: 0o600 })
      return file
    },
    registerCRD(crd) {
      registry.registerCRD(clone(crd) as JsonObject)
    },
    objects(kind, namespace) {
      const t = registry.lookup(kind)
      if (!t) throw new Error(`unknown kind ${kind}`)
      return store
        .list(t.storage)
        .filter((s) => namespace === undefined || (s.obj['metadata'] as JsonObject)['namespace'] === namespace)
        .map((s) => registry.serve(t, s))
    },
    seed(obj) {
      const o = clone(obj) as JsonObject
      if (isObject(o['metadata'])) delete o['metadata']['resourceVersion']
      const apiVersion = String(o['apiVersion'] ?? '')
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion]
      const t = registry.allTypes().find((x) => x.group === group && x.version === version && x.kind === o['kind'])
      if (!t) throw new Error(`unknown kind ${String(o['kind'])} in ${apiVersion}`)
      const ns = isObject(o['metadata']) ? ((o['metadata']['namespace'] as string | undefined) ?? (t.namespaced ? 'default' : '')) : 'default'
      return registry.create(t, ns, o, seedOpts)
    },
    resourceVersion: () => store.revision,
    breakWatches(b = {}) {
      const all = [...watches]
      for (const w of all) {
        watches.delete(w)
        if (b.graceful) w.end()
        else w.res.destroy()
      }
      return all.length
    },
    compactHistory: () => store.compact(),
    setHistorySize: (n) => store.setHistorySize(n),
    sendBookmarks() {
      for (const w of watches) if (w.bookmarks) w.sendBookmark()
    },
    failNext(verb, matcher, status) {
      const s = typeof status === 'number' ? statusForCode(status) : statusForCode(status.code ?? 500, status.reason, status.message, status.details)
      const f: Fault = { verb, matcher, status: s, fired: false }
      faults.push(f)
      return {
        get fired() {
          return f.fired
        },
      }
    },
    openWatches(resource) {
      return [...watches].filter((w) => resource === undefined || w.resource === resource).length
    },
    close() {
      for (const w of watches) w.res.destroy()
      watches.clear()
      return new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
    },
  }
  return api
}
