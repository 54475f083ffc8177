// Drift: the committed CRDs, kustomization and reference docs are exactly what the definitions
// generate. Edit crds/*.ts or crds/examples/*.yaml, then run `npm run gen`.
import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readExamples, repoRoot } from './files.js'
import { KINDS } from './index.js'
import { GENERATED_DIR, generatedFiles } from './render.js'

const root = repoRoot(import.meta.url)
const files = generatedFiles(KINDS, readExamples(root, KINDS))

t.test('every generated file is committed as generated', async (t) => {
  for (const file of files) {
    const onDisk = join(root, file.path)
    if (!existsSync(onDisk)) {
      t.fail(`${file.path} is missing: run npm run gen`)
      continue
    }
    if (readFileSync(onDisk, 'utf8') === file.content) t.pass(`${file.path} is up to date`)
    else t.fail(`${file.path} differs from what the definitions generate: run npm run gen`)
  }
})

t.test('no stale files in crds/generated', async (t) => {
  const wanted = new Set(files.map((f) => f.path))
  const stale = readdirSync(join(root, GENERATED_DIR))
    .map((name) => `${GENERATED_DIR}/${name}`)
    .filter((path) => !wanted.has(path))
  t.same(stale, [], 'files no kind generates: run npm run gen (it removes them)')
})

t.test('one CRD per kind plus the kustomization and the docs', async (t) => {
  t.equal(files.length, KINDS.length + 2)
  t.equal(new Set(files.map((f) => f.path)).size, files.length, 'paths are unique')
})

t.test('generation is deterministic', async (t) => {
  const again = generatedFiles(KINDS, readExamples(root, KINDS))
  t.same(again, files)
})
