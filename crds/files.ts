// File system side of generation: finding the repository root and reading the examples. Kept
// apart from render.ts so that rendering stays a pure function.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KindDefinition } from './common.js'

/** The nearest directory at or above `fromUrl` holding package.json (works from crds/ and dist/crds/). */
export function repoRoot(fromUrl: string): string {
  let dir = dirname(fileURLToPath(fromUrl))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error(`no package.json above ${fromUrl}`)
    dir = up
  }
  return dir
}

/** crds/examples/<kind>.yaml, relative to the repository root. */
export function exampleFile(kind: KindDefinition): string {
  return `crds/examples/${kind.kind.toLowerCase()}.yaml`
}

/** The example of every kind, by kind name. */
export function readExamples(root: string, kinds: readonly KindDefinition[]): Map<string, string> {
  return new Map(kinds.map((k) => [k.kind, readFileSync(join(root, exampleFile(k)), 'utf8')]))
}
