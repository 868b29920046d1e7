import { EdgelogError } from './errors.ts'
import type { ExpectedRevision } from './expectedRevision.ts'
import type { CommitBackend } from './types.ts'

/**
 * Data lifecycle (docs/api.md "Data lifecycle"): delete and truncate streams, retention
 * by age and count. Removed events leave no row behind, only a hole in positions; their
 * stream's head stays (revisions continue, positions are never reused).
 */

/** What a stream is now, counting removed events. */
export interface StreamState {
  stream: string
  /** the highest revision ever assigned (-1: none) */
  revision: number
  /** the position of that revision's event (0: none) */
  position: number
  /** events below this revision are removed */
  floor: number
  /** soft-deleted and not written since */
  deleted: boolean
  /** hard-deleted: never written or read again */
  hard: boolean
  /** what an expectation sees: null for no stream (none, or soft-deleted) */
  actual: number | null
}

export type RemovalMode = 'soft' | 'hard' | 'truncate'

export interface RemovalResult {
  stream: string
  mode: RemovalMode
  /** events removed by this call */
  removed: number
  /** the stream's floor now: the first revision still readable */
  floor: number
  /** the stream's head revision (-1: none), which later appends continue from */
  revision: number
  /** the removed rows are hidden at once and deleted by the retention pass (more than one batch) */
  deferred?: boolean
}

export type RetentionScope = 'stream' | 'category'

export interface RetentionPolicy {
  scope: RetentionScope
  name: string
  /** events older than this many milliseconds are removed */
  maxAgeMs: number | null
  /** at most this many of a stream's latest events are kept (a category's: per stream) */
  maxCount: number | null
}

export interface RetentionStepResult {
  /** events removed by this step */
  removed: number
  /** rows of earlier deletes and truncations (already hidden) this step deleted */
  reclaimed: number
  /** false when the step stopped at its row budget: more is due */
  done: boolean
  /** the streams whose floor this step raised (for the subscriptions' removal filter; not in responses) */
  floors?: Array<{ stream: string; floor: number }>
  /** database pages before and after the step's incremental vacuum, and free pages left */
  pages: { before: number; after: number; free: number } | null
}

/** The store's side of the lifecycle: every method is one short transaction (or a few). */
export interface LifecycleStore {
  state(stream: string): Promise<StreamState>
  /**
   * Removes a stream's events (all, or those below `before`), conditional on `expected`.
   * Beyond `inlineRows` rows, they are hidden at once and left to the retention pass.
   */
  remove(stream: string, mode: RemovalMode, expected: ExpectedRevision, before?: number, inlineRows?: number): Promise<RemovalResult>
  getRetention(scope: RetentionScope, name: string): Promise<RetentionPolicy | null>
  listRetention(): Promise<RetentionPolicy[]>
  putRetention(policy: RetentionPolicy, now: number): Promise<void>
  deleteRetention(scope: RetentionScope, name: string): Promise<boolean>
  /** At most `maxRows` events past a policy removed, then up to `vacuumPages` pages freed. */
  retentionStep(options: { now: number; maxRows: number; vacuumPages: number }): Promise<RetentionStepResult>
  /** the database's page count and free-page count, where the backend tells them */
  pages(): Promise<{ count: number; free: number } | null>
}

export const streamDeleted = (stream: string, revision: number) =>
  new EdgelogError({
    status: 404,
    kind: 'stream-deleted',
    title: 'Stream deleted',
    detail: `Stream '${stream}' was deleted at revision ${revision}; an append recreates it, continuing at revision ${revision + 1}.`,
    extensions: { stream, revision },
  })

export const streamTombstoned = (stream: string) =>
  new EdgelogError({ status: 410, kind: 'stream-tombstoned', title: 'Stream tombstoned', detail: `Stream '${stream}' was hard-deleted: it can never be read or written again; use another stream name.`, extensions: { stream } })

export type RemovalReason = 'delete' | 'truncate' | 'retention'

export interface LifecycleOptions {
  /** the retention pass's clock (tests pass their own) */
  now?: () => number
  /** events one retention step removes at most (default 500) */
  retentionBatch?: number
  /** pages one retention step's incremental vacuum frees at most (default 2000) */
  vacuumPages?: number
  /** a delete or truncation left its rows to the retention pass (a Durable Object arms its alarm) */
  onDeferred?: () => void
}

/**
 * Deletes and truncations run between commit groups (backend.exclusive), so the sole
 * writer's cached heads never decide an append against a stream that changed under them.
 */
export function createLifecycle(store: LifecycleStore, backend: CommitBackend, options: LifecycleOptions = {}) {
  const now = options.now ?? Date.now
  const listeners: Array<(reason: RemovalReason, removed: number, mode?: RemovalMode) => void> = []
  const floorListeners: Array<(stream: string, floor: number) => void> = []
  const raised = (stream: string, floor: number) => {
    for (const l of floorListeners) l(stream, floor)
  }
  const emit = (reason: RemovalReason, removed: number, mode?: RemovalMode) => {
    for (const l of listeners) l(reason, removed, mode)
  }
  const exclusive = <T>(stream: string, fn: () => Promise<T>) => (backend.exclusive ? backend.exclusive([stream], fn) : fn())
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  let running: Promise<RetentionStepResult> | undefined
  const batch = options.retentionBatch ?? 500
  let kick: (() => void) | undefined
  /** A deferred removal: the background pass starts deleting its rows now, not an interval later. */
  const settled = (r: RemovalResult): RemovalResult => {
    const { deferred, ...result } = r
    raised(r.stream, r.floor)
    if (deferred) {
      kick?.()
      options.onDeferred?.()
    }
    return result
  }

  const step = (): Promise<RetentionStepResult> =>
    (running ??= store
      .retentionStep({ now: now(), maxRows: batch, vacuumPages: options.vacuumPages ?? 2000 })
      .then(({ floors, ...r }) => {
        for (const f of floors ?? []) raised(f.stream, f.floor)
        if (r.removed) emit('retention', r.removed)
        return r
      })
      .finally(() => (running = undefined)))

  return {
    state: (stream: string) => store.state(stream),

    /** Soft (`hard` false) or hard delete, conditional on `expected`. */
    async deleteStream(stream: string, hard: boolean, expected: ExpectedRevision): Promise<RemovalResult> {
      const mode = hard ? 'hard' : 'soft'
      const r = await exclusive(stream, () => store.remove(stream, mode, expected, undefined, batch))
      emit('delete', r.removed, mode)
      return settled(r)
    },

    /** Removes the events below revision `before`. */
    async truncate(stream: string, before: number, expected: ExpectedRevision): Promise<RemovalResult> {
      const r = await exclusive(stream, () => store.remove(stream, 'truncate', expected, before, batch))
      emit('truncate', r.removed, 'truncate')
      return settled(r)
    },

    getRetention: store.getRetention,
    listRetention: store.listRetention,
    putRetention: (policy: RetentionPolicy) => store.putRetention(policy, now()),
    deleteRetention: store.deleteRetention,
    pages: store.pages,

    /** One bounded retention step now (a concurrent call joins the running one). */
    runRetention: step,

    /**
     * The background pass: a step every `intervalMs`, at once again while a step ends at
     * its budget. A failing step is logged and retried at the next interval.
     */
    start(intervalMs: number, onError: (e: unknown) => void): void {
      stopped = false
      let ticking = false
      let kicked = false
      const tick = async () => {
        ticking = true
        let again = false
        try {
          again = !(await step()).done
        } catch (e) {
          onError(e)
        }
        ticking = false
        if (!stopped) timer = setTimeout(tick, again || kicked ? 0 : intervalMs)
        kicked = false
      }
      timer = setTimeout(tick, intervalMs)
      // a step now (one chain of timers: a running tick takes the kick itself)
      kick = () => {
        if (stopped) return
        if (ticking) return void (kicked = true)
        clearTimeout(timer)
        timer = setTimeout(tick, 0)
      }
    },

    async stop(): Promise<void> {
      stopped = true
      kick = undefined
      clearTimeout(timer)
      await running?.catch(() => {})
    },

    /** Called when a removal commits, with the stream's new floor (events below it are gone). */
    onFloor(listener: (stream: string, floor: number) => void): void {
      floorListeners.push(listener)
    },

    /** Called with each removal's effect (metrics). */
    onRemoved(listener: (reason: RemovalReason, removed: number, mode?: RemovalMode) => void): void {
      listeners.push(listener)
    },
  }
}

export type Lifecycle = ReturnType<typeof createLifecycle>
