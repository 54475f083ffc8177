// Chart test helpers: render the chart (real `helm template` when helm is on PATH, otherwise
// minihelm, an offline stand-in built once from shared/tools), render the kustomize base with
// kubectl, and check every object against the Kubernetes schemas.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import * as km from 'kubernetes-models'
import * as promOperator from '@kubernetes-models/prometheus-operator'
import ts from 'typescript'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const chartDir = join(repoRoot, 'charts/tollgate')
export const deployDir = join(repoRoot, 'deploy')

/** A Kubernetes object as rendered: only the fields every object has are typed. */
export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  [field: string]: unknown
}

// ---------------------------------------------------------------------------------------------
// The renderer: helm if installed, else minihelm (built once into node_modules/.cache).

export interface Renderer {
  kind: 'helm' | 'minihelm'
  bin: string
  /** Whether the renderer itself enforces values.schema.json (helm does, minihelm does not). */
  appliesSchema: boolean
}

let renderer: Renderer | undefined

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' })
  const found = r.stdout.trim()
  return r.status === 0 && found ? found : undefined
}

const minihelmDir = join(repoRoot, 'node_modules/.cache/minihelm')
const minihelmBin = join(minihelmDir, 'minihelm')
// In a checkout the shared tools sit beside the repository (../shared), in CI as on a developer's machine.
const minihelmBuild = join(repoRoot, '..', 'shared', 'tools', 'minihelm', 'build.sh')

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Builds minihelm once; concurrent test files wait on a lock folder instead of building twice. */
function buildMinihelm(): string {
  if (existsSync(minihelmBin)) return minihelmBin
  if (!existsSync(minihelmBuild)) {
    throw new Error(`no helm on PATH and no minihelm build script at ${minihelmBuild} (expected shared/tools beside the repository)`)
  }
  mkdirSync(minihelmDir, { recursive: true })
  const lock = join(minihelmDir, 'build.lock')
  const deadline = Date.now() + 15 * 60_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (existsSync(minihelmBin)) return minihelmBin
      // A lock older than the longest build is left over from a killed run.
      if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`timed out waiting for another test to build minihelm (${lock})`)
      sleep(1000)
    }
  }
  try {
    if (existsSync(minihelmBin)) return minihelmBin
    const tmp = `${minihelmBin}.${process.pid}`
    const r = spawnSync('bash', [minihelmBuild, tmp], { encoding: 'utf8', timeout: 15 * 60_000 })
    if (r.status !== 0) throw new Error(`building minihelm failed (bash ${minihelmBuild}):\n${r.stdout}\n${r.stderr}`)
    renameSync(tmp, minihelmBin)
    return minihelmBin
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

export function getRenderer(): Renderer {
  if (renderer) return renderer
  const helm = process.env.TOLLGATE_HELM ?? onPath('helm')
  renderer = helm
    ? { kind: 'helm', bin: helm, appliesSchema: true }
    : { kind: 'minihelm', bin: buildMinihelm(), appliesSchema: false }
  return renderer
}

export interface RenderOptions {
  /** The chart folder; charts/tollgate unless given. */
  chart?: string
  release?: string
  namespace?: string
  includeCrds?: boolean
}

export interface RenderResult {
  ok: boolean
  text: string
  stderr: string
}

/** `helm template` of the chart with the given values (layered over values.yaml). */
export function renderChartRaw(values: object, opts: RenderOptions = {}): RenderResult {
  const r = getRenderer()
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-chart-'))
  try {
    const valuesFile = join(dir, 'values.json')
    writeFileSync(valuesFile, JSON.stringify(values))
    const release = opts.release ?? 'tollgate'
    const namespace = opts.namespace ?? 'tollgate-system'
    const args =
      r.kind === 'helm'
        ? ['template', release, opts.chart ?? chartDir, '--namespace', namespace, '-f', valuesFile, ...(opts.includeCrds ? ['--include-crds'] : [])]
        : ['-name', release, '-namespace', namespace, '-f', valuesFile, ...(opts.includeCrds ? ['-include-crds'] : []), opts.chart ?? chartDir]
    const p = spawnSync(r.bin, args, { encoding: 'utf8', maxBuffer: 64 << 20 })
    return { ok: p.status === 0, text: p.stdout, stderr: p.stderr }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Parses a multi-document YAML stream as the Kubernetes tools do (YAML 1.1), dropping empty documents. */
export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = []
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(`YAML error: ${doc.errors.map((e) => e.message).join('; ')}`)
    const value = doc.toJS({ maxAliasCount: -1 }) as unknown
    if (value === null || value === undefined) continue
    out.push(value as K8sObject)
  }
  return out
}

export function renderChart(values: object, opts: RenderOptions = {}): K8sObject[] {
  const r = renderChartRaw(values, opts)
  if (!r.ok) throw new Error(`chart render failed (${getRenderer().kind}):\n${r.stderr}`)
  return parseManifests(r.text)
}

// ---------------------------------------------------------------------------------------------
// kubectl kustomize

export function kubectlPath(): string {
  const found = process.env.KUBECTL ?? onPath('kubectl')
  if (!found) throw new Error('kubectl is needed to render deploy/ (kubectl kustomize) and is not on PATH; install it (e.g. /usr/bin/kubectl)')
  return found
}

export function renderKustomize(dir: string): K8sObject[] {
  const text = execFileSync(kubectlPath(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] })
  return parseManifests(text)
}

// ---------------------------------------------------------------------------------------------
// Values: the merge helm does (maps merged, lists and scalars replaced, null deletes).

export function defaultValues(): Record<string, unknown> {
  return parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base)
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k]
    if (v === null) delete out[k]
    else if (isMap(v) && isMap(cur)) out[k] = mergeValues(cur, v)
    else out[k] = structuredClone(v)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Schemas: kubernetes-models' validate() per object, and a strict TypeScript check that also
// rejects unknown fields (the JSON schemas allow them; the API server's strict field validation
// does not).

type ModelClass = new (data: object) => { validate(): void }

function groupKey(group: string): string {
  const parts = group.split('.')
  return parts.map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('')
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/')
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) }
}

function modelFor(obj: K8sObject): { cls: ModelClass; typeImport: string } | undefined {
  const { group, version } = splitApiVersion(obj.apiVersion)
  const roots: Array<{ ns: Record<string, unknown>; pkg: string }> = [
    { ns: km as unknown as Record<string, unknown>, pkg: 'kubernetes-models' },
    { ns: promOperator as unknown as Record<string, unknown>, pkg: '@kubernetes-models/prometheus-operator' },
  ]
  for (const { ns, pkg } of roots) {
    const groupNs = (group === '' ? ns.v1 && { [version]: ns.v1 } : ns[groupKey(group)]) as Record<string, Record<string, unknown>> | undefined
    const cls = groupNs?.[version]?.[obj.kind]
    if (typeof cls === 'function') {
      const path = group === '' ? `${pkg}/v1/${obj.kind}` : `${pkg}/${group}/${version}/${obj.kind}`
      return { cls: cls as ModelClass, typeImport: path }
    }
  }
  return undefined
}

export function describe(obj: K8sObject): string {
  return `${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`
}

/** Problems of each object against its Kubernetes schema; [] when all are valid. */
export function schemaProblems(objs: K8sObject[]): string[] {
  const problems: string[] = []
  for (const obj of objs) {
    const model = modelFor(obj)
    if (!model) {
      problems.push(`${describe(obj)}: no schema known for ${obj.apiVersion} ${obj.kind}`)
      continue
    }
    try {
      new model.cls(structuredClone(obj)).validate()
    } catch (err) {
      problems.push(`${describe(obj)}: ${(err as Error).message}`)
    }
  }
  return problems
}

/**
 * Type-checks every object as a literal of its kubernetes-models interface with the TypeScript
 * compiler: a misspelt or unknown field anywhere (`readinesProbe`) is an excess-property error.
 */
export function strictFieldProblems(objs: K8sObject[]): string[] {
  const dir = join(repoRoot, 'node_modules/.cache/tollgate-chart-typecheck')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `objects-${process.pid}-${Date.now()}.ts`)
  const lines: string[] = []
  const starts: Array<{ line: number; obj: K8sObject }> = []
  const problems: string[] = []
  objs.forEach((obj, i) => {
    const model = modelFor(obj)
    if (!model) {
      problems.push(`${describe(obj)}: no type known for ${obj.apiVersion} ${obj.kind}`)
      return
    }
    lines.push(`import type { I${obj.kind} as T${i} } from ${JSON.stringify(model.typeImport)}`)
  })
  objs.forEach((obj, i) => {
    if (!modelFor(obj)) return
    const literal = `export const o${i}: T${i} = ${JSON.stringify(obj, null, 2)}`.split('\n')
    starts.push({ line: lines.length, obj })
    lines.push(...literal)
  })
  writeFileSync(file, lines.join('\n') + '\n')
  try {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
    })
    const sf = program.getSourceFile(file)
    for (const d of ts.getPreEmitDiagnostics(program, sf)) {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n')
      if (d.file && d.start !== undefined) {
        const { line } = d.file.getLineAndCharacterOfPosition(d.start)
        const owner = [...starts].reverse().find((s) => s.line <= line)
        const text = d.file.text.split('\n')[line]?.trim() ?? ''
        problems.push(`${owner ? describe(owner.obj) : 'imports'}: ${msg} (at ${text})`)
      } else {
        problems.push(msg)
      }
    }
  } finally {
    rmSync(file, { force: true })
  }
  return problems
}

// ---------------------------------------------------------------------------------------------
// Small accessors for the checks.

export interface PodTemplateOwner {
  owner: K8sObject
  spec: Record<string, any>
  labels: Record<string, string>
}

/** Every pod template in the objects (Deployments here; StatefulSets/DaemonSets/Jobs too if added). */
export function podTemplates(objs: K8sObject[]): PodTemplateOwner[] {
  const out: PodTemplateOwner[] = []
  for (const o of objs) {
    const spec = o.spec as Record<string, any> | undefined
    const tpl = o.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template : spec?.template
    if (tpl?.spec) out.push({ owner: o, spec: tpl.spec, labels: tpl.metadata?.labels ?? {} })
    if (o.kind === 'Pod') out.push({ owner: o, spec: spec ?? {}, labels: o.metadata.labels ?? {} })
  }
  return out
}

export function find(objs: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objs.find((o) => o.kind === kind && o.metadata.name === name)
}

export function ofKind(objs: K8sObject[], kind: string): K8sObject[] {
  return objs.filter((o) => o.kind === kind)
}

/** `--flag=value` arguments of a container, as a map. */
export function flags(args: string[]): Map<string, string> {
  const m = new Map<string, string>()
  for (const a of args) {
    const match = /^--([^=]+)=(.*)$/.exec(a)
    if (match) m.set(match[1]!, match[2]!)
  }
  return m
}

export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v)
}

/** A throwaway kustomization over the given folders (kustomize wants them relative); returns its folder. */
export function mkOverlay(resources: string[], kustomization: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-overlay-'))
  const rel = resources.map((r) => relative(dir, r))
  writeFileSync(join(dir, 'kustomization.yaml'), JSON.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: rel, ...kustomization }))
  return dir
}
