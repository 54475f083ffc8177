// Standalone mode (`tollgate run -f dir`) reads ApiDeployment manifests like any other kind: a
// stage pinned to one keeps serving it while the Api file is edited; editing the Stage file
// moves it.
import t from 'tap'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'undici'
import { startStandalone } from '../../cli/run.js'
import { manifestDir, startServer } from '../helpers/servers.js'

function tagged(tag: string) {
  return startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(tag)
  })
}

const apiYaml = (port: number) => `apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: pets}
spec:
  apiId: pets
  routes:
    - {path: /pets, method: GET, integration: {type: HTTP_PROXY, httpMethod: GET, uri: "http://127.0.0.1:${port}/pets"}}
`
const deploymentYaml = (name: string, port: number) => `apiVersion: tollgate.dev/v1alpha1
kind: ApiDeployment
metadata: {name: ${name}}
spec:
  apiRef: {name: pets}
  snapshot:
    apiId: pets
    routes:
      - {path: /pets, method: GET, integration: {type: HTTP_PROXY, httpMethod: GET, uri: "http://127.0.0.1:${port}/pets"}}
`
const stageYaml = (revision: string) => `apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: prod}
spec: {apiRef: {name: pets}, revision: ${revision}}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: beta}
spec: {apiRef: {name: pets}}
`

function save(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content)
  renameSync(`${file}.tmp`, file)
}

t.test('tollgate run serves ApiDeployments from files', async (t) => {
  const a = await tagged('a')
  const b = await tagged('b')
  t.teardown(async () => {
    await a.close()
    await b.close()
  })
  const dir = manifestDir({
    'api.yaml': apiYaml(a.port),
    'deployments.yaml': `${deploymentYaml('pets-a', a.port)}---\n${deploymentYaml('pets-b', b.port)}`,
    'stages.yaml': stageYaml('pets-a'),
  })
  const s = await startStandalone({ files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 }, () => {})
  t.teardown(() => s.close())
  const get = async (stage: string) => {
    const r = await request(`http://127.0.0.1:${s.port}/${stage}/pets`, { headers: { host: `pets.execute-api.localhost:${s.port}` } })
    return r.statusCode === 200 ? await r.body.text() : `${r.statusCode}`
  }
  t.equal(await get('prod'), 'a')
  t.equal(await get('beta'), 'a')

  /** Polls until `stage` answers `want` (the file watcher applies edits after a hold-off). */
  const until = async (stage: string, want: string) => {
    const deadline = Date.now() + 5000
    while ((await get(stage)) !== want) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${stage} to answer ${want}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  save(join(dir, 'api.yaml'), apiYaml(b.port))
  await until('beta', 'b')
  t.equal(await get('prod'), 'a', 'prod keeps serving its deployment after the Api is edited')

  save(join(dir, 'stages.yaml'), stageYaml('pets-b'))
  await until('prod', 'b')
  t.equal(await get('beta'), 'b', 'editing the Stage deploys')
})
