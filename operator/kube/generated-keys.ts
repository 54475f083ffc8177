// ApiKeys with `generate: true`: the leader creates the Secret that holds the value,
// `<name>-api-key` (key `value`) in the ApiKey's namespace, labelled so the operator reads it
// (SECRET_LABEL) and owned by the ApiKey (deleted with it). The value is 40 random letters and
// digits (AWS: 20 to 128) and is never logged. An existing Secret is never overwritten, so a
// value survives operator restarts and leader changes.
import { randomInt } from 'node:crypto'
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node'
import type { ResourceObject } from '../../crds/validate.js'
import { GENERATED_SECRET_KEY, generatedSecretName } from '../compile/apikeys.js'
import { SECRET_LABEL } from './source.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

export function randomKeyValue(length = 40): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)]
  return out
}

export class KeyGenerator {
  private readonly api: CoreV1Api
  /** Secrets being created, by namespace/name: one attempt at a time. */
  private readonly inFlight = new Set<string>()

  constructor(kc: KubeConfig, private readonly log: (line: string) => void) {
    this.api = kc.makeApiClient(CoreV1Api)
  }

  /** Creates the missing Secrets of generated ApiKeys among `resources`; returns once tried. */
  async ensure(resources: readonly ResourceObject[]): Promise<void> {
    const secrets = new Set<string>()
    for (const r of resources) if (r.kind === 'Secret') secrets.add(`${String(r.metadata?.namespace)}/${String(r.metadata?.name)}`)
    const work: Promise<void>[] = []
    for (const r of resources) {
      if (r.kind !== 'ApiKey' || (r.spec as { generate?: unknown } | undefined)?.generate !== true) continue
      const namespace = String(r.metadata?.namespace ?? 'default')
      const name = generatedSecretName(String(r.metadata?.name))
      const id = `${namespace}/${name}`
      if (secrets.has(id) || this.inFlight.has(id)) continue
      this.inFlight.add(id)
      work.push(this.create(r, namespace, name).finally(() => this.inFlight.delete(id)))
    }
    await Promise.all(work)
  }

  private async create(apiKey: ResourceObject, namespace: string, name: string): Promise<void> {
    const uid = apiKey.metadata?.uid
    try {
      await this.api.createNamespacedSecret({
        namespace,
        body: {
          metadata: {
            name,
            namespace,
            labels: { [SECRET_LABEL]: 'generated' },
            ownerReferences:
              typeof uid === 'string'
                ? [{ apiVersion: String(apiKey.apiVersion), kind: 'ApiKey', name: String(apiKey.metadata?.name), uid, controller: true }]
                : undefined,
          },
          type: 'Opaque',
          stringData: { [GENERATED_SECRET_KEY]: randomKeyValue() },
        },
      })
      this.log(`generated the value of ApiKey ${namespace}/${String(apiKey.metadata?.name)} into Secret ${name}`)
    } catch (err) {
      // 409: it exists but is not labelled (so not watched) — leave it alone and say so.
      const code = (err as { code?: number }).code
      if (code === 409) this.log(`Secret ${namespace}/${name} exists without the ${SECRET_LABEL} label: label it to use it as the generated key`)
      else this.log(`cannot create Secret ${namespace}/${name} for a generated ApiKey: ${(err as Error).message}`)
    }
  }
}
