import { EdgelogError } from './errors.ts'
import { streamHash, categoryOf } from './streams.ts'
import type { EventList, EventReader, StoredEvent } from './types.ts'

/**
 * Subscriptions: catch-up reads from a position in pages, then live.
 *
 * Pull-based: a subscription never holds more than the one page its consumer is working
 * on. The hub pushes nothing into per-subscriber buffers; a commit only wakes subscribers,
 * which then re-read from their own last position. So a slow consumer costs no memory: it
 * simply stays in catch-up mode, reading pages at its own pace, until it reaches the head.
 * Lag is a number (positions behind the head), not a queue.
 *
 * Live wake-up: when this process is the sole writer (a local file, store.trustCache),
 * the writer's commit signal wakes subscribers at once. Otherwise (another process writes
 * the same database, or a Worker) nothing in memory sees every commit, so subscribers poll
 * at `pollIntervalMs`.
 */

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

export interface SubscribeOptions {
  /** first position to deliver (inclusive); positions start at 1 */
  from: number
  filter?: SubscriptionFilter
  /** events per read (and the most a subscription holds in memory) */
  pageSize?: number
  /** when live and idle this long, yield an empty batch (heartbeats, timed checkpoints) */
  idleMs?: number
  signal?: AbortSignal
  /** end once everything committed so far is delivered, instead of staying live */
  untilCaughtUp?: boolean
}

export interface SubscriptionsOptions {
  reader: EventReader
  /** the writer's commit signal; only meaningful with `liveSignal` */
  onCommit?: (listener: (lastPosition: number) => void) => void
  /** true when every commit to the database passes through `onCommit` (sole writer) */
  liveSignal: boolean
  /** re-read interval when there is no live signal */
  pollIntervalMs?: number
  defaultPageSize?: number
  /** a read's byte budget (MAX_PAGE_BYTES): a page stops before it, always one event */
  maxPageBytes?: number
  /** most open subscriptions plus waiting long polls (MAX_SUBSCRIPTIONS); beyond it acquire() is a 503 */
  maxSubscriptions?: number
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
}

const DEFAULT_POLL_MS = 500

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

/**
 * The subscription hub of one event log.
 * @example
 *   for await (const page of subs.subscribe({ from: 1, filter: { category: 'account' } })) handle(page)
 */
export function createSubscriptions(options: SubscriptionsOptions) {
  const { reader, liveSignal } = options
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS
  const defaultPageSize = options.defaultPageSize ?? 500
  const maxBytes = options.maxPageBytes
  const maxSlots = options.maxSubscriptions ?? Infinity
  let slots = 0

  /** Takes a place among MAX_SUBSCRIPTIONS, or throws a 503 (Retry-After) when there is none. */
  function acquire(): Slot {
    if (slots >= maxSlots) {
      throw new EdgelogError(
        503,
        'too-many-subscriptions',
        'Too many subscriptions',
        `This server holds its maximum of ${maxSlots} subscriptions and long polls (MAX_SUBSCRIPTIONS); retry shortly, or read pages without wait.`,
        { maxSubscriptions: maxSlots },
        { 'Retry-After': '1' },
      )
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
  const counters = { opened: 0, eventsPushed: 0, waiting: 0, checkpointsSaved: 0, stalledDisconnects: 0 }
  const closeListeners = new Set<() => void>()

  if (liveSignal && options.onCommit) {
    options.onCommit((last) => {
      if (last > head) head = last
      for (const w of waiters) if (w.mark < last) w.resolve('wake')
    })
  }
  // Without a signal, the head is the highest position any read has seen (a lower bound).
  const seen = (position: number) => {
    if (!liveSignal && position > head) head = position
  }

  /**
   * Resolves when something may have been committed after `mark` ('wake': re-read), after
   * `timeoutMs` ('timeout'), or when the hub closes or `signal` aborts ('closed').
   * Without a live signal every wait is a poll: 'wake' after pollIntervalMs.
   */
  function wait(mark: number, timeoutMs: number, signal?: AbortSignal): Promise<Wake> {
    if (closed || signal?.aborted) return Promise.resolve('closed')
    if (liveSignal && head > mark) return Promise.resolve('wake')
    return new Promise<Wake>((resolve) => {
      const poll = !liveSignal && pollIntervalMs < timeoutMs
      let done = false
      const finish = (w: Wake) => {
        if (done) return
        done = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        waiters.delete(waiter)
        counters.waiting--
        resolve(w)
      }
      const onAbort = () => finish('closed')
      const waiter: Waiter = { mark, resolve: finish }
      const timer = setTimeout(() => finish(poll ? 'wake' : 'timeout'), poll ? pollIntervalMs : Math.max(0, timeoutMs))
      counters.waiting++
      waiters.add(waiter)
      signal?.addEventListener('abort', onAbort)
    })
  }

  async function* subscribe(opts: SubscribeOptions): AsyncGenerator<StoredEvent[], void, undefined> {
    const filter = opts.filter ?? {}
    const from = Math.max(1, opts.from)
    const pageSize = opts.pageSize ?? defaultPageSize
    const idleMs = opts.idleMs ?? 15_000
    const { signal } = opts
    const match = matcher(filter, from)
    const sub: Sub = { scanned: from - 1 }
    subs.add(sub)
    counters.opened++
    try {
      let cursor = from
      let revision = filter.stream !== undefined ? await revisionAt(reader, filter.stream, from) : 0
      // The most selective index does the reading; the matcher checks the rest.
      const read = (): Promise<EventList> =>
        filter.stream !== undefined
          ? reader.readStream(filter.stream, { from: revision, limit: pageSize, direction: 'forward', maxBytes })
          : filter.category !== undefined
            ? reader.readCategory(filter.category, { from: cursor, limit: pageSize, member: filter.member, size: filter.size, maxBytes })
            : reader.readAll({ from: cursor, limit: pageSize, types: filter.types, tags: filter.tags, maxBytes })
      let idleSince = Date.now()
      while (!closed && !signal?.aborted) {
        // Taken before the read: a commit that lands during the read still wakes us after it.
        const mark = head
        const raw = await read()
        if (raw.length) {
          const last = raw[raw.length - 1]
          cursor = last.position + 1
          if (last.revision !== null) revision = last.revision + 1
          sub.scanned = last.position
          seen(last.position)
          const events = raw.filter(match)
          if (events.length) {
            counters.eventsPushed += events.length
            idleSince = Date.now()
            yield events
          }
          if (raw.length === pageSize || raw.cut) continue // catching up: read the next page at once
        }
        if (opts.untilCaughtUp) return
        // Caught up: everything committed up to `mark` has been scanned.
        if (mark > sub.scanned) sub.scanned = mark
        const left = idleMs - (Date.now() - idleSince)
        if (left <= 0) {
          idleSince = Date.now()
          yield []
          continue
        }
        if ((await wait(mark, left, signal)) === 'closed') return
      }
    } finally {
      subs.delete(sub)
    }
  }

  return {
    /** true when commits in this process wake subscribers; false: they poll */
    liveSignal,
    pollIntervalMs,
    subscribe,

    /**
     * Long poll: `read()` until it returns something, waiting for commits in between, for at
     * most `waitMs`. Returns the last (possibly empty) result.
     */
    async readWhenAvailable<T>(read: () => Promise<T[]>, waitMs: number, signal?: AbortSignal): Promise<T[]> {
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
    note(kind: 'checkpoint' | 'stalled'): void {
      if (kind === 'checkpoint') counters.checkpointsSaved++
      else counters.stalledDisconnects++
    },

    get closed() {
      return closed
    },

    stats(): SubscriptionStats {
      let maxLag = 0
      let totalLag = 0
      for (const s of subs) {
        const lag = Math.max(0, head - s.scanned)
        totalLag += lag
        if (lag > maxLag) maxLag = lag
      }
      return {
        mode: liveSignal ? 'signal' : 'poll',
        active: subs.size,
        slots,
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
      for (const l of closeListeners) l()
      closeListeners.clear()
    },
  }
}

export type Subscriptions = ReturnType<typeof createSubscriptions>
