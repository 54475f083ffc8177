// tollgate deploy --api A --stage S [-n NS] [--dry-run -o yaml]: API Gateway's CreateDeployment
// for a cluster (ADR 0012). Reads the live Api, writes an ApiDeployment holding a copy of its
// spec, and points the Stage at it with a merge patch (spec.revision; autoDeploy removed).
// The name is content-derived, <api>-<8 hex of the spec's sha256>, so deploying an unchanged
// spec again creates nothing and just points the Stage. --dry-run -o yaml prints the
// ApiDeployment (for GitOps: commit it and set the Stage's revision) and changes nothing.
import { ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { stringify } from 'yaml'
import { API_VERSION, GROUP, VERSION } from '../crds/index.js'
import { validateResource, type ResourceObject } from '../crds/validate.js'
import { canonicalJson, sha256Hex } from '../proxy/config/hash.js'
import { UsageError, type DeployOptions } from './options.js'

export interface DeployIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

const processIo: DeployIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }

/** Labels every ApiDeployment with its Api, so `kubectl get apideployments -l tollgate.dev/api=A` lists one Api's history. */
export const API_LABEL = 'tollgate.dev/api'
const NAME_HASH_LENGTH = 8
const MAX_NAME = 253

export interface DeploymentManifest {
  apiVersion: string
  kind: 'ApiDeployment'
  metadata: { name: string; namespace: string; labels: Record<string, string> }
  spec: { apiRef: { name: string }; description?: string; snapshot: unknown }
}

/** The ApiDeployment of an Api's current spec: `<api>-<first 8 hex of sha256(canonical spec)>`. */
export function deploymentOf(apiName: string, namespace: string, spec: unknown, description?: string): DeploymentManifest {
  const hash = sha256Hex(canonicalJson(spec)).slice(0, NAME_HASH_LENGTH)
  const prefix = apiName.slice(0, MAX_NAME - NAME_HASH_LENGTH - 1).replace(/[-.]+$/, '')
  return {
    apiVersion: API_VERSION,
    kind: 'ApiDeployment',
    metadata: { name: `${prefix}-${hash}`, namespace, labels: { [API_LABEL]: apiName.slice(0, 63).replace(/[^a-z0-9]+$/, '') } },
    spec: { apiRef: { name: apiName }, ...(description !== undefined ? { description } : {}), snapshot: spec },
  }
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

interface StageObject {
  metadata?: { name?: string }
  spec?: { apiRef?: { name?: string; namespace?: string }; stageName?: string; revision?: string }
}

export async function deployCommand(opts: DeployOptions, kc?: KubeConfig, io: DeployIo = processIo): Promise<number> {
  if (opts.api === '') throw new UsageError('deploy needs --api NAME')
  if (opts.stage === '' && !opts.dryRun) throw new UsageError('deploy needs --stage NAME (the stage name, or the Stage resource name)')
  if (opts.output !== undefined && opts.output !== 'yaml') throw new UsageError(`deploy -o supports yaml only, got ${JSON.stringify(opts.output)}`)
  const config = kc ?? loadKubeConfig(opts.kubeconfig)
  const co = config.makeApiClient(CustomObjectsApi)
  const ns = opts.namespace
  const base = { group: GROUP, version: VERSION, namespace: ns }

  let api: ResourceObject
  try {
    api = (await co.getNamespacedCustomObject({ ...base, plural: 'apis', name: opts.api })) as ResourceObject
  } catch (err) {
    return fail(io, err, `Api ${ns}/${opts.api}`)
  }
  const refused = notAccepted(api)
  if (refused !== undefined) {
    io.stderr(`tollgate: Api ${ns}/${opts.api} is not accepted (${refused}); fix it before deploying\n`)
    return 1
  }
  const manifest = deploymentOf(opts.api, ns, api.spec, opts.description)
  const checked = validateResource(manifest as unknown as ResourceObject)
  if (!checked.ok) {
    io.stderr(`tollgate: the spec of Api ${ns}/${opts.api} is not valid; fix it before deploying:\n`)
    for (const p of checked.problems) io.stderr(`  ${p.field.replace(/^spec\.snapshot/, 'spec')}: ${p.message}\n`)
    return 1
  }
  if (opts.dryRun) {
    io.stdout(stringify(manifest, { lineWidth: 0 }))
    if (opts.stage !== '') io.stderr(`tollgate: dry run: nothing written; to deploy, apply this and set spec.revision: ${manifest.metadata.name} on the Stage ${opts.stage}\n`)
    return 0
  }

  let stage: StageObject | undefined
  try {
    stage = await findStage(co, ns, opts.api, opts.stage)
  } catch (err) {
    return fail(io, err, `Stages in ${ns}`)
  }
  if (!stage?.metadata?.name) {
    io.stderr(`tollgate: no Stage of Api ${ns}/${opts.api} is named ${opts.stage} (neither spec.stageName nor metadata.name)\n`)
    return 1
  }

  const name = manifest.metadata.name
  let created = true
  try {
    await co.createNamespacedCustomObject({ ...base, plural: 'apideployments', body: manifest })
  } catch (err) {
    if (!(err instanceof ApiException && err.code === 409)) return fail(io, err, `ApiDeployment ${ns}/${name}`)
    const existing = (await co.getNamespacedCustomObject({ ...base, plural: 'apideployments', name })) as ResourceObject
    const spec = existing.spec as { apiRef?: { name?: string }; snapshot?: unknown } | undefined
    if (spec?.apiRef?.name !== opts.api || canonicalJson(spec.snapshot) !== canonicalJson(api.spec)) {
      io.stderr(`tollgate: ApiDeployment ${ns}/${name} exists with another snapshot; delete it or rename the Api\n`)
      return 1
    }
    created = false
  }
  const previous = stage.spec?.revision
  try {
    await co.patchNamespacedCustomObject({ ...base, plural: 'stages', name: stage.metadata.name, body: { spec: { revision: name, autoDeploy: null } } }, merge)
  } catch (err) {
    return fail(io, err, `Stage ${ns}/${stage.metadata.name}`)
  }
  const was = previous === undefined ? "the Api's current spec (autoDeploy)" : previous === name ? 'the same deployment' : previous
  io.stdout(
    `${created ? 'created' : 'unchanged'} apideployment ${ns}/${name}\n` +
      `stage ${ns}/${stage.metadata.name} now serves ${name} (was ${was})\n` +
      (previous !== undefined && previous !== name ? `roll back: kubectl patch stage ${stage.metadata.name} -n ${ns} --type merge -p '{"spec":{"revision":"${previous}"}}'\n` : ''),
  )
  return 0
}

/**
 * Why the operator refused the Api's current spec (its Accepted condition is False for this
 * generation), as "Reason: message"; undefined when it is accepted or not judged yet. API
 * Gateway refuses to deploy an API with errors too.
 */
function notAccepted(api: ResourceObject): string | undefined {
  const status = api.status as { conditions?: { type?: string; status?: string; reason?: string; message?: string; observedGeneration?: number }[] } | undefined
  const accepted = status?.conditions?.find((c) => c.type === 'Accepted')
  if (accepted?.status !== 'False') return undefined
  const generation = api.metadata?.generation
  if (accepted.observedGeneration !== undefined && generation !== undefined && accepted.observedGeneration !== generation) return undefined
  return `${accepted.reason ?? 'NotAccepted'}: ${accepted.message ?? ''}`
}

/** The Stage of `api` whose stage name (spec.stageName, else metadata.name) is `stage`. */
async function findStage(co: CustomObjectsApi, namespace: string, api: string, stage: string): Promise<StageObject | undefined> {
  const list = (await co.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'stages' })) as { items: StageObject[] }
  const ofApi = list.items.filter((s) => s.spec?.apiRef?.name === api && (s.spec.apiRef.namespace ?? namespace) === namespace)
  return ofApi.find((s) => (s.spec?.stageName ?? s.metadata?.name) === stage) ?? ofApi.find((s) => s.metadata?.name === stage)
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig()
  if (path !== '') kc.loadFromFile(path)
  else kc.loadFromDefault()
  return kc
}

function fail(io: DeployIo, err: unknown, what: string): number {
  if (err instanceof ApiException) {
    const code = Number(err.code)
    io.stderr(code === 404 ? `tollgate: ${what} not found\n` : `tollgate: ${what}: HTTP ${code}: ${messageOf(err.body)}\n`)
    return 1
  }
  io.stderr(`tollgate: cannot reach the Kubernetes API server (${(err as Error).message})\n`)
  return 1
}

function messageOf(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body
    } catch {
      return body
    }
  }
  return String((body as { message?: unknown } | null)?.message ?? body)
}
