// The stage cache compiler: sizes, the key derivation, and that the Secret's value and the
// derived key never reach a status or a message.
import t from 'tap'
import { compile } from './index.js'
import { cacheEncryptionKey, parseCapacity } from './cache.js'
import { GOLDEN_OPTIONS, readCase } from './testdata/cases.js'

t.test('capacities are Kubernetes quantities', async (t) => {
  t.equal(parseCapacity('512Mi'), 512 * 2 ** 20)
  t.equal(parseCapacity('0.5Gi'), 2 ** 29)
  t.equal(parseCapacity('1G'), 1e9)
  t.equal(parseCapacity('4096'), 4096)
  t.equal(parseCapacity('lots'), undefined)
  t.equal(parseCapacity('0'), undefined, 'zero bytes is no cache')
  t.equal(parseCapacity('1Pi'), undefined)
})

t.test('the key is 32 bytes derived from the Secret, stable, and different per value', async (t) => {
  const a = cacheEncryptionKey('0123456789abcdef0123456789abcdef')
  t.equal(Buffer.from(a, 'base64').length, 32)
  t.equal(cacheEncryptionKey('0123456789abcdef0123456789abcdef'), a)
  t.not(cacheEncryptionKey('0123456789abcdef0123456789abcdeF'), a)
})

t.test('neither the Secret value nor the derived key appears in a status', async (t) => {
  const result = compile(readCase('stage-cache'), GOLDEN_OPTIONS)
  const key = result.config.apis.find((a) => a.name === 'default/shop')!.stages[0]!.cache!.encryptionKey!
  t.equal(key, cacheEncryptionKey('0123456789abcdef0123456789abcdef'))
  const statuses = JSON.stringify(result.statuses)
  t.notMatch(statuses, '0123456789abcdef0123456789abcdef')
  t.notMatch(statuses, key)
})
