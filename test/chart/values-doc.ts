// Reads charts/tollgate/values.yaml with its comments: every value and its `# -- ` description,
// for the "every value is documented" test and the values table of docs/install.md.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isMap, parseDocument, type Pair, type YAMLMap } from 'yaml'
import { chartDir } from './helpers.js'

export interface DocumentedValue {
  path: string
  /** The text after `-- `, lines joined; undefined when the value has no `# -- ` comment. */
  description: string | undefined
  value: unknown
}

/** The last paragraph of a comment (a file header above the first key is not its description). */
function ownComment(comment: string | null | undefined): string | undefined {
  if (!comment) return undefined
  const paragraphs = comment.split(/\n\s*\n/)
  return paragraphs[paragraphs.length - 1]
}

function description(comment: string | undefined): string | undefined {
  if (!comment) return undefined
  const lines = comment.split('\n').map((l) => l.replace(/^ /, ''))
  const start = lines.findIndex((l) => l.startsWith('-- '))
  if (start < 0) return undefined
  return lines
    .slice(start)
    .map((l, i) => (i === 0 ? l.slice(3) : l))
    .join(' ')
    .trim()
}

/**
 * Every documented value, in file order. A map with a `# -- ` comment is one value (resources,
 * annotations); a map without one is a section and its keys are listed instead. Values with no
 * description are returned too (description undefined) so the test can name them.
 */
export function documentedValues(): DocumentedValue[] {
  const doc = parseDocument(readFileSync(join(chartDir, 'values.yaml'), 'utf8'))
  const out: DocumentedValue[] = []
  const walk = (map: YAMLMap, prefix: string) => {
    map.items.forEach((item, i) => {
      const pair = item as Pair<{ value: string; commentBefore?: string | null }, unknown>
      const path = prefix ? `${prefix}.${pair.key.value}` : pair.key.value
      // yaml attaches the comment above a map's first key to the map itself.
      const comment = ownComment(pair.key.commentBefore ?? (i === 0 ? map.commentBefore : undefined))
      const desc = description(comment)
      if (isMap(pair.value) && pair.value.items.length > 0 && desc === undefined) {
        walk(pair.value, path)
        return
      }
      const value = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null
      out.push({ path, description: desc, value })
    })
  }
  walk(doc.contents as YAMLMap, '')
  return out
}

/** Text for a markdown table cell: no column breaks, no HTML tags, no emphasis. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\*/g, '\\*')
}

/** The markdown table of docs/install.md, between the values markers. */
export function valuesTable(): string {
  const rows = documentedValues().map((v) => `| \`${v.path}\` | \`${JSON.stringify(v.value).replace(/\|/g, '\\|')}\` | ${cell(v.description ?? '')} |`)
  return ['| Value | Default | Description |', '| --- | --- | --- |', ...rows].join('\n')
}

export const tableBegin = '<!-- values-table:begin (generated from charts/tollgate/values.yaml by `npm run chart:docs`) -->'
export const tableEnd = '<!-- values-table:end -->'
