// The Dockerfile's contract with the chart and the repository (no Docker engine runs here): the
// entrypoint is the compiled CLI, the user is the chart's uid, the runtime stage copies what the
// program needs and nothing from the build context, and the context excludes host build output.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chartDir, repoRoot } from './helpers.js'

interface Instruction {
  op: string
  args: string
}

/** Dockerfile instructions, with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ')
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l)
      return { op: (m?.[1] ?? l).toUpperCase(), args: m?.[2] ?? '' }
    })
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')
const all = instructions(dockerfile)
const fromIdx = all.map((x, i) => (x.op === 'FROM' ? i : -1)).filter((i) => i >= 0)
const runtime = all.slice(fromIdx[fromIdx.length - 1])
const build = all.slice(fromIdx[0], fromIdx[1])

t.test('two stages on node 20 bookworm-slim', async (t) => {
  t.equal(fromIdx.length, 2, 'a build stage and a runtime stage')
  const arg = all.find((x) => x.op === 'ARG' && x.args.startsWith('NODE_IMAGE='))
  t.equal(arg?.args, 'NODE_IMAGE=node:20-bookworm-slim')
  t.same(
    fromIdx.map((i) => all[i]!.args),
    ['${NODE_IMAGE} AS build', '${NODE_IMAGE}'],
  )
})

t.test('the build stage installs, builds and prunes', async (t) => {
  const runs = build.filter((x) => x.op === 'RUN').map((x) => x.args)
  t.ok(runs.some((r) => /npm ci\b/.test(r)), 'npm ci')
  t.ok(runs.some((r) => /npm run build\b/.test(r)), 'npm run build')
  t.ok(runs.some((r) => /npm prune --omit=dev\b/.test(r)), 'npm prune --omit=dev')
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.ok(pkg.scripts.build, 'package.json has a build script')
})

t.test('the runtime stage: the compiled CLI, as uid 10001 (the chart runAsUser)', async (t) => {
  const entry = runtime.find((x) => x.op === 'ENTRYPOINT')
  t.same(JSON.parse(entry!.args), ['node', '/app/dist/cli/main.js'])
  // dist/cli/main.js is what tsc makes of cli/main.ts (rootDir ".", outDir "dist").
  const tsconfig = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } }
  t.equal(tsconfig.compilerOptions.rootDir, '.')
  t.equal(tsconfig.compilerOptions.outDir, 'dist')
  t.ok(existsSync(join(repoRoot, 'cli/main.ts')), 'cli/main.ts exists')
  t.match(readFileSync(join(repoRoot, 'bin/tollgate.js'), 'utf8'), /dist\/cli\/main\.js/, 'bin/tollgate.js runs the same file')
  const user = runtime.filter((x) => x.op === 'USER').pop()
  t.equal(user?.args, '10001:10001')
  const helpers = readFileSync(join(chartDir, 'templates/_helpers.tpl'), 'utf8')
  t.match(helpers, /runAsUser: 10001/, 'the chart runs as the same uid')
  t.equal(runtime.find((x) => x.op === 'WORKDIR')?.args, '/app')
})

t.test('the runtime stage copies only build output, from the build stage', async (t) => {
  const copies = runtime.filter((x) => x.op === 'COPY' || x.op === 'ADD')
  t.ok(copies.length > 0)
  const copied: string[] = []
  for (const c of copies) {
    t.equal(c.op, 'COPY', 'COPY, never ADD')
    t.match(c.args, /^--from=build\s/, `${c.args}: from the build stage`)
    const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--'))
    copied.push(parts[0]!.replace(/^\/src\//, ''))
  }
  t.same(copied.sort(), ['bin', 'dist', 'examples', 'node_modules', 'package.json'])
  for (const p of ['bin', 'examples', 'package.json']) t.ok(existsSync(join(repoRoot, p)), `${p} exists in the repository`)
})

t.test('.dockerignore keeps host build output out of the context, and the sources in', async (t) => {
  const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  for (const p of ['.git', 'node_modules', 'dist']) t.ok(ignored.includes(p), `${p} is ignored`)
  // The build needs these: they must not be ignored.
  for (const p of ['package.json', 'package-lock.json', 'tsconfig.json', 'cli', 'crds', 'operator', 'proxy', 'bin', 'examples']) {
    t.notOk(ignored.includes(p), `${p} is in the context`)
  }
})
