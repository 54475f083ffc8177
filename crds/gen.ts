// `npm run gen`: writes the CRDs, their kustomization and the resource reference from the kind
// definitions, and removes generated CRD files of kinds that no longer exist.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { readExamples, repoRoot } from './files.js'
import { KINDS } from './index.js'
import { GENERATED_DIR, generatedFiles } from './render.js'

function main(): void {
  const root = repoRoot(import.meta.url)
  const files = generatedFiles(KINDS, readExamples(root, KINDS))
  const wanted = new Set(files.map((f) => f.path))
  mkdirSync(join(root, GENERATED_DIR), { recursive: true })
  for (const name of readdirSync(join(root, GENERATED_DIR))) {
    const path = `${GENERATED_DIR}/${name}`
    if (!wanted.has(path)) {
      rmSync(join(root, path))
      console.log(`removed ${path}`)
    }
  }
  for (const file of files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true })
    writeFileSync(join(root, file.path), file.content)
    console.log(`wrote ${file.path}`)
  }
}

main()
