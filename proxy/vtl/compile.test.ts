// Compiling templates at config load: the 300 KB quota and syntax errors with their position.
import t from 'tap'
import { compileTemplate, MAX_TEMPLATE_BYTES, TemplateProblem } from './index.js'

function problem(template: string): unknown {
  try {
    compileTemplate(template)
  } catch (err) {
    return err
  }
  return null
}

t.test('a template of exactly 300 KB compiles; one byte more is refused', async (t) => {
  t.equal(MAX_TEMPLATE_BYTES, 307200)
  t.equal(problem('x'.repeat(MAX_TEMPLATE_BYTES)), null)
  const over = problem('x'.repeat(MAX_TEMPLATE_BYTES + 1))
  t.ok(over instanceof TemplateProblem)
  t.match((over as Error).message, /307201 bytes, over the 307200 bytes \(300 KB\) limit/)
  // Bytes, not characters: 2-byte characters count twice.
  t.ok(problem('é'.repeat(MAX_TEMPLATE_BYTES / 2 + 1)) instanceof TemplateProblem)
})

const SYNTAX: readonly [string, RegExp][] = [
  ['#if($x)\nno end', /#if without #end at line 2/],
  ['#foreach($x in [1, 2])$x', /#foreach without #end/],
  ['ok\n#end', /unexpected #end at line 2, column 5/],
  ['#set($x)', /#set: expected = at line 1/],
  ['#set($x = "unterminated)', /unterminated string/],
  ['#set($x = [1, 2)', /expected , or ] in list/],
  ['#* never closed', /unterminated #\* comment/],
  ['#foreach($x of $list)#end', /#foreach: expected in/],
  ['#macro()#end', /#macro needs a name/],
]

for (const [template, message] of SYNTAX) {
  t.test(`syntax error: ${JSON.stringify(template)}`, async (t) => {
    const caught = problem(template)
    t.ok(caught instanceof TemplateProblem, 'a TemplateProblem (a route problem, not a crash)')
    t.match((caught as Error).message, message)
  })
}

t.test('a template nested too deeply for the parser is a problem, not a crash', async (t) => {
  const deep = problem('#if(1)'.repeat(25_000) + '#end'.repeat(25_000))
  t.ok(deep instanceof TemplateProblem)
  t.match((deep as Error).message, /nested too deeply/)
})

t.test('templates that are only text compile to themselves', async (t) => {
  const compiled = compileTemplate('{"statusCode": 200}')
  t.same(compiled.ast.nodes, [{ k: 'text', text: '{"statusCode": 200}' }])
})
