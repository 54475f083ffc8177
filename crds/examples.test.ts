// Every example in crds/examples is a valid resource of the kind its file is named after, and
// every kind has one (the reference docs show it).
import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import YAML from 'yaml'
import { exampleFile, repoRoot } from './files.js'
import { KINDS } from './index.js'
import { validateResource, type ResourceObject } from './validate.js'

const root = repoRoot(import.meta.url)

for (const kind of KINDS) {
  t.test(`${kind.kind} example`, async (t) => {
    const path = join(root, exampleFile(kind))
    t.ok(existsSync(path), `${exampleFile(kind)} exists`)
    const docs = YAML.parseAllDocuments(readFileSync(path, 'utf8'))
    t.ok(docs.length >= 1, 'has at least one document')
    for (const doc of docs) {
      t.same(doc.errors, [], 'parses')
      const obj = doc.toJS() as ResourceObject
      t.equal(obj.kind, kind.kind, `${obj.metadata?.name as string} is a ${kind.kind}`)
      t.same(validateResource(obj).problems, [], `${obj.metadata?.name as string} validates`)
    }
  })
}

t.test('no example files of unknown kinds', async (t) => {
  const known = new Set(KINDS.map((k) => exampleFile(k).split('/').pop()))
  t.same(readdirSync(join(root, 'crds/examples')).filter((f) => !known.has(f)), [])
})
