// The file source of standalone mode: reads manifests from files and folders, the same YAML
// a user would `kubectl apply`, and remembers where each resource came from so that every
// problem can be printed as "file:line: Kind namespace/name: field: reason: message".
//
// - A path may be a file (read whatever its extension) or a folder (read recursively: files
//   ending in .yaml, .yml or .json; names starting with "." are skipped). Files are read in
//   sorted order, each once.
// - A file may hold many YAML documents (---); a `kind: List` document contributes its items.
// - A syntax error, or a document that is not an object, is a LoadProblem naming file and
//   line; the other documents and files still load.
// - Resources are keyed by kind/namespace/name: the first definition wins and a later one is
//   a DuplicateResource problem naming both places.
import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isMap, isNode, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml'
import type { ResourceObject } from '../../crds/validate.js'
import type { ResourceRef, ResourceStatus } from '../compile/index.js'
import { refKey } from '../compile/types.js'

export interface Origin {
  file: string
  /** 1-based line of the document's first content line; 0 when the problem is the whole file. */
  line: number
}

export interface LoadedResource {
  resource: ResourceObject
  origin: Origin
  /** kind/namespace/name, the namespace defaulted; empty strings where the manifest has none. */
  ref: ResourceRef
}

export interface LoadProblem {
  origin: Origin
  /** PascalCase: FileNotFound, ReadFailed, YamlSyntaxError, NotAnObject, DuplicateResource. */
  reason: string
  message: string
  ref?: ResourceRef
}

export interface LoadResult {
  resources: LoadedResource[]
  /** Every file read, in the order read. */
  files: string[]
  problems: LoadProblem[]
}

export interface LoadOptions {
  /** Namespace of resources that name none (default "default"); must match the compiler's. */
  defaultNamespace?: string
}

const MANIFEST = /\.(ya?ml|json)$/i

export async function loadManifests(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const defaultNamespace = opts.defaultNamespace ?? 'default'
  const problems: LoadProblem[] = []
  const files = await listFiles(paths, problems)
  const resources: LoadedResource[] = []
  const byKey = new Map<string, LoadedResource>()
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (e) {
      problems.push({ origin: { file, line: 0 }, reason: 'ReadFailed', message: errorMessage(e) })
      continue
    }
    for (const loaded of parseManifests(text, file, defaultNamespace, problems)) {
      const key = resourceKey(loaded.ref)
      const first = loaded.ref.kind !== '' && loaded.ref.name !== '' ? byKey.get(key) : undefined
      if (first) {
        problems.push({
          origin: loaded.origin,
          reason: 'DuplicateResource',
          message: `also defined at ${first.origin.file}:${first.origin.line}; this definition is ignored`,
          ref: loaded.ref,
        })
        continue
      }
      byKey.set(key, loaded)
      resources.push(loaded)
    }
  }
  return { resources, files, problems }
}

/** "Kind/namespace/name", the key of a resource everywhere. */
export const resourceKey = refKey

/** Parses the documents of one file. Pure: exported for tests and for sources that already hold the text. */
export function parseManifests(text: string, file: string, defaultNamespace: string, problems: LoadProblem[]): LoadedResource[] {
  const lineCounter = new LineCounter()
  const out: LoadedResource[] = []
  for (const doc of parseAllDocuments(text, { lineCounter })) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!
      const line = e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line
      problems.push({ origin: { file, line }, reason: 'YamlSyntaxError', message: firstLine(e.message) })
      continue
    }
    if (doc.contents === null) continue // an empty document: only comments, or a trailing ---
    const line = lineCounter.linePos(doc.contents.range[0]).line
    let value: unknown
    try {
      value = doc.toJS()
    } catch (e) {
      problems.push({ origin: { file, line }, reason: 'YamlSyntaxError', message: errorMessage(e) })
      continue
    }
    if (value === null || value === undefined) continue // `---` with nothing after it, or an explicit null
    if (isList(value)) {
      out.push(...listItems(doc, value, file, lineCounter, defaultNamespace, problems))
      continue
    }
    const loaded = asResource(value, { file, line }, defaultNamespace, problems)
    if (loaded) out.push(loaded)
  }
  return out
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { apiVersion?: unknown; kind?: unknown; items?: unknown } | null
  return v !== null && typeof v === 'object' && v.kind === 'List' && v.apiVersion === 'v1' && Array.isArray(v.items)
}

function listItems(
  doc: Document.Parsed,
  list: { items: unknown[] },
  file: string,
  lineCounter: LineCounter,
  defaultNamespace: string,
  problems: LoadProblem[],
): LoadedResource[] {
  const out: LoadedResource[] = []
  const contents = doc.contents
  const itemsNode = isMap(contents) ? contents.get('items', true) : undefined
  list.items.forEach((item, i) => {
    const node = isSeq(itemsNode) ? itemsNode.items[i] : undefined
    const offset = isNode(node) && node.range ? node.range[0] : (contents?.range[0] ?? 0)
    const loaded = asResource(item, { file, line: lineCounter.linePos(offset).line }, defaultNamespace, problems)
    if (loaded) out.push(loaded)
  })
  return out
}

function asResource(value: unknown, origin: Origin, defaultNamespace: string, problems: LoadProblem[]): LoadedResource | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`
    problems.push({ origin, reason: 'NotAnObject', message: `a manifest must be an object with apiVersion, kind and metadata; this document is ${what}` })
    return undefined
  }
  const resource = value as ResourceObject
  const meta = resource.metadata !== null && typeof resource.metadata === 'object' ? resource.metadata : {}
  const ref: ResourceRef = {
    kind: typeof resource.kind === 'string' ? resource.kind : '',
    namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace,
    name: typeof meta.name === 'string' ? meta.name : '',
  }
  return { resource, origin, ref }
}

async function listFiles(paths: readonly string[], problems: LoadProblem[]): Promise<string[]> {
  const found = new Map<string, string>() // real path -> path as the user will see it
  const visitedDirs = new Set<string>()
  const walk = async (path: string, explicit: boolean): Promise<void> => {
    let info
    try {
      info = await stat(path)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (explicit || code !== 'ENOENT') {
        problems.push({ origin: { file: path, line: 0 }, reason: code === 'ENOENT' ? 'FileNotFound' : 'ReadFailed', message: errorMessage(e) })
      }
      return
    }
    const real = await realpath(path)
    if (info.isDirectory()) {
      if (visitedDirs.has(real)) return
      visitedDirs.add(real)
      let names: string[]
      try {
        names = await readdir(path)
      } catch (e) {
        problems.push({ origin: { file: path, line: 0 }, reason: 'ReadFailed', message: errorMessage(e) })
        return
      }
      for (const name of names.sort()) {
        if (name.startsWith('.')) continue
        const child = join(path, name)
        const childInfo = await stat(child).catch(() => undefined)
        if (childInfo?.isDirectory() || MANIFEST.test(name)) await walk(child, false)
      }
    } else if (!found.has(real)) {
      found.set(real, path)
    }
  }
  for (const path of paths) await walk(path, true)
  return [...found.values()].sort()
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim()
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** One problem, ready to print. Every part but reason and message is optional. */
export interface ProblemLine {
  origin?: Origin
  ref?: ResourceRef
  severity?: 'error' | 'warning'
  field?: string
  reason: string
  message: string
}

/** Renders "file:line: [warning: ]Kind namespace/name: field: reason: message", leaving out the parts it lacks. */
export function formatProblem(p: ProblemLine): string {
  const parts: string[] = []
  if (p.origin) parts.push(p.origin.line > 0 ? `${p.origin.file}:${p.origin.line}` : p.origin.file)
  if (p.severity === 'warning') parts.push('warning')
  if (p.ref) parts.push(`${p.ref.kind || '<no kind>'} ${p.ref.namespace}/${p.ref.name || '<no name>'}`)
  if (p.field) parts.push(p.field)
  parts.push(p.reason, p.message)
  return parts.join(': ')
}

/** The problems of compiled statuses as printable lines, each with the file and line of its resource. */
export function formatStatusProblems(statuses: readonly ResourceStatus[], loaded: readonly LoadedResource[]): string[] {
  const origins = new Map(loaded.map((l) => [resourceKey(l.ref), l.origin]))
  return statuses.flatMap((s) => s.problems.map((p) => formatProblem({ ...p, origin: origins.get(resourceKey(s.ref)), ref: s.ref })))
}
