// tollgate keys import: the CSV reader, AWS's API key file format, derived names, and the real
// command (spawned from dist/) — output that validates, bad rows by line, and key values that
// never reach stderr.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { Secret } from 'kubernetes-models/v1/Secret'
import { parseCsv } from '../../cli/keys/csv.js'
import { readKeyFile, splitPlanIds } from '../../cli/keys/aws-key-file.js'
import { baseName, kubeNames, labelKeyProblem, planIdProblem } from '../../cli/keys/manifests.js'
import { validateResource } from '../../crds/validate.js'

const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url))

// Key values used below; each must never appear on stderr.
const K1 = 'apikey1234abcdefghij0123456789'
const K2 = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876'
const K3 = '12345678901234567890' // all digits: YAML must keep it a string
const K4 = 'k4k4k4k4k4k4k4k4k4k4k4k4'
const SHORT = 'tooShortKey123'
const PUNCT = 'has-dashes-and_underscores_0123'

function tollgate(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

function csvFile(text: string, name = 'keys.csv'): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-keys-'))
  const path = join(dir, name)
  writeFileSync(path, text)
  return { dir, path }
}

interface Doc {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  spec?: { enabled?: boolean; description?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }
  stringData?: Record<string, unknown>
  type?: string
}

function docs(yaml: string): Doc[] {
  return parseAllDocuments(yaml).map((d) => {
    t.equal(d.errors.length, 0, 'output is valid YAML')
    return d.toJS() as Doc
  })
}

// ---------------------------------------------------------------------------------------------
// The CSV reader

t.test('csv: fields, CRLF and LF, a lone CR, and the line each record starts on', async (t) => {
  t.same(parseCsv('a,b\r\nc,d\ne,f\rg,h').records, [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['c', 'd'] },
    { line: 3, fields: ['e', 'f'] },
    { line: 4, fields: ['g', 'h'] },
  ])
  t.same(parseCsv('a,,\n').records, [{ line: 1, fields: ['a', '', ''] }], 'empty fields, final line break optional')
  t.same(parseCsv('').records, [])
})

t.test('csv: a byte order mark is dropped', async (t) => {
  t.same(parseCsv('\uFEFFName,Key\n').records[0]?.fields, ['Name', 'Key'])
})

t.test('csv: quoted fields hold commas, line breaks and doubled quotes', async (t) => {
  const { records, fatal } = parseCsv('x,"a, b","say ""hi""","two\r\nlines"\nnext,"",3,"line\nbreak"\nlast,1,2,3\n')
  t.equal(fatal, undefined)
  t.same(records, [
    { line: 1, fields: ['x', 'a, b', 'say "hi"', 'two\r\nlines'] },
    { line: 3, fields: ['next', '', '3', 'line\nbreak'] },
    { line: 5, fields: ['last', '1', '2', '3'] },
  ])
})

t.test("csv: AWS's single-quoted lists, and apostrophes that are not quotes", async (t) => {
  t.same(parseCsv("k,'c7y23b,glvrsr'\n").records[0]?.fields, ['k', 'c7y23b,glvrsr'])
  t.same(parseCsv("k,'it''s',z\n").records[0]?.fields, ['k', "it's", 'z'])
  t.same(parseCsv("'tis fine,x\n").records[0]?.fields, ["'tis fine", 'x'], 'no closing quote before a comma: literal')
  t.same(parseCsv("a,O'Brien's key\n").records[0]?.fields, ['a', "O'Brien's key"])
})

t.test('csv: an unclosed quote stops reading at the line it opened on', async (t) => {
  const r = parseCsv('a,b\nc,"open\nd,e\n')
  t.same(r.fatal, { line: 2, message: 'quoted field is not closed (a " without its closing ")' })
})

t.test('csv: text after a closing quote marks the record, keeps the field count', async (t) => {
  const r = parseCsv('"a"b,c\nd,e\n')
  t.equal(r.records[0]?.fields.length, 2)
  t.match(r.records[0]?.error, /text after the closing quote/)
  t.equal(r.records[1]?.error, undefined)
})

// ---------------------------------------------------------------------------------------------
// AWS's API key file format

t.test("AWS's documented examples read as documented", async (t) => {
  const a = readKeyFile(`Key,name\n${K1},MyFirstApiKey\n`)
  t.same(a.problems, [])
  t.same(a.rows, [{ line: 2, name: 'MyFirstApiKey', value: K1, description: '', enabled: true, usagePlanIds: [] }])

  const b = readKeyFile(`Name,key,description,Enabled,usageplanIds\nMyFirstApiKey,${K1},An imported key,TRUE,c7y23b\n`)
  t.same(b.rows[0], { line: 2, name: 'MyFirstApiKey', value: K1, description: 'An imported key', enabled: true, usagePlanIds: ['c7y23b'] })

  const c = readKeyFile(`Enabled,Name,key,UsageplanIds\ntrue,MyFirstApiKey,${K1},"c7y23b,glvrsr"\n`)
  t.same(c.rows[0]?.usagePlanIds, ['c7y23b', 'glvrsr'])
  const d = readKeyFile(`Enabled,Name,key,UsageplanIds\nfalse,MyFirstApiKey,${K1},'c7y23b,glvrsr'\n`)
  t.same(d.rows[0]?.usagePlanIds, ['c7y23b', 'glvrsr'], 'single quotes too')
  t.equal(d.rows[0]?.enabled, false)
})

t.test('header: any case, any order, padded; unknown columns ignored with a warning', async (t) => {
  const f = readKeyFile(`  KEY , Notes,nAmE,DESCRIPTION\n${K1},whatever,Alice,"Alice's, integration"\n`)
  t.same(f.problems, [])
  t.same(f.rows[0], { line: 2, name: 'Alice', value: K1, description: "Alice's, integration", enabled: true, usagePlanIds: [] })
  t.equal(f.warnings.length, 1)
  t.match(f.warnings[0]?.message, /"Notes" is not one AWS reads/)
})

t.test('a missing required column is a file error naming it', async (t) => {
  const f = readKeyFile(`Name,Description\nAlice,${K1}\n`)
  t.equal(f.fatal?.line, 1)
  t.equal(f.fatal?.column, 'Key')
  t.match(f.fatal?.message, /no Key column/)
  t.notOk(JSON.stringify(f.fatal).includes(K1), 'the message does not quote the first line')
  t.match(readKeyFile('Key,Description\n').fatal?.message, /no Name column/)
  t.match(readKeyFile('Enabled\n').fatal?.message, /no Name and Key column/)
  t.match(readKeyFile('').fatal?.message, /empty/)
  t.match(readKeyFile('Name,Key,name\n').fatal?.message, /Name column twice/)
})

t.test('every bad row is reported with its line and column; good rows are kept', async (t) => {
  const text = [
    'Name,Key,Enabled,Description',
    `good,${K1},true,`,
    `short,${SHORT},true,`,
    `,${K2},true,`,
    `punct,${PUNCT},true,`,
    `long,${'a'.repeat(129)},true,`,
    `maybe,${K3},yes,`,
    `toofew,${K2}`,
    `again,${K1},false,`,
    `"multi`,
    `line",,TRUE,x`,
    `desc,${K4},,${'d'.repeat(1025)}`,
  ].join('\n')
  const f = readKeyFile(text)
  t.same(
    f.problems.map((p) => `${p.line}: ${p.column}: ${p.message}`),
    [
      '3: Key: must be 20 to 128 characters (it has 14)',
      '4: Name: is required',
      '5: Key: must contain only letters and digits (A-Z, a-z, 0-9)',
      '6: Key: must be 20 to 128 characters (it has 129)',
      '7: Enabled: must be true or false; got "yes"',
      '8: : the row has 2 fields, the header 4 (an unquoted comma?)',
      '9: Key: same value as line 2: a key value identifies one key',
      '10: Key: is required',
      '12: Description: must be at most 1024 characters',
    ],
  )
  t.same(f.rows.map((r) => r.line), [2])
  for (const secret of [K1, K2, K3, K4, SHORT, PUNCT]) t.notOk(JSON.stringify(f.problems).includes(secret), 'no key value in problems')
})

t.test('usage plan ids: list splitting, and ids that make no label', async (t) => {
  t.same(splitPlanIds(' a1 , b2,,a1 '), ['a1', 'b2'])
  t.same(splitPlanIds(''), [])
  const f = readKeyFile(`Name,Key,UsagePlanIds\nx,${K1},"ok1, bad id"\n`, {
    checkPlanId: (id) => planIdProblem('tollgate.dev/usage-plan-', id),
  })
  t.equal(f.problems.length, 1)
  t.match(f.problems[0], { line: 2, column: 'UsagePlanIds', message: '"bad id": makes no valid label key tollgate.dev/usage-plan-<id>: an id is at most 52' })
  t.equal(labelKeyProblem(`tollgate.dev/usage-plan-${'x'.repeat(52)}`), undefined)
  t.ok(labelKeyProblem(`tollgate.dev/usage-plan-${'x'.repeat(53)}`), 'name part over 63 characters')
})

t.test('key values do not reach messages even in the wrong column', async (t) => {
  // No header: the first row is taken for one.
  const headerless = readKeyFile(`Alice,${K1},Notes\nBob,${K2},x\n`)
  t.match(headerless.fatal?.message, /first line must be a header row/)
  t.same(headerless.warnings, [], 'no warnings about "columns" that are data')
  // Columns shifted: keys under Enabled and UsagePlanIds.
  const long = 'L'.repeat(60)
  const shifted = readKeyFile(`Name,Key,Enabled,UsagePlanIds\nAlice,x,${K1},${long}\n`, {
    checkPlanId: (id) => planIdProblem('tollgate.dev/usage-plan-', id),
  })
  const text = JSON.stringify([headerless, shifted])
  for (const secret of [K1, K2, long]) t.notOk(text.includes(secret), 'not in any message')
  t.match(shifted.problems.map((p) => p.message).join('\n'), /got a value of 30 letters and digits \(not shown/)
})

// ---------------------------------------------------------------------------------------------
// Kubernetes names

t.test('names: RFC 1123, from free text', async (t) => {
  t.equal(baseName('MyFirstApiKey'), 'myfirstapikey')
  t.equal(baseName('  Alice — Prod_Key #2 '), 'alice-prod-key-2')
  t.equal(baseName('Ünïcödé'), 'unicode')
  t.match(baseName('日本語'), /^key-[0-9a-f]{8}$/)
  t.equal(baseName('日本語'), baseName('日本語'), 'deterministic')
  t.not(baseName('日本語'), baseName('中文'))
  const long = baseName(`${'a'.repeat(55)}--b${'c'.repeat(100)}`)
  t.ok(long.length <= 56 && !long.endsWith('-'), long)
})

t.test('names: duplicates get -2, -3 in line order, never taking a name another row derives', async (t) => {
  const rows = [
    { line: 2, name: 'Alice' },
    { line: 3, name: 'alice' },
    { line: 4, name: 'ALICE!' },
    { line: 5, name: 'alice-2' },
    { line: 6, name: 'Bob' },
  ]
  const { names, collisions } = kubeNames(rows)
  t.same(names, ['alice', 'alice-3', 'alice-4', 'alice-2', 'bob'])
  t.same(
    collisions.map((c) => [c.line, c.name, c.wanted, c.takenBy]),
    [
      [3, 'alice-3', 'alice', 2],
      [4, 'alice-4', 'alice', 2],
    ],
  )
  t.same(kubeNames(rows).names, names, 'same input, same names')
})

// ---------------------------------------------------------------------------------------------
// The command

const GOOD = [
  'Name,Key,Description,Enabled,UsagePlanIds',
  `Alice,${K1},"Alice's integration, prod",TRUE,"c7y23b,glvrsr"`,
  `Bob,${K2},,false,c7y23b`,
  `alice,${K3},"two\nlines",,`,
].join('\r\n')

t.test('keys import prints Secrets and ApiKeys that validate', async (t) => {
  const { path } = csvFile(`\uFEFF${GOOD}\r\n`)
  const r = tollgate(['keys', 'import', '-f', path, '-n', 'team-a'])
  t.equal(r.code, 0, r.stderr)
  const out = docs(r.stdout)
  t.same(
    out.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`),
    [
      'Secret team-a/alice-api-key',
      'ApiKey team-a/alice',
      'Secret team-a/bob-api-key',
      'ApiKey team-a/bob',
      'Secret team-a/alice-2-api-key',
      'ApiKey team-a/alice-2',
    ],
  )
  for (const d of out) {
    if (d.kind === 'ApiKey') {
      const v = validateResource(d)
      t.ok(v.ok, `ApiKey ${d.metadata.name} validates: ${JSON.stringify(v.problems)}`)
    } else {
      t.doesNotThrow(() => new Secret(d as ConstructorParameters<typeof Secret>[0]).validate(), `Secret ${d.metadata.name} is a valid core/v1 Secret`)
      t.equal(d.type, 'Opaque')
    }
  }
  const [s1, a1, , a2, s3, a3] = out as [Doc, Doc, Doc, Doc, Doc, Doc]
  t.same(s1.stringData, { value: K1 })
  t.same(s3.stringData, { value: K3 }, 'an all-digit key stays a string')
  t.same(a1.spec, { enabled: true, description: "Alice's integration, prod", valueFrom: { secretKeyRef: { name: 'alice-api-key', key: 'value' } } })
  t.same(a1.metadata.labels, { 'tollgate.dev/usage-plan-c7y23b': 'true', 'tollgate.dev/usage-plan-glvrsr': 'true' })
  t.same(a1.metadata.annotations, { 'tollgate.dev/aws-name': 'Alice' })
  t.same(a2.spec, { enabled: false, description: 'Bob', valueFrom: { secretKeyRef: { name: 'bob-api-key', key: 'value' } } }, 'no Description: the AWS Name')
  t.equal(a3.spec?.description, 'two\nlines', 'CRLF inside a quoted field is read as LF')
  t.equal(a3.metadata.labels, undefined, 'no plans, no labels')
  t.same(a3.metadata.annotations, { 'tollgate.dev/aws-name': 'alice' })

  t.match(r.stderr, `${path}:4: warning: Name: "alice" becomes alice-2 (alice is line 2's)`)
  t.match(r.stderr, /3 keys from .* → stdout/)
  t.match(r.stderr, 'AWS usage plan c7y23b: 2 keys\n  apiKeySelector:\n    matchLabels:\n      tollgate.dev/usage-plan-c7y23b: "true"')
  t.match(r.stderr, 'tollgate.dev/usage-plan-glvrsr: "true"')
  for (const secret of [K1, K2, K3]) t.notOk(r.stderr.includes(secret), 'no key value on stderr')
})

t.test('without -n the objects name no namespace (kubectl -n decides)', async (t) => {
  const { path } = csvFile(`name,key\nx,${K1}\n`)
  const r = tollgate(['keys', 'import', '-f', path])
  t.equal(r.code, 0, r.stderr)
  for (const d of docs(r.stdout)) t.equal(d.metadata.namespace, undefined)
})

t.test('bad rows: every one reported by line, nothing written, exit 1, no key values', async (t) => {
  const text = ['Name,Key,Enabled', `ok,${K1},true`, `short,${SHORT},true`, `punct,${PUNCT},true`, `,${K2},maybe`].join('\n')
  const { path, dir } = csvFile(text)
  const out = join(dir, 'out.yaml')
  const r = tollgate(['keys', 'import', '-f', path, '-o', out])
  t.equal(r.code, 1)
  t.equal(r.stdout, '')
  t.match(r.stderr, `${path}:3: Key: must be 20 to 128 characters (it has 14)\n`)
  t.match(r.stderr, `${path}:4: Key: must contain only letters and digits`)
  t.match(r.stderr, `${path}:5: Name: is required\n${path}:5: Enabled: must be true or false; got "maybe"\n`)
  t.match(r.stderr, /3 bad rows .* nothing written/)
  t.notOk(readdirSync(dir).includes('out.yaml'), 'no output file')
  for (const secret of [K1, K2, SHORT, PUNCT]) t.notOk(r.stderr.includes(secret), 'no key value on stderr')
})

t.test('--skip-invalid writes the good rows, reports the bad ones, exits 0', async (t) => {
  const { path } = csvFile(['Name,Key', `ok,${K1}`, `short,${SHORT}`, `fine,${K2}`].join('\n'))
  const r = tollgate(['keys', 'import', '-f', path, '--skip-invalid'])
  t.equal(r.code, 0, r.stderr)
  t.same(docs(r.stdout).filter((d) => d.kind === 'ApiKey').map((d) => d.metadata.name), ['ok', 'fine'])
  t.match(r.stderr, `${path}:3: Key: must be 20 to 128 characters`)
  t.match(r.stderr, /2 keys .* 1 bad row skipped/)
  t.notOk(r.stderr.includes(SHORT))
})

t.test('file errors: a missing column, an unclosed quote, an unreadable file', async (t) => {
  const missing = tollgate(['keys', 'import', '-f', csvFile(`Name,Value\nx,${K1}\n`).path])
  t.equal(missing.code, 1)
  t.match(missing.stderr, /keys\.csv:1: Key: the header has no Key column/)
  t.notOk(missing.stderr.includes(K1))
  t.equal(missing.stdout, '')

  const unclosed = tollgate(['keys', 'import', '-f', csvFile(`Name,Key\nx,${K1}\n"y,${K2}\n`).path])
  t.equal(unclosed.code, 1)
  t.match(unclosed.stderr, /keys\.csv:3: quoted field is not closed/)
  t.notOk(unclosed.stderr.includes(K2))

  const absent = tollgate(['keys', 'import', '-f', '/nonexistent/keys.csv'])
  t.equal(absent.code, 1)
  t.match(absent.stderr, 'cannot read /nonexistent/keys.csv: ENOENT')
})

t.test('-o writes one file, --output-dir one per key, readable by the owner only', async (t) => {
  const { path, dir } = csvFile(GOOD)
  const file = join(dir, 'keys.yaml')
  writeFileSync(file, 'old\n', { mode: 0o644 })
  const r = tollgate(['keys', 'import', '-f', path, '-o', file])
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stdout, '')
  t.equal(docs(readFileSync(file, 'utf8')).length, 6)
  t.equal(statSync(file).mode & 0o777, 0o600)

  const outDir = join(dir, 'manifests')
  const d = tollgate(['keys', 'import', '-f', path, '--output-dir', outDir])
  t.equal(d.code, 0, d.stderr)
  t.same(readdirSync(outDir).sort(), ['alice-2.yaml', 'alice.yaml', 'bob.yaml'])
  t.same(docs(readFileSync(join(outDir, 'bob.yaml'), 'utf8')).map((x) => x.kind), ['Secret', 'ApiKey'])
  t.equal(statSync(join(outDir, 'bob.yaml')).mode & 0o777, 0o600)
})

t.test('-f - reads stdin; --usage-plan-label changes the label key', async (t) => {
  const r = tollgate(['keys', 'import', '-f', '-', '--usage-plan-label', 'example.com/plan-'], `Name,Key,UsagePlanIds\nx,${K1},p1\n`)
  t.equal(r.code, 0, r.stderr)
  t.same(docs(r.stdout)[1]?.metadata.labels, { 'example.com/plan-p1': 'true' })
  t.match(r.stderr, 'example.com/plan-p1: "true"')
})

t.test('usage errors exit 2', async (t) => {
  const { path, dir } = csvFile(`Name,Key\nx,${K1}\n`)
  t.equal(tollgate(['keys', 'import']).code, 2, 'no -f')
  t.equal(tollgate(['keys', 'export', '-f', path]).code, 2, 'unknown subcommand')
  t.equal(tollgate(['keys', 'import', '-f', path, '-o', join(dir, 'a'), '--output-dir', dir]).code, 2, '-o and --output-dir')
  t.equal(tollgate(['keys', 'import', '-f', path, '-n', 'Bad_NS']).code, 2, 'bad namespace')
  t.equal(tollgate(['keys', 'import', '-f', path, '--usage-plan-label', 'Bad Prefix/']).code, 2, 'bad label prefix')
  t.equal(tollgate(['keys', 'import', '-f', path, path]).code, 2, 'two files')
})
