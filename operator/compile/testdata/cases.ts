// Test helper: reads the golden cases of this folder. Lives beside the data (and outside the
// build) so that test files can share it without importing each other.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import type { ResourceObject } from '../../../crds/validate.js'
import type { CompileOptions } from '../index.js'

export const TESTDATA = import.meta.dirname
export const GOLDEN_OPTIONS: CompileOptions = { domain: 'localhost', defaultNamespace: 'default', endpoint: { scheme: 'http', port: 8080 } }

export function caseNames(): string[] {
  return readdirSync(TESTDATA)
    .filter((f) => f.endsWith('.in.yaml'))
    .map((f) => f.slice(0, -'.in.yaml'.length))
    .sort()
}

export function readCase(name: string): ResourceObject[] {
  const text = readFileSync(join(TESTDATA, `${name}.in.yaml`), 'utf8')
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${name}.in.yaml: ${doc.errors[0]!.message}`)
      return doc.toJS() as ResourceObject | null
    })
    .filter((r): r is ResourceObject => r !== null)
}
