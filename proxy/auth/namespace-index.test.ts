// The pod address → namespace index the proxies keep (tollgate:SourceNamespace).
import t from 'tap'
import { NO_NAMESPACE_INDEX, PodNamespaceIndex } from './namespace-index.js'

t.test('lookups by normalized address; replaced whole by each update', async (t) => {
  const index = new PodNamespaceIndex()
  t.equal(index.namespaceOf('10.1.0.7'), undefined, 'empty before the first update')
  t.same(index.replace({ version: 1, pods: [['10.1.0.7', 'shop'], ['FD00::7', 'billing']] }), { entries: 2, skipped: 0 })
  t.equal(index.namespaceOf('10.1.0.7'), 'shop')
  t.equal(index.namespaceOf('::ffff:10.1.0.7'), 'shop', 'IPv4-mapped caller')
  t.equal(index.namespaceOf('fd00::7'), 'billing', 'IPv6 spelled either case')
  t.equal(index.version, 1)
  index.replace({ version: 2, pods: [['10.1.0.8', 'shop']] })
  t.equal(index.namespaceOf('10.1.0.7'), undefined, 'a pod gone is gone')
  t.equal(index.namespaceOf('10.1.0.8'), 'shop')
})

t.test('ambiguous and malformed entries are left out', async (t) => {
  const index = new PodNamespaceIndex()
  const result = index.replace({
    version: 3,
    pods: [
      ['10.1.0.9', 'shop'],
      ['10.1.0.9', 'attacker'], // one address, two namespaces: attributed to neither
      ['10.1.0.10', 'shop'],
      ['10.1.0.10', 'shop'], // the same pair twice is fine
      ['not-an-ip', 'shop'],
      ['10.1.0.11', 'Not_A_Namespace'],
    ],
  })
  t.same(result, { entries: 1, skipped: 3 })
  t.equal(index.namespaceOf('10.1.0.9'), undefined)
  t.equal(index.namespaceOf('10.1.0.10'), 'shop')
  t.equal(NO_NAMESPACE_INDEX.namespaceOf('10.1.0.10'), undefined, 'standalone: no index')
})
