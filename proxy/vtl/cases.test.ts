// The mapping-template cases (cases.ts), table-driven: exact output, overrides and failures.
import t from 'tap'
import { BASE, CASES } from './cases.js'
import { compileTemplate, DEFAULT_LIMITS, renderMapping, VtlRenderError } from './index.js'

t.ok(CASES.length >= 60, `${CASES.length} cases`)

for (const c of CASES) {
  t.test(c.name, async (t) => {
    t.ok(c.source.length > 0, 'cites its source')
    const template = compileTemplate(c.template)
    const data = { ...BASE, ...c.data }
    const limits = { ...DEFAULT_LIMITS, ...c.limits }
    if (c.error !== undefined) {
      const started = performance.now()
      let caught: unknown = null
      try {
        renderMapping(template, data, limits)
      } catch (err) {
        caught = err
      }
      t.ok(caught instanceof VtlRenderError, `fails: ${String(caught)}`)
      t.equal((caught as VtlRenderError).reason, c.error, 'the reason')
      t.ok(performance.now() - started < 2000, 'fails in bounded time')
      return
    }
    const rendered = renderMapping(template, data, limits)
    t.equal(rendered.body, c.output, c.source)
    t.equal(rendered.overrides.status, c.status ?? null, 'status override')
    t.same(Object.fromEntries(rendered.overrides.requestHeaders), c.requestHeaders ?? {}, 'request header overrides')
    t.same(Object.fromEntries(rendered.overrides.responseHeaders), c.responseHeaders ?? {}, 'response header overrides')
  })
}
