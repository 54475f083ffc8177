// Integration timeouts without a Node timer per upstream call.
//
// HOT PATH — change with care: every upstream call is added here and removed when its response
// headers arrive.
//
// Every call of one integration timeout value gets its deadline `now + timeoutMs` in the order
// calls start, so a FIFO list per timeout value is also sorted by deadline. Adding a call
// appends it to its list, settling it unlinks it (O(1), no allocation: the calls are the list
// nodes). One unref'd Node timer per list is armed for the head's deadline; when it fires, every
// expired call is timed out and the timer is re-armed for the new head. A head that settled early
// leaves the timer armed for its deadline; it then fires once, finds nothing due and re-arms, so
// under steady traffic a list costs about one timer firing per `timeoutMs`.
//
// The semantics are those of a `setTimeout(timeoutMs)` started with the call: the deadline
// covers waiting for a pool connection, connecting, sending the request and waiting for the
// response headers. Time is `performance.now()` (monotonic).
import { performance } from 'node:perf_hooks'

/** A call that can time out: it is its own list node. */
export interface Expirable {
  /** Set by the queue: when the call times out (performance.now() ms). */
  deadline: number
  prevDeadline: Expirable | null
  nextDeadline: Expirable | null
  /** The list the call is in, null once settled or expired. */
  deadlines: DeadlineList | null
  /** Called once, when the deadline passed before the call was removed. */
  expire(): void
}

/** The calls of one timeout value, in deadline order. */
export class DeadlineList {
  private head: Expirable | null = null
  private tail: Expirable | null = null
  private timer: NodeJS.Timeout | null = null
  /** The deadline the timer is armed for (-1: not armed). */
  private armedFor = -1

  constructor(readonly timeoutMs: number) {}

  /** Starts the clock of a call. */
  add(call: Expirable): void {
    call.deadline = performance.now() + this.timeoutMs
    call.deadlines = this
    call.nextDeadline = null
    call.prevDeadline = this.tail
    if (this.tail === null) this.head = call
    else this.tail.nextDeadline = call
    this.tail = call
    if (this.armedFor === -1) this.arm(call.deadline)
  }

  /** Stops the clock of a call (response headers arrived, call failed or abandoned). */
  remove(call: Expirable): void {
    if (call.deadlines !== this) return
    const { prevDeadline: prev, nextDeadline: next } = call
    if (prev === null) this.head = next
    else prev.nextDeadline = next
    if (next === null) this.tail = prev
    else next.prevDeadline = prev
    call.prevDeadline = call.nextDeadline = null
    call.deadlines = null
  }

  get size(): number {
    let n = 0
    for (let c = this.head; c !== null; c = c.nextDeadline) n++
    return n
  }

  /** Clears the timer (gateway shutdown); calls still listed no longer time out. */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.armedFor = -1
  }

  private arm(deadline: number): void {
    this.armedFor = deadline
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(deadline - performance.now())))
    this.timer.unref()
  }

  private readonly onTimer = (): void => {
    this.armedFor = -1
    const now = performance.now()
    let call = this.head
    while (call !== null && call.deadline <= now) {
      this.remove(call)
      call.expire()
      call = this.head
    }
    if (call !== null) this.arm(call.deadline)
  }
}

/** The deadline lists of a gateway, one per integration timeout value. */
export class Deadlines {
  private readonly lists = new Map<number, DeadlineList>()

  list(timeoutMs: number): DeadlineList {
    let list = this.lists.get(timeoutMs)
    if (list === undefined) this.lists.set(timeoutMs, (list = new DeadlineList(timeoutMs)))
    return list
  }

  close(): void {
    for (const list of this.lists.values()) list.close()
  }
}
