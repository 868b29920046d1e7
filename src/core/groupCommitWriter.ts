import { commitOutcomeUnknown, databaseFault, isEdgelogError, unavailable } from './errors.ts'
import type { AppendCommand, AppendResult, CommitBackend } from './types.ts'

export interface GroupCommitWriterOptions {
  /** most events one commit group takes (a single larger request still commits whole) */
  maxBatchEvents: number
  /** most encoded payload bytes one commit group takes */
  maxBatchBytes: number
  /** most events waiting in the queue; beyond it appends get 503 + Retry-After */
  maxQueueEvents: number
  /**
   * Run each next group from a request still waiting for its append, instead of from the
   * loop that committed the last one. Workers need it: they cancel what a request leaves
   * running after it has answered. It costs a promise per append, so elsewhere it is off.
   */
  continueFromWaiter?: boolean
}

export interface GroupStats {
  requests: number
  events: number
  durationMs: number
  failed: boolean
}

interface Pending {
  command: AppendCommand
  events: number
  bytes: number
  resolve: (r: AppendResult) => void
  reject: (e: unknown) => void
  /** taken into a group: no longer a candidate to run the next one */
  taken?: boolean
  /** continueFromWaiter: asks this request to run the next group, from its own context */
  wake?: () => void
}

// setImmediate runs after pending I/O callbacks, so requests that arrived while a commit
// blocked the thread join the next group; Workers and Deno fall back to a 0 ms timer.
const nextTurn: (f: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (f) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(f)
    : (f) => setTimeout(f, 0)

const idsOf = (c: AppendCommand) => [...c.streams.flatMap((s) => s.events), ...(c.events ?? [])].map((e) => e.id)

const sizeOf = (c: AppendCommand) => {
  let events = c.events?.length ?? 0
  let bytes = 0
  for (const e of c.events ?? []) bytes += e.size
  for (const s of c.streams) {
    events += s.events.length
    for (const e of s.events) bytes += e.size
  }
  return { events, bytes }
}

/**
 * Group commit: one writer per process turns concurrent appends into few transactions.
 * While a group is being committed, new appends queue; the next group takes all of them
 * up to the batch limits. No timer: under load, groups grow by themselves.
 */
export class GroupCommitWriter {
  private readonly backend: CommitBackend
  private readonly options: GroupCommitWriterOptions
  private queue: Pending[] = []
  private queuedEvents = 0
  private running = false
  private closed = false
  private idle: Array<() => void> = []
  private readonly groupListeners: Array<(s: GroupStats) => void> = []
  private readonly commitListeners: Array<(lastPosition: number) => void> = []

  constructor(backend: CommitBackend, options: GroupCommitWriterOptions) {
    this.backend = backend
    this.options = options
  }

  get depth(): number {
    return this.queuedEvents
  }

  /** Called after every group with its size and duration (metrics). */
  onGroup(listener: (s: GroupStats) => void): void {
    this.groupListeners.push(listener)
  }

  /** Called after every successful commit with the last committed position (subscriptions). */
  onCommit(listener: (lastPosition: number) => void): void {
    this.commitListeners.push(listener)
  }

  append(command: AppendCommand): Promise<AppendResult> {
    if (this.closed) return Promise.reject(unavailable('The server is shutting down.', 5))
    const { events, bytes } = sizeOf(command)
    if (this.queuedEvents > 0 && this.queuedEvents + events > this.options.maxQueueEvents) {
      return Promise.reject(unavailable('The write queue is full; retry shortly.', 1))
    }
    return new Promise<AppendResult>((resolve, reject) => {
      const p: Pending = { command, events, bytes, resolve, reject }
      if (this.options.continueFromWaiter) this.arm(p)
      this.queue.push(p)
      this.queuedEvents += events
      if (!this.running) {
        this.running = true
        nextTurn(() => void this.run())
      }
    })
  }

  /** Stop accepting, commit everything queued, then resolve. */
  async close(): Promise<void> {
    this.closed = true
    if (!this.running && this.queue.length === 0) return
    await new Promise<void>((resolve) => this.idle.push(resolve))
  }

  private take(): Pending[] {
    const { maxBatchEvents, maxBatchBytes } = this.options
    let events = 0
    let bytes = 0
    let n = 0
    // Always take at least one request; never split a request across groups.
    while (n < this.queue.length) {
      const p = this.queue[n]
      if (n > 0 && (events + p.events > maxBatchEvents || bytes + p.bytes > maxBatchBytes)) break
      events += p.events
      bytes += p.bytes
      n++
    }
    const group = this.queue.splice(0, n)
    for (const p of group) p.taken = true
    this.queuedEvents -= events
    return group
  }

  // The continuation is registered by the waiting request, so it runs in that request's
  // context: on Workers a finished request's pending work is cancelled, so the request
  // whose append just committed must not be the one to run the next group.
  private arm(p: Pending) {
    new Promise<void>((r) => (p.wake = r)).then(() => {
      if (p.taken) return
      this.arm(p)
      if (!this.running && this.queue.length > 0) {
        this.running = true
        void this.run()
      }
    })
  }

  /**
   * Commits groups while appends are queued. Between groups it yields one turn, so
   * requests that arrived while a commit blocked the thread join the next group. With
   * continueFromWaiter it commits one group and hands the next to a waiting request.
   */
  private async run(): Promise<void> {
    do {
      await this.commitGroup()
      if (this.options.continueFromWaiter) break
      if (this.queue.length === 0) await new Promise<void>((r) => nextTurn(r))
    } while (this.queue.length > 0)
    this.running = false
    if (this.queue.length > 0) for (const p of this.queue.slice(0, 8)) p.wake!()
    else for (const r of this.idle.splice(0)) r()
  }

  private async commitGroup(): Promise<void> {
    const group = this.take()
    const started = Date.now()
    let failed = false
    try {
      const outcomes = await this.backend.commitGroup(group.map((p) => p.command))
      let last = 0
      for (let i = 0; i < group.length; i++) {
        const o = outcomes[i]
        if (o instanceof Error) group[i].reject(o)
        else {
          if (!o.replayed && o.position > last) last = o.position
          group[i].resolve(o)
        }
      }
      if (last > 0) for (const l of this.commitListeners) l(last)
    } catch (e) {
      // Nothing of this group was written: every request in it fails, none is acked. A
      // database fault (disk full, I/O error, remote down) is the server's, and passing:
      // a 503 the client may retry, with the cause kept for the log.
      failed = true
      const error = isEdgelogError(e) ? e : databaseFault(e)
      // An unknown outcome names each request's event ids: a retry with them is safe.
      const unknown = error.kind === 'commit-outcome-unknown'
      for (const p of group) p.reject(unknown ? commitOutcomeUnknown(error.cause, idsOf(p.command)) : error)
    }
    const stats = { requests: group.length, events: group.reduce((a, p) => a + p.events, 0), durationMs: Date.now() - started, failed }
    for (const l of this.groupListeners) l(stats)
  }
}
