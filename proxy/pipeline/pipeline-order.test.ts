// Every stage file in proxy/pipeline/ must be in the order table, once, under its file name.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname } from 'node:path'
import { PIPELINE } from './order.js'

const NOT_STAGES = new Set(['order.ts', 'types.ts', 'run.ts'])
const here = dirname(fileURLToPath(import.meta.url))

t.test('every stage file is in the order table', async (t) => {
  const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !NOT_STAGES.has(f))
  const names = PIPELINE.map((s) => s.name)
  for (const file of files) t.ok(names.includes(file.replace(/\.ts$/, '')), `${file} is in pipeline/order.ts`)
  t.equal(new Set(names).size, names.length, 'no stage twice')
  t.equal(names.length, files.length, 'no table entry without a file')
})

t.test('route comes first and respond last', async (t) => {
  t.equal(PIPELINE[0]!.name, 'route')
  t.equal(PIPELINE.at(-1)!.name, 'respond')
})

t.test('validate runs after meter (invalid requests still count) and before any integration work', async (t) => {
  const names = PIPELINE.map((s) => s.name)
  t.equal(names.indexOf('validate'), names.indexOf('meter') + 1, 'right after meter')
  t.ok(names.indexOf('validate') < names.indexOf('transform-request'), 'before transform-request')
})
