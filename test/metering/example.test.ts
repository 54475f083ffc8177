// examples/metering serves as documented: valid, keys work, the free tier is throttled.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { startStandalone } from '../../cli/run.js'

const dir = fileURLToPath(new URL('../../examples/metering', import.meta.url))

t.test('examples/metering', async (t) => {
  const logs: string[] = []
  const s = await startStandalone({ files: [dir], domain: 'localhost', namespace: 'default', port: 0, host: '127.0.0.1', holdOffMs: 20 }, (l) => logs.push(l))
  t.teardown(() => s.close())
  t.notMatch(logs.join('\n'), /error|warning/, 'no problems')
  const get = async (key?: string) => {
    const r = await request(`http://127.0.0.1:${s.port}/prod/orders`, { headers: { host: `shop0demo1.execute-api.localhost:${s.port}`, ...(key ? { 'x-api-key': key } : {}) } })
    return { status: r.statusCode, body: await r.body.text() }
  }
  t.same(await get('DemoGoldKey0123456789abcdef'), { status: 200, body: '{"orders": []}' })
  t.equal((await get()).status, 403)
  const silver = []
  for (let i = 0; i < 4; i++) silver.push((await get('DemoSilverKey0123456789abc')).status)
  t.same(silver, [200, 200, 200, 429], 'silver: 3 at once on GET /orders')
})
