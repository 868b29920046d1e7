import { categoryOf } from './streams.ts'
import type { EventReader, StoredEvent } from './types.ts'

/**
 * One shared tail per process: live subscribers do not read the database after a commit;
 * the tail offers the new events once (in pages within the byte budget) to every member,
 * which keeps what its filter matches. The sole writer hands over the events it committed
 * (`committed`), so a commit costs no read at all; the tail reads the database only when
 * what it holds does not continue where it stopped (a member joined behind it, a poll).
 *
 * Joining without a gap or a duplicate: `position` is the last position the tail has
 * offered. A subscriber that has scanned everything up to `scanned` on its own may join
 * only when `scanned >= position` (otherwise the tail already offered events it has not
 * seen, and it reads on by itself); from then on the tail offers everything after
 * `position`, contiguously, and the member drops what is at or below its own `scanned`.
 * The check and the join happen in one synchronous step, so no page can slip between.
 */
export interface TailMember {
  /**
   * every position up to here was scanned by this member. Pages with nothing of its
   * category are not offered to it, so while it is a member the tail's `position` counts too.
   */
  scanned: number
  /** only events of this category can match (a category or stream filter); undefined: any */
  readonly category?: string
  /**
   * A page of the tail (`upTo` is its last position; `bytes` the events' eventBytes). Every
   * member of a category gets the same array: it is shared, and never modified.
   */
  offer(events: StoredEvent[], upTo: number, bytes: number): void
  /** the tail could not read: the member goes back to reading on its own */
  evict(): void
}

export interface SharedTailOptions {
  reader: EventReader
  pageSize: number
  maxBytes?: number
  /** poll mode: the shortest interval between two polls of the process */
  pollIntervalMs: number
  /** the highest position known to be committed (commit signal or reads) */
  head: () => number
  /**
   * true when `head` is exact: the sole writer's commit signal passes every commit. Then the
   * tail reads the database only for what it was not handed (`committed`); otherwise every
   * trigger is a read.
   */
  exactHead?: boolean
  /** each page offered, with the ms from the trigger (commit or poll) to every member having it */
  onPage?: (events: StoredEvent[], fanoutMs: number) => void
  /**
   * Applied to committed events before they are offered, as the reader applies it to what
   * it reads (subject payloads opened: lifecycleSubjects.ts). Default: as they are.
   */
  open?: (events: StoredEvent[]) => StoredEvent[] | Promise<StoredEvent[]>
}

/**
 * On Workers a read belongs to the request that started it: when that request ends first,
 * its promise may never settle. So a poll waits for a read another request started only
 * this long, on a timer of its own, and then reads on its own.
 */
export const staleAfter = (pollIntervalMs: number) => Math.max(4 * pollIntervalMs, 2_000)

/** `p`, or nothing after `ms` (a timer of the caller's own request). */
export function awaitAtMost(p: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer))
}

/** What an event counts against a page's byte budget in memory: its stored payloads plus a fixed allowance. */
export const eventBytes = (e: StoredEvent) => (e.data?.length ?? 0) + (e.metadata?.length ?? 0) + 160
const sizeOfAll = (events: StoredEvent[]) => {
  let bytes = 0
  for (const e of events) bytes += eventBytes(e)
  return bytes
}

export function createSharedTail(options: SharedTailOptions) {
  const { reader, pageSize, maxBytes, pollIntervalMs } = options
  const members = new Set<TailMember>()
  // Members by category: a page is offered to those of the categories it touches, and to
  // the rest (no category or stream in their filter): a member matching nothing costs nothing.
  const byCategory = new Map<string, Set<TailMember>>()
  const anyCategory = new Set<TailMember>()
  const remove = (m: TailMember) => {
    members.delete(m)
    if (m.category === undefined) return void anyCategory.delete(m)
    const set = byCategory.get(m.category)
    set?.delete(m)
    if (set?.size === 0) byCategory.delete(m.category)
  }

  function fanOut(page: StoredEvent[], upTo: number) {
    if (anyCategory.size) {
      const bytes = sizeOfAll(page)
      for (const m of anyCategory) m.offer(page, upTo, bytes)
    }
    if (byCategory.size === 0) return
    let groups: Map<string, StoredEvent[]> | undefined
    for (const e of page) {
      if (e.stream === null) continue
      const c = categoryOf(e.stream)
      if (!byCategory.has(c)) continue
      groups ??= new Map()
      const g = groups.get(c)
      if (g) g.push(e)
      else groups.set(c, [e])
    }
    if (!groups) return
    for (const [c, events] of groups) {
      const bytes = sizeOfAll(events)
      for (const m of byCategory.get(c) ?? []) m.offer(events, upTo, bytes)
    }
  }
  // Committed batches not offered yet, in commit order (each one contiguous).
  let committed: StoredEvent[][] = []
  /** The next committed batch that continues exactly after `position`; older ones are dropped (already offered). */
  const nextCommitted = (): StoredEvent[] | undefined => {
    while (committed.length) {
      const batch = committed[0]
      const first = batch[0].position
      if (batch[batch.length - 1].position <= position) committed.shift()
      else if (first === position + 1) return committed.shift()
      // a read ended inside it: the rest (a commit's positions are consecutive)
      else if (first <= position && batch[position + 1 - first]?.position === position + 1) return committed.shift()!.slice(position + 1 - first)
      else return undefined // a gap: the database holds it
    }
    return undefined
  }
  /** Where a page that starts at events[i] ends: at most pageSize events and maxBytes (always one). */
  const pageEnd = (events: StoredEvent[], i: number) => {
    let k = i
    let bytes = 0
    while (k < events.length && k - i < pageSize && (k === i || maxBytes === undefined || bytes + eventBytes(events[k]) <= maxBytes)) bytes += eventBytes(events[k++])
    return k
  }
  let position = 0
  let reading: Promise<void> | undefined
  let readingSince = 0
  let generation = 0
  let again = false
  let lastPoll = 0
  let reads = 0

  async function run(triggeredAt: number, gen: number): Promise<void> {
    try {
      do {
        again = false
        for (;;) {
          if (members.size === 0) return void (committed = [])
          const batch = nextCommitted()
          if (batch) {
            const opened = options.open?.(batch)
            const events = opened === undefined ? batch : Array.isArray(opened) ? opened : await opened
            if (gen !== generation) return
            for (let i = 0; i < events.length; ) {
              const k = pageEnd(events, i)
              const page = k === events.length && i === 0 ? events : events.slice(i, k)
              position = page[page.length - 1].position
              fanOut(page, position)
              options.onPage?.(page, performance.now() - triggeredAt)
              i = k
            }
            continue
          }
          // Nothing new: the events of every commit signalled so far were offered.
          if (options.exactHead && committed.length === 0 && options.head() <= position) break
          const page = await reader.readAll({ from: position + 1, limit: pageSize, maxBytes })
          // abandoned meanwhile (see poll): a newer read delivers, this one must not twice
          if (gen !== generation) return
          reads++
          if (!page.length) break
          const upTo = page[page.length - 1].position
          position = upTo
          fanOut(page, upTo)
          options.onPage?.(page, performance.now() - triggeredAt)
          if (page.length < pageSize && !page.cut) break
        }
        triggeredAt = performance.now()
      } while (again)
    } catch {
      if (gen !== generation) return
      // Members read on their own again and meet the fault there (an error to their client).
      for (const m of [...members]) {
        remove(m)
        m.evict()
      }
    } finally {
      if (gen === generation) reading = undefined
    }
  }

  // After the current turn: the commit that triggered it answers its appends first.
  const start = () => {
    const t0 = performance.now()
    const gen = ++generation
    readingSince = t0
    return (reading = Promise.resolve().then(() => run(t0, gen)))
  }
  const staleMs = staleAfter(pollIntervalMs)
  const bounded = (p: Promise<void>) => awaitAtMost(p, staleMs)

  return {
    get position() {
      return position
    },
    get size() {
      return members.size
    },
    get reads() {
      return reads
    },

    /** Joins when nothing can fall between the member's own reads and the tail; false: read on. */
    join(m: TailMember): boolean {
      // An idle tail starts where the member stopped, but never past what is known to be
      // committed: a member whose `from` is ahead of the log (scanned = from - 1) would put it
      // where nobody else could join. Behind is safe (the tail reads, members drop what they scanned).
      if (members.size === 0 && !reading) position = Math.min(m.scanned, options.head())
      else if (m.scanned < position) return false
      members.add(m)
      if (m.category === undefined) anyCategory.add(m)
      else {
        let set = byCategory.get(m.category)
        if (!set) byCategory.set(m.category, (set = new Set()))
        set.add(m)
      }
      // Commits it has not scanned may have been signalled while nobody listened.
      if (options.head() > position) this.kick()
      return true
    },

    leave(m: TailMember): void {
      remove(m)
    },

    /** Something was committed (commit signal): offer it once to every member. */
    kick(): void {
      if (members.size === 0) return
      if (reading) again = true
      else if (!options.exactHead || committed.length > 0 || options.head() > position) start()
    },

    /**
     * The events of one commit, as stored, in commit order (the sole writer's): offered
     * without a read at the next kick (the commit signal, once the commit's appends are answered).
     */
    committed(events: () => StoredEvent[]): void {
      if (members.size === 0) return
      const list = events()
      if (list.length) committed.push(list)
    },

    /** Poll mode: one read per interval for the whole process, whoever asks. */
    poll(): Promise<void> {
      if (reading && performance.now() - readingSince < staleMs) return bounded(reading)
      if (reading) reading = undefined // abandoned: see staleMs
      if (members.size === 0 || performance.now() - lastPoll < pollIntervalMs / 2) return Promise.resolve()
      lastPoll = performance.now()
      return bounded(start())
    },
  }
}

export type SharedTail = ReturnType<typeof createSharedTail>
