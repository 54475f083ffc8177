// Addresses and ranges: IPv4 and IPv6 CIDRs, bare addresses, IPv4-mapped IPv6 normalized, and
// the X-Forwarded-For walk of trusted proxies.
import t from 'tap'
import { ipRanges, normalizeIp, parseCidr } from './ip.js'
import { resolveSourceIp } from './source-ip.js'

t.test('normalizeIp: IPv4-mapped IPv6 becomes IPv4, IPv6 lower-cased', async (t) => {
  t.equal(normalizeIp('::ffff:10.1.2.3'), '10.1.2.3')
  t.equal(normalizeIp('::FFFF:127.0.0.1'), '127.0.0.1')
  t.equal(normalizeIp('2001:DB8::1'), '2001:db8::1')
  t.equal(normalizeIp('10.0.0.1'), '10.0.0.1')
})

t.test('parseCidr: ranges, bare addresses, mistakes', async (t) => {
  t.same(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' })
  t.same(parseCidr('192.0.2.7'), { address: '192.0.2.7', prefix: 32, family: 'ipv4' }, 'a bare address is a /32')
  t.same(parseCidr('2001:db8::/32'), { address: '2001:db8::', prefix: 32, family: 'ipv6' })
  t.same(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' })
  t.match(parseCidr('10.0.0.0/33'), /prefix length must be 0 to 32/)
  t.match(parseCidr('2001:db8::/129'), /prefix length must be 0 to 128/)
  t.match(parseCidr('10.0.0.0/x'), /prefix length/)
  t.match(parseCidr('10.0.0/8'), /not an IP address/)
  t.match(parseCidr('example.com'), /not an IP address/)
})

t.test('IpRanges: IPv4, IPv6 and IPv4-mapped callers', async (t) => {
  const r = ipRanges(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'])
  t.ok(r.contains('10.200.3.4'))
  t.ok(r.contains('::ffff:10.200.3.4'), 'an IPv4-mapped IPv6 peer matches its IPv4 range')
  t.notOk(r.contains('11.0.0.1'))
  t.ok(r.contains('2001:db8:ffff::1'))
  t.notOk(r.contains('2001:db9::1'))
  t.ok(r.contains('192.0.2.7'))
  t.notOk(r.contains('192.0.2.8'), 'a bare address matches only itself')
  t.notOk(r.contains('not-an-ip'))
  t.throws(() => ipRanges(['10.0.0.0/8', 'nope', '1.2.3.4/40']), /"nope" is not an IP address.*"1\.2\.3\.4\/40"/)
})

t.test('resolveSourceIp: X-Forwarded-For only from trusted peers, read from the right', async (t) => {
  const trusted = ipRanges(['10.0.0.0/8'])
  t.equal(resolveSourceIp('203.0.113.9', '198.51.100.1', trusted), '203.0.113.9', 'untrusted peer: its header is ignored')
  t.equal(resolveSourceIp('10.0.0.5', undefined, trusted), '10.0.0.5', 'trusted peer without a header')
  t.equal(resolveSourceIp('10.0.0.5', '198.51.100.1', trusted), '198.51.100.1')
  t.equal(resolveSourceIp('10.0.0.5', '1.1.1.1, 198.51.100.1, 10.9.9.9', trusted), '198.51.100.1', 'trusted hops skipped; the client may prepend anything')
  t.equal(resolveSourceIp('10.0.0.5', '10.1.1.1, 10.2.2.2', trusted), '10.1.1.1', 'all trusted: the leftmost')
  t.equal(resolveSourceIp('10.0.0.5', 'garbage, 10.2.2.2', trusted), '10.2.2.2', 'an unreadable entry stops the walk at the last trusted hop')
  t.equal(resolveSourceIp('10.0.0.5', '198.51.100.1:4711', trusted), '198.51.100.1', 'IPv4 with a port')
  t.equal(resolveSourceIp('10.0.0.5', '[2001:db8::7]:443', trusted), '2001:db8::7', 'bracketed IPv6 with a port')
  t.equal(resolveSourceIp('10.0.0.5', '2001:DB8::7', trusted), '2001:db8::7')
  t.equal(resolveSourceIp('10.0.0.5', '::ffff:198.51.100.1', trusted), '198.51.100.1', 'IPv4-mapped entry normalized')
  t.equal(resolveSourceIp('10.0.0.5', ' , ', trusted), '10.0.0.5', 'empty entries are skipped')
  t.equal(resolveSourceIp('10.0.0.5', '198.51.100.1', ipRanges([])), '10.0.0.5', 'no trusted proxies: the peer')
})

t.test('IPv4 callers are not matched by IPv6 ranges, nor IPv6 callers by IPv4 ranges', async (t) => {
  t.notOk(ipRanges(['::/0']).contains('127.0.0.1'))
  t.notOk(ipRanges(['::/0']).contains('::ffff:127.0.0.1'), 'mapped is IPv4')
  t.ok(ipRanges(['::/0']).contains('::1'))
  t.notOk(ipRanges(['0.0.0.0/0']).contains('::1'))
  t.ok(ipRanges(['0.0.0.0/0']).contains('10.0.0.1'))
})
