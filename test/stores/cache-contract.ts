// The contract every ResponseCacheStore keeps, run against MemoryCacheStore and RedisCacheStore
// (test/stores/memory-cache.test.ts, redis-cache.test.ts). The fixture's clock is the store's
// injected `now`.
import type { Test } from 'tap'
import type { ResponseCacheStore } from '../../proxy/stores/cache.js'

export interface CacheFixture {
  readonly store: ResponseCacheStore
  setTime(ms: number): void
  close(): Promise<void>
}

let unique = 0
function fresh(what: string): string {
  return `${what}-${process.pid}-${++unique}`
}

const T0 = Date.UTC(2031, 4, 14, 12, 0, 0)
const MB = 1024 * 1024
const value = (fill: string, bytes: number) => Buffer.alloc(bytes, fill)

export function cacheContract(t: Test, make: () => Promise<CacheFixture>): void {
  let fx: CacheFixture
  t.before(async () => {
    fx = await make()
  })
  t.teardown(async () => fx.close())

  t.test('a stored value comes back byte for byte; other keys and spaces see nothing', async (t) => {
    fx.setTime(T0)
    const space = fresh('s')
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    t.equal(await fx.store.set(space, 'k', bytes, 60_000, MB), true)
    t.same(await fx.store.get(space, 'k'), bytes)
    t.equal(await fx.store.get(space, 'other'), null)
    t.equal(await fx.store.get(fresh('s'), 'k'), null, 'another space')
  })

  t.test('an entry expires after its TTL on the store clock', async (t) => {
    fx.setTime(T0)
    const space = fresh('s')
    await fx.store.set(space, 'k', value('a', 10), 5_000, MB)
    fx.setTime(T0 + 4_999)
    t.ok(await fx.store.get(space, 'k'), 'alive 1 ms before')
    fx.setTime(T0 + 5_000)
    t.equal(await fx.store.get(space, 'k'), null, 'gone at the TTL')
    t.equal(await fx.store.usedBytes(space), 0, 'its bytes are released')
  })

  t.test('capacity: the least recently used entries are evicted so the space stays within it', async (t) => {
    fx.setTime(T0)
    const space = fresh('s')
    const cap = 3 * 101 // three entries of key 1 byte + 100 bytes
    for (const k of ['a', 'b', 'c']) {
      t.equal(await fx.store.set(space, k, value(k, 100), 60_000, cap), true)
      fx.setTime(T0 + 10 * k.charCodeAt(0))
    }
    fx.setTime(T0 + 2000)
    t.ok(await fx.store.get(space, 'a'), 'a is used again: b is now the least recently used')
    fx.setTime(T0 + 3000)
    await fx.store.set(space, 'd', value('d', 100), 60_000, cap)
    t.equal(await fx.store.get(space, 'b'), null, 'b evicted')
    for (const k of ['a', 'c', 'd']) t.ok(await fx.store.get(space, k), `${k} kept`)
    t.ok((await fx.store.usedBytes(space)) <= cap, 'within capacity')
    fx.setTime(T0 + 4000)
    await fx.store.set(space, 'e', value('e', 250), 60_000, cap)
    t.ok((await fx.store.usedBytes(space)) <= cap, 'a large entry evicts several')
    t.ok(await fx.store.get(space, 'e'))
  })

  t.test('a value larger than the capacity is not stored and evicts nothing', async (t) => {
    fx.setTime(T0)
    const space = fresh('s')
    await fx.store.set(space, 'small', value('s', 10), 60_000, 100)
    t.equal(await fx.store.set(space, 'big', value('b', 200), 60_000, 100), false)
    t.equal(await fx.store.get(space, 'big'), null)
    t.ok(await fx.store.get(space, 'small'))
  })

  t.test('overwriting an entry replaces it and its size', async (t) => {
    fx.setTime(T0)
    const space = fresh('s')
    await fx.store.set(space, 'k', value('1', 100), 60_000, MB)
    await fx.store.set(space, 'k', value('2', 10), 60_000, MB)
    t.same(await fx.store.get(space, 'k'), value('2', 10))
    t.equal(await fx.store.usedBytes(space), 11)
  })

  t.test('delete removes one entry', async (t) => {
    fx.setTime(T0)
    const space = fresh('s')
    await fx.store.set(space, 'k', value('1', 10), 60_000, MB)
    await fx.store.set(space, 'j', value('2', 10), 60_000, MB)
    await fx.store.delete(space, 'k')
    t.equal(await fx.store.get(space, 'k'), null)
    t.ok(await fx.store.get(space, 'j'))
  })

  t.test('flush drops every entry of one space, and the space works afterwards', async (t) => {
    fx.setTime(T0)
    const space = fresh('s')
    const other = fresh('s')
    for (let i = 0; i < 50; i++) await fx.store.set(space, `k${i}`, value('x', 10), 60_000, MB)
    await fx.store.set(other, 'k0', value('y', 10), 60_000, MB)
    await fx.store.flush(space)
    for (let i = 0; i < 50; i++) t.equal(await fx.store.get(space, `k${i}`), null)
    t.equal(await fx.store.usedBytes(space), 0)
    t.ok(await fx.store.get(other, 'k0'), 'other spaces keep theirs')
    await fx.store.set(space, 'k0', value('z', 10), 60_000, MB)
    t.same(await fx.store.get(space, 'k0'), value('z', 10))
  })

  // Stores in this process answer synchronously too (getNow); remote stores have no getNow.
  t.test('getNow, where a store has it: what get answers, the same Buffer until replaced, and a use for eviction', async (t) => {
    const store = fx.store
    if (store.getNow === undefined) {
      t.pass('no synchronous path (remote store)')
      return
    }
    fx.setTime(T0)
    const space = fresh('s')
    const cap = 3 * 101
    for (const k of ['a', 'b', 'c']) await store.set(space, k, value(k, 100), 60_000, cap)
    const first = store.getNow(space, 'c')
    t.same(first, value('c', 100))
    t.equal(store.getNow(space, 'c'), first, 'the same Buffer again')
    t.same(await store.get(space, 'c'), first)
    t.equal(store.getNow(space, 'nothing'), null)
    t.equal(store.getNow(fresh('s'), 'c'), null, 'another space')
    // Uses: a, then b; c is now the least recently used although it was the last one stored.
    store.getNow(space, 'a')
    store.getNow(space, 'b')
    await store.set(space, 'd', value('d', 100), 60_000, cap)
    t.equal(store.getNow(space, 'c'), null, 'c evicted')
    for (const k of ['a', 'b', 'd']) t.ok(store.getNow(space, k), `${k} kept`)
    // The entry last used is deleted: the next use of another entry still counts.
    await store.delete(space, 'd')
    store.getNow(space, 'a')
    await store.set(space, 'e', value('e', 100), 60_000, cap)
    await store.set(space, 'f', value('f', 100), 60_000, cap)
    t.equal(store.getNow(space, 'b'), null, 'b, the least recently used, evicted')
    t.ok(store.getNow(space, 'a'), 'a, used after b, kept')
    await store.set(space, 'a', value('z', 100), 60_000, cap)
    const replaced = store.getNow(space, 'a')
    t.same(replaced, value('z', 100))
    t.not(replaced, first)
    fx.setTime(T0 + 60_000)
    t.equal(store.getNow(space, 'a'), null, 'expired')
  })
}
