import { checkpointed, resumeFrom, type ConsumerOptions } from './checkpoints.ts'
import { EdgelogError } from './errors.ts'
import { streamHash, categoryOf } from './streams.ts'
import { awaitAtMost, createSharedTail, eventBytes as sizeOf, staleAfter, type TailMember } from './sharedTail.ts'
import type { EventList, EventReader, StoredEvent } from './types.ts'

/**
 * Subscriptions: catch-up reads from a position in pages, then live on one shared tail.
 *
 * Catching up, a subscription reads pages on its own (the most selective index), at its
 * consumer's pace, never holding more than one page (by `limit` and by MAX_PAGE_BYTES).
 * Once a read comes back short it joins the process's shared tail (sharedTail.ts): after
 * a commit the tail reads the new events once and offers them to every live subscriber,
 * which keeps what its filter matches in a small inbox. So a commit costs one read
 * however many subscribers there are, and a subscriber that matches nothing costs a
 * filter check per event. An inbox that grows past one page (the consumer is slower than
 * the log) is dropped and the subscriber goes back to reading on its own from the last
 * event it delivered: memory stays bounded, nothing is lost, lag is a number.
 *
 * Live wake-up: when this process is the sole writer (a local file, store.soleWriter),
 * the writer's commit signal triggers the tail at once. Otherwise (another process writes
 * the same database, or a Worker) nothing in memory sees every commit: live subscribers
 * and long polls wake every `pollIntervalMs` and share one poll of the process.
 */

const DEFAULT_IDLE_MS = 15_000

/** What a subscription delivers; all given parts must match. */
export interface SubscriptionFilter {
  /** one stream */
  stream?: string
  /** a category, optionally split into a consumer group (member of size) */
  category?: string
  member?: number
  size?: number
  /** any of these types */
  types?: string[]
  /** all of these tags */
  tags?: string[]
}

/**
 * What ends a subscription or a wait: an AbortSignal, or anything with its `aborted` flag
 * and 'abort' listeners (the HTTP route's is one small object per subscriber, not an
 * AbortController with its EventTarget).
 */
export interface StopSignal {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void): void
  removeEventListener(type: 'abort', listener: () => void): void
}

export interface SubscribeOptions {
  /** first position to deliver (inclusive); positions start at 1 */
  from: number
  filter?: SubscriptionFilter
  /** events per read (and the most a subscription holds in memory) */
  pageSize?: number
  /** when live and idle this long, yield an empty batch (heartbeats, timed checkpoints) */
  idleMs?: number
  signal?: StopSignal
  /** end once everything committed so far is delivered, instead of staying live */
  untilCaughtUp?: boolean
  /** end after this many events */
  max?: number
  /** a named consumer: resume after its checkpoint, save it as batches are handled (checkpoints.ts) */
  consumer?: ConsumerOptions
}

export interface SubscriptionsOptions {
  reader: EventReader
  /** the writer's commit signal; only meaningful with `soleWriter` */
  onCommit?: (listener: (lastPosition: number) => void) => void
  /** the sole writer's committed events, as stored (CommitBackend.onCommitted): live subscribers get them without a read */
  onCommitted?: (listener: (events: () => StoredEvent[]) => void) => void
  /** applied to committed events before live subscribers get them, as the reader applies it to what it reads */
  openCommitted?: (events: StoredEvent[]) => StoredEvent[] | Promise<StoredEvent[]>
  /** true when every commit to the database passes through `onCommit` (sole writer) */
  soleWriter: boolean
  /** re-read interval when there is no live signal */
  pollIntervalMs?: number
  defaultPageSize?: number
  /** a read's byte budget (MAX_PAGE_BYTES): a page stops before it, always one event */
  maxPageBytes?: number
  /** most open subscriptions plus waiting long polls (MAX_SUBSCRIPTIONS); beyond it acquire() is a 503 */
  maxSubscriptions?: number
  /** applied to each batch as it is handed out: drops what was removed or erased since it was read (removals.ts) */
  deliverable?: (events: StoredEvent[]) => StoredEvent[]
}

/** A place among the capped subscriptions (see acquire); release it exactly once when done. */
export interface Slot {
  release(): void
}

/** Plain numbers for /metrics (gauges and counters); see docs/subscriptions.md. */
export interface SubscriptionStats {
  /** 'signal' when woken by in-process commits, 'poll' otherwise */
  mode: 'signal' | 'poll'
  /** gauge: open subscriptions */
  active: number
  /** gauge: subscriptions on the shared tail */
  live: number
  /** gauge: subscriptions reading on their own (catching up) */
  catchingUp: number
  /** counter: reads the shared tail made (one per page after a commit or poll, for all live subscribers) */
  tailReads: number
  /** counter: pages the shared tail fanned out */
  fanouts: number
  /** counter: payload bytes (stored data + metadata) handed to subscribers */
  bytesPushed: number
  /** gauge: subscription slots taken (SSE subscriptions and waiting long polls), at most MAX_SUBSCRIPTIONS */
  slots: number
  /** gauge: long polls waiting */
  waiting: number
  /** counter: subscriptions opened since start */
  opened: number
  /** counter: events handed to subscribers since start */
  eventsPushed: number
  /** counter: consumer checkpoints saved by subscriptions */
  checkpointsSaved: number
  /** counter: subscribers cut because they took nothing for the stall timeout */
  stalledDisconnects: number
  /** gauge: highest committed position this process has seen */
  head: number
  /** gauge: positions the furthest-behind subscription has left to scan (0 when all live) */
  maxLag: number
  /** gauge: sum of every subscription's lag */
  totalLag: number
}

type Wake = 'wake' | 'timeout' | 'closed'

interface Waiter {
  mark: number
  resolve: (w: Wake) => void
}

interface Sub {
  /** every position up to here has been scanned (delivered or filtered out) */
  scanned: number
  /** true while on the shared tail */
  live: boolean
}

/** What a live subscription's loop and its timers, abort listener and tail call. */
interface LiveCallbacks {
  wake(): void
  onTimer(): void
  onAbort(): void
  waitInbox(ms: number): Promise<void>
  read(): Promise<EventList>
}

const DEFAULT_POLL_MS = 500

/**
 * Live subscribers handed their inbox per turn of the event loop (see deliverSoon). Each
 * turn also takes the requests that arrived and the next commit, so a smaller slice gives
 * appends a larger share while subscribers receive everything, and each write carries more
 * events. 1,000 subscribers receiving every event (Node, 2 cores): 16 or 8 took ~5-15% more
 * appends than 64 at the same commit -> delivery p99 (~38 ms at one append every 50 ms).
 */
const DELIVERY_SLICE = 16

// setImmediate runs after pending I/O callbacks (appends that arrived meanwhile, their
// commit); Workers and Deno fall back to a 0 ms timer.
const nextTurn: (f: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (f) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(f)
    : (f) => setTimeout(f, 0)

/** Smallest revision of `stream` at or after `position`: a binary search over head + keyset reads. */
async function revisionAt(reader: EventReader, stream: string, position: number): Promise<number> {
  if (position <= 1) return 0
  const head = await reader.head(stream)
  if (!head) return 0
  if (head.position < position) return head.revision + 1
  let lo = 0
  let hi = head.revision
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const [e] = await reader.readStream(stream, { from: mid, limit: 1, direction: 'forward' })
    if (e && e.position >= position) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * In-process check of what the chosen SQL read does not apply: the read goes by stream,
 * else by category (+ group), else over all with types and tags; the rest is checked here.
 */
function matcher(filter: SubscriptionFilter, from: number): (e: StoredEvent) => boolean {
  const { stream, category, member, size } = filter
  const bySql = stream !== undefined ? 'stream' : category !== undefined ? 'category' : 'all'
  const types = bySql !== 'all' && filter.types?.length ? new Set(filter.types) : undefined
  const tags = bySql !== 'all' && filter.tags?.length ? filter.tags : undefined
  const group = bySql === 'stream' && size !== undefined && member !== undefined
  const inCategory = bySql === 'stream' && category !== undefined
  return (e) =>
    e.position >= from &&
    (!inCategory || (e.stream !== null && categoryOf(e.stream) === category)) &&
    (!group || (e.stream !== null && streamHash(e.stream) % size! === member)) &&
    (types === undefined || types.has(e.type)) &&
    (tags === undefined || tags.every((t) => e.tags.includes(t)))
}

/** The whole filter, for events the shared tail read from the entire log. */
function fullMatcher(filter: SubscriptionFilter): (e: StoredEvent) => boolean {
  const { stream, category, member, size } = filter
  const types = filter.types?.length ? new Set(filter.types) : undefined
  const tags = filter.tags?.length ? filter.tags : undefined
  const group = size !== undefined && member !== undefined
  return (e) =>
    (stream === undefined || e.stream === stream) &&
    (category === undefined || (e.stream !== null && categoryOf(e.stream) === category)) &&
    (!group || (e.stream !== null && streamHash(e.stream) % size! === member)) &&
    (types === undefined || types.has(e.type)) &&
    (tags === undefined || tags.every((t) => e.tags.includes(t)))
}

/**
 * The subscription hub of one event log.
 * @example
 *   for await (const page of subs.subscribe({ from: 1, filter: { category: 'account' } })) handle(page)
 */
export function createSubscriptions(options: SubscriptionsOptions) {
  const { reader, soleWriter } = options
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS
  const defaultPageSize = options.defaultPageSize ?? 500
  const maxBytes = options.maxPageBytes
  const maxSlots = options.maxSubscriptions ?? Infinity
  const deliverable = options.deliverable ?? ((events: StoredEvent[]) => events)
  let slots = 0

  /** Takes a place among MAX_SUBSCRIPTIONS, or throws a 503 (Retry-After) when there is none. */
  function acquire(): Slot {
    if (slots >= maxSlots) {
      throw new EdgelogError({
        status: 503,
        kind: 'too-many-subscriptions',
        title: 'Too many subscriptions',
        detail: `This server holds its maximum of ${maxSlots} subscriptions and long polls (MAX_SUBSCRIPTIONS); retry shortly, or read pages without wait.`,
        extensions: { maxSubscriptions: maxSlots },
        headers: { 'Retry-After': '1' },
      })
    }
    slots++
    let held = true
    return {
      release() {
        if (held) slots--
        held = false
      },
    }
  }
  let head = 0
  let closed = false
  const waiters = new Set<Waiter>()
  const subs = new Set<Sub>()
  const counters = { opened: 0, eventsPushed: 0, bytesPushed: 0, waiting: 0, checkpointsSaved: 0, stalledDisconnects: 0, fanouts: 0 }
  const closeListeners = new Set<() => void>()
  const fanoutListeners: Array<(ms: number, events: number) => void> = []
  /** wakes every live subscriber waiting on its inbox (shutdown) */
  const inboxWakers = new Set<() => void>()

  // Live delivery in turns (sole writer): a page only lands in the inboxes, and the live
  // subscribers it woke are handed their inbox DELIVERY_SLICE at a time, one slice per turn
  // of the event loop. Commits run in between (the writer goes by setImmediate too), and
  // whatever lands in the inbox of a subscriber still waiting for its turn goes out with
  // what it had: under load a subscriber writes once per turn of the whole fan-out, not
  // once per commit (each write is a syscall). Poll mode (Workers) wakes at once, as a
  // timer there belongs to one request.
  const ready = new Set<() => void>()
  let draining = false
  const drain = () => {
    let n = 0
    for (const w of ready) {
      ready.delete(w)
      w()
      if (++n === DELIVERY_SLICE) break
    }
    if (ready.size) nextTurn(drain)
    else draining = false
  }
  const deliverSoon = (w: () => void) => {
    if (!soleWriter) return w()
    ready.add(w)
    if (draining) return
    draining = true
    // the first slice right after the page is offered to everyone (this turn)
    queueMicrotask(drain)
  }

  function delivered(events: StoredEvent[]) {
    counters.eventsPushed += events.length
    for (const e of events) counters.bytesPushed += sizeOf(e) - 160
  }

  /** Something up to `position` is committed: long polls waiting below it re-read. */
  const advance = (position: number) => {
    if (position <= head) return
    head = position
    for (const w of waiters) if (w.mark < position) w.resolve('wake')
  }
  const tail = createSharedTail({
    reader,
    pageSize: defaultPageSize,
    maxBytes,
    pollIntervalMs,
    head: () => head,
    exactHead: soleWriter && options.onCommit !== undefined,
    open: options.openCommitted,
    onPage(events, ms) {
      advance(events[events.length - 1].position)
      counters.fanouts++
      for (const l of fanoutListeners) l(ms, events.length)
    },
  })
  if (soleWriter && options.onCommit) {
    options.onCommitted?.((events) => tail.committed(events))
    options.onCommit((last) => {
      advance(last)
      tail.kick()
    })
  }
  // The highest position any read has seen is committed: without a signal that is all the
  // head is (a lower bound); with one, it is how a new process learns the log it opened
  // (the signal tells only of commits since).
  const seen = (position: number) => advance(position)

  // Poll mode, nobody live: long polls still share one look at the head per interval.
  let headCheck: Promise<void> | undefined
  let lastHeadCheck = 0
  function pollHead(): Promise<void> {
    if (tail.size) return tail.poll()
    // As the shared tail's poll: another request's check is awaited only so long (Workers).
    const staleMs = staleAfter(pollIntervalMs)
    if (headCheck && performance.now() - lastHeadCheck < staleMs) return awaitAtMost(headCheck, staleMs)
    if (performance.now() - lastHeadCheck < pollIntervalMs / 2) return Promise.resolve()
    lastHeadCheck = performance.now()
    const check: Promise<void> = reader
      .lastPosition()
      .then(advance, () => {})
      .finally(() => {
        if (headCheck === check) headCheck = undefined
      })
    headCheck = check
    return awaitAtMost(check, staleMs)
  }

  /**
   * Resolves when something may have been committed after `mark` ('wake': re-read), after
   * `timeoutMs` ('timeout'), or when the hub closes or `signal` aborts ('closed').
   * Without a live signal the process polls (one poll for all waiters) every pollIntervalMs.
   */
  function wait(mark: number, timeoutMs: number, signal?: StopSignal): Promise<Wake> {
    if (closed || signal?.aborted) return Promise.resolve('closed')
    if (head > mark) return Promise.resolve('wake')
    return new Promise<Wake>((resolve) => {
      let done = false
      let pollTimer: ReturnType<typeof setTimeout> | undefined
      const finish = (w: Wake) => {
        if (done) return
        done = true
        clearTimeout(timer)
        clearTimeout(pollTimer)
        signal?.removeEventListener('abort', onAbort)
        waiters.delete(waiter)
        counters.waiting--
        resolve(w)
      }
      const onAbort = () => finish('closed')
      const waiter: Waiter = { mark, resolve: finish }
      const timer = setTimeout(() => finish('timeout'), Math.max(0, timeoutMs))
      const poll = () => {
        pollTimer = setTimeout(() => {
          void pollHead().then(() => {
            if (!done) poll()
          })
        }, pollIntervalMs)
      }
      if (!soleWriter) poll()
      counters.waiting++
      waiters.add(waiter)
      signal?.addEventListener('abort', onAbort)
    })
  }

  /**
   * Batches of events from `opts.from` on: catch-up pages, then live ones (an empty batch
   * when idle for `idleMs`). With `consumer`, it starts after that consumer's checkpoint
   * and saves it as batches are handled; with `max`, it ends after that many events.
   */
  function subscribe(opts: SubscribeOptions): AsyncGenerator<StoredEvent[], void, undefined> {
    const { consumer } = opts
    if (!consumer && opts.max === undefined) return pages(opts)
    return (async function* () {
      const from = consumer && consumer.resume !== false ? await resumeFrom(consumer.store, consumer.name, opts.from) : opts.from
      const idleMs = Math.min(opts.idleMs ?? DEFAULT_IDLE_MS, consumer?.everyMs ?? Infinity)
      yield* checkpointed(pages({ ...opts, from, idleMs }), {
        from,
        consumer,
        max: opts.max,
        untilCaughtUp: opts.untilCaughtUp,
        closed: () => closed,
        onSave: () => counters.checkpointsSaved++,
      })
    })()
  }

  async function* pages(opts: SubscribeOptions): AsyncGenerator<StoredEvent[], void, undefined> {
    const filter = opts.filter ?? {}
    const from = Math.max(1, opts.from)
    const pageSize = opts.pageSize ?? defaultPageSize
    const idleMs = opts.idleMs ?? DEFAULT_IDLE_MS
    const { signal } = opts
    const match = matcher(filter, from)
    const matchAll = fullMatcher(filter)

    // Live: the shared tail offers pages; this subscriber keeps its matches in a bounded inbox.
    let inbox: StoredEvent[] = []
    // the tail's array the inbox may be (never modified: copied before a push)
    let sharedInbox: StoredEvent[] | undefined
    // a category and nothing else: every event the tail offers this subscriber matches
    const wholeCategory =
      filter.category !== undefined && filter.stream === undefined && filter.size === undefined && !filter.types?.length && !filter.tags?.length
    let inboxBytes = 0
    let overflow = false
    let wakeInbox: (() => void) | undefined
    // One idle timer per subscriber, moved only when a wait ends sooner than it: a subscriber
    // woken by every commit does not arm and clear a timer per delivery (waking early is
    // harmless: the loop looks again and waits on).
    let timer: ReturnType<typeof setTimeout> | undefined
    let timerAt = 0
    // A flag, not signal.aborted: that getter validates its receiver, and the loops below
    // ask on every delivery of every subscriber.
    let aborted = signal?.aborted ?? false
    let cursor = from
    let revision = 0
    // The subscription's own record is its tail membership too, and its callbacks are methods
    // of it: one object, no getter (an object literal with accessors is a dictionary) and no
    // named closures (under tsx each gets a property store of its own). A thousand idle
    // subscribers add up.
    const sub: Sub & TailMember & LiveCallbacks = {
      scanned: from - 1,
      live: false,
      category: filter.category ?? (filter.stream !== undefined ? categoryOf(filter.stream) : undefined),
      offer(events, upTo, bytes) {
        if (overflow) return
        if (wholeCategory && events[0].position > sub.scanned) {
          // All of it is new and matches (the tail offers a category's own events): the
          // tail's array itself, shared with every subscriber of the category, copied only
          // before something is added to it.
          if (!inbox.length) inbox = sharedInbox = events
          else {
            if (inbox === sharedInbox) inbox = inbox.slice()
            for (const e of events) inbox.push(e)
          }
          inboxBytes += bytes
        } else {
          if (inbox === sharedInbox) inbox = inbox.slice()
          for (const e of events) {
            if (e.position > sub.scanned && matchAll(e)) {
              inbox.push(e)
              inboxBytes += sizeOf(e)
            }
          }
        }
        if (upTo > sub.scanned) sub.scanned = upTo
        // Slower than the log: stop buffering, read from the database again (nothing lost).
        if (inbox.length > pageSize || (maxBytes !== undefined && inboxBytes > maxBytes)) {
          overflow = true
          tail.leave(sub)
        }
        if (overflow) sub.wake()
        else if (inbox.length && wakeInbox) deliverSoon(sub.wake)
      },
      evict() {
        overflow = true
        sub.wake()
      },
      wake() {
        const w = wakeInbox
        wakeInbox = undefined
        w?.()
      },
      onTimer() {
        timer = undefined
        sub.wake()
      },
      onAbort() {
        aborted = true
        sub.wake()
      },
      waitInbox(ms) {
        return new Promise<void>((resolve) => {
          wakeInbox = resolve
          const at = Date.now() + Math.max(0, ms)
          if (timer === undefined || timerAt > at) {
            clearTimeout(timer)
            timerAt = at
            timer = setTimeout(sub.onTimer, Math.max(0, ms))
          }
        })
      },
      // The most selective index does the reading; the matcher checks the rest.
      read() {
        return filter.stream !== undefined
          ? reader.readStream(filter.stream, { from: revision, limit: pageSize, direction: 'forward', maxBytes })
          : filter.category !== undefined
            ? reader.readCategory(filter.category, { from: cursor, limit: pageSize, member: filter.member, size: filter.size, maxBytes })
            : reader.readAll({ from: cursor, limit: pageSize, types: filter.types, tags: filter.tags, maxBytes })
      },
    }
    inboxWakers.add(sub.wake)
    signal?.addEventListener('abort', sub.onAbort)

    subs.add(sub)
    counters.opened++
    try {
      if (filter.stream !== undefined) revision = await revisionAt(reader, filter.stream, from)
      let idleSince = Date.now()
      while (!closed && !aborted) {
        // Catching up, on its own. `mark` is taken before the read: everything committed up
        // to it is scanned once the read comes back short.
        const mark = head
        const raw = await sub.read()
        if (raw.length) {
          const last = raw[raw.length - 1]
          cursor = last.position + 1
          if (last.revision !== null) revision = last.revision + 1
          sub.scanned = last.position
          seen(last.position)
          const events = deliverable(raw.filter(match))
          if (events.length) {
            delivered(events)
            idleSince = Date.now()
            yield events
          }
          if (raw.length === pageSize || raw.cut) continue // catching up: read the next page at once
        }
        if (opts.untilCaughtUp) return
        if (mark > sub.scanned) sub.scanned = mark
        if (closed || aborted) return
        // At the head: join the shared tail, unless it already moved past what we scanned. The
        // local driver's reads settle at once: read again after a turn of the event loop, so a
        // tail that stays ahead can never starve the process (once a hang at 100% CPU).
        if (!tail.join(sub)) {
          await new Promise<void>(nextTurn)
          continue
        }
        sub.live = true
        while (!closed && !aborted) {
          if (inbox.length) {
            let n = 0
            let bytes = 0
            while (n < inbox.length && n < pageSize && (n === 0 || maxBytes === undefined || bytes + sizeOf(inbox[n]) <= maxBytes)) bytes += sizeOf(inbox[n++])
            const batch = n === inbox.length ? inbox : inbox.slice(0, n)
            inbox = n === inbox.length ? [] : inbox.slice(n)
            inboxBytes -= bytes
            const last = batch[batch.length - 1]
            cursor = last.position + 1
            if (last.revision !== null) revision = last.revision + 1
            // buffered before a removal or erasure that committed since: filtered now
            const out = deliverable(batch)
            if (!out.length) continue
            delivered(out)
            idleSince = Date.now()
            yield out
            continue
          }
          if (overflow) break
          const left = idleMs - (Date.now() - idleSince)
          if (left <= 0) {
            idleSince = Date.now()
            yield []
            continue
          }
          await sub.waitInbox(soleWriter ? left : Math.min(left, pollIntervalMs))
          if (!soleWriter && !inbox.length && !overflow) await tail.poll()
        }
        // Back to reading on its own, from the last event delivered. Pages of other
        // categories were not offered to it: everything up to the tail's position is scanned.
        if (!overflow && tail.position > sub.scanned) sub.scanned = tail.position
        tail.leave(sub)
        sub.live = false
        if (overflow) {
          if (inbox.length) {
            sub.scanned = inbox[0].position - 1
            if (inbox[0].revision !== null) revision = inbox[0].revision
          }
          cursor = sub.scanned + 1
          inbox = []
          inboxBytes = 0
          overflow = false
        }
      }
    } finally {
      clearTimeout(timer)
      inboxWakers.delete(sub.wake)
      ready.delete(sub.wake)
      signal?.removeEventListener('abort', sub.onAbort)
      tail.leave(sub)
      subs.delete(sub)
    }
  }

  return {
    /** true when commits in this process wake subscribers; false: they poll */
    soleWriter,
    pollIntervalMs,
    subscribe,

    /**
     * Long poll: `read()` until it returns something, waiting for commits in between, for at
     * most `waitMs`. Returns the last (possibly empty) result.
     */
    async readWhenAvailable<T>(read: () => Promise<T[]>, waitMs: number, signal?: StopSignal): Promise<T[]> {
      const deadline = Date.now() + waitMs
      // A long poll takes a subscription slot only once it has to wait (a 503 when full).
      let slot: Slot | undefined
      try {
        for (;;) {
          const mark = head
          const rows = await read()
          const left = deadline - Date.now()
          if (rows.length || left <= 0) return rows
          slot ??= acquire()
          if ((await wait(mark, left, signal)) === 'closed') return rows
        }
      } finally {
        slot?.release()
      }
    },

    acquire,

    /** Calls `listener` once when the hub closes (shutdown); returns an unsubscribe. */
    onClose(listener: () => void): () => void {
      if (closed) {
        listener()
        return () => {}
      }
      closeListeners.add(listener)
      return () => closeListeners.delete(listener)
    },

    /** Counts a transport-level happening for stats(). */
    note(kind: 'stalled'): void {
      if (kind === 'stalled') counters.stalledDisconnects++
    },

    get closed() {
      return closed
    },

    /** Called for each page the shared tail fans out, with the ms from the trigger to every live subscriber holding it. */
    onFanout(listener: (ms: number, events: number) => void): void {
      fanoutListeners.push(listener)
    },

    stats(): SubscriptionStats {
      let maxLag = 0
      let totalLag = 0
      let live = 0
      for (const s of subs) {
        if (s.live) live++
        const scanned = s.live ? Math.max(s.scanned, tail.position) : s.scanned
        const lag = Math.max(0, head - scanned)
        totalLag += lag
        if (lag > maxLag) maxLag = lag
      }
      return {
        mode: soleWriter ? 'signal' : 'poll',
        active: subs.size,
        live,
        catchingUp: subs.size - live,
        slots,
        tailReads: tail.reads,
        fanouts: counters.fanouts,
        bytesPushed: counters.bytesPushed,
        waiting: counters.waiting,
        opened: counters.opened,
        eventsPushed: counters.eventsPushed,
        checkpointsSaved: counters.checkpointsSaved,
        stalledDisconnects: counters.stalledDisconnects,
        head,
        maxLag,
        totalLag,
      }
    },

    /** Ends every subscription and long poll (shutdown): they finish their current page and return. */
    close(): void {
      if (closed) return
      closed = true
      for (const w of [...waiters]) w.resolve('closed')
      for (const w of [...inboxWakers]) w()
      for (const l of closeListeners) l()
      closeListeners.clear()
    },
  }
}

export type Subscriptions = ReturnType<typeof createSubscriptions>
