// Deadline lists: calls expire in order at their own deadline, settled calls never expire,
// lists of different timeout values run independently, and the timer does not keep the
// process alive.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { Deadlines, type DeadlineList, type Expirable } from './deadlines.js'

class Call implements Expirable {
  deadline = 0
  prevDeadline: Expirable | null = null
  nextDeadline: Expirable | null = null
  deadlines: DeadlineList | null = null
  expiredAt = -1
  constructor(readonly name: string, readonly log: string[]) {}
  expire(): void {
    this.expiredAt = performance.now()
    this.log.push(this.name)
  }
}

t.test('calls expire at their deadline, in order; removed calls never do', async (t) => {
  const deadlines = new Deadlines()
  t.teardown(() => deadlines.close())
  const list = deadlines.list(150)
  t.equal(deadlines.list(150), list, 'one list per timeout value')
  const log: string[] = []
  const started = performance.now()
  const a = new Call('a', log)
  const b = new Call('b', log)
  const c = new Call('c', log)
  list.add(a)
  await sleep(100)
  const cAdded = performance.now()
  list.add(b)
  list.add(c)
  list.remove(b)
  t.equal(list.size, 2)
  await sleep(100)
  t.same(log, ['a'], 'a expired first, b was removed, c not due yet')
  t.ok(a.expiredAt - started >= 149, `a expired after its timeout (${(a.expiredAt - started).toFixed(1)} ms)`)
  await sleep(150)
  t.same(log, ['a', 'c'])
  t.ok(c.expiredAt - cAdded >= 149, 'c expired at its own deadline')
  t.equal(list.size, 0)
  t.equal(a.deadlines, null, 'an expired call is out of its list')
})

t.test('removing the head, the tail or a middle call keeps the list linked', async (t) => {
  const deadlines = new Deadlines()
  t.teardown(() => deadlines.close())
  const list = deadlines.list(30)
  const log: string[] = []
  const calls = ['a', 'b', 'c', 'd', 'e'].map((n) => new Call(n, log))
  for (const call of calls) list.add(call)
  list.remove(calls[0]!)
  list.remove(calls[2]!)
  list.remove(calls[4]!)
  list.remove(calls[4]!)
  t.equal(list.size, 2)
  await sleep(60)
  t.same(log, ['b', 'd'])
})

t.test('lists of different timeouts are independent', async (t) => {
  const deadlines = new Deadlines()
  t.teardown(() => deadlines.close())
  const log: string[] = []
  deadlines.list(200).add(new Call('slow', log))
  deadlines.list(20).add(new Call('fast', log))
  await sleep(100)
  t.same(log, ['fast'])
  await sleep(150)
  t.same(log, ['fast', 'slow'])
})

t.test('a list emptied early re-arms for the next call', async (t) => {
  const deadlines = new Deadlines()
  t.teardown(() => deadlines.close())
  const list = deadlines.list(100)
  const log: string[] = []
  const first = new Call('first', log)
  list.add(first)
  list.remove(first)
  await sleep(50)
  const second = new Call('second', log)
  list.add(second)
  await sleep(75)
  t.same(log, [], 'the timer armed for the first call fired early for the second and re-armed')
  await sleep(100)
  t.same(log, ['second'])
})

t.test('the timer does not keep the process alive', async (t) => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
  const before = timers()
  const deadlines = new Deadlines()
  t.teardown(() => deadlines.close())
  deadlines.list(60_000).add(new Call('idle', []))
  t.equal(timers(), before, 'no ref\'d timer was added')
})
