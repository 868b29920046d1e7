import { unavailable } from '../core/errors.ts'
import type { Db, SqlResult, Statement } from './db.ts'
import { describeError } from './remote.ts'

/** What of @libsql/client's embedded replica (`url: file:…`, `syncUrl`) this needs. */
export interface ReplicaClient {
  execute(stmt: Statement): Promise<SqlResult>
  batch(stmts: Statement[], mode: 'read' | 'write'): Promise<SqlResult[]>
  sync(): Promise<unknown>
  close(): void
}

export interface ReplicaOptions {
  /** sync with the primary this often (REPLICA_SYNC_INTERVAL_MS) */
  intervalMs: number
  /** a sync that a read waits for fails (503) after this (DATABASE_TIMEOUT_MS) */
  timeoutMs: number
  logger?: (line: Record<string, unknown>) => void
}

/** Reads from an embedded replica; see openReplica. */
export interface Replica {
  db: Db
  /** a commit of this instance was attempted: the next read waits for a sync that covers it */
  committed(): void
  /** syncs done, and when the last one that succeeded started (ms since the epoch) */
  stats(): { syncs: number; failures: number; lastSyncStartedAt: number }
  close(): void
}

/**
 * A local libSQL replica of the remote primary, for reads. It syncs every `intervalMs`,
 * and a read that follows a commit of this instance first waits for a sync that started
 * after that commit: whoever appended through this instance reads its own write through it.
 * Commits of other instances show after at most one interval plus one sync.
 */
export function openReplica(client: ReplicaClient, options: ReplicaOptions): Replica {
  let commits = 0 // commits attempted by this instance
  let covered = 0 // commits that the last completed sync started after
  let inFlight: { upTo: number; done: Promise<void> } | undefined
  let syncs = 0
  let failures = 0
  let lastSyncStartedAt = 0
  let closed = false

  function sync(): { upTo: number; done: Promise<void> } {
    if (inFlight) return inFlight
    const upTo = commits
    const startedAt = Date.now()
    const done = client.sync().then(
      () => {
        syncs++
        lastSyncStartedAt = startedAt
        if (upTo > covered) covered = upTo
      },
      (e) => {
        failures++
        throw e
      },
    ).finally(() => {
      inFlight = undefined
    })
    inFlight = { upTo, done }
    return inFlight
  }

  /** Resolves once a sync that started after every commit so far has completed. */
  async function caughtUp(): Promise<void> {
    const need = commits
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no sync within ${options.timeoutMs} ms`)), options.timeoutMs)
    })
    try {
      while (covered < need) {
        const s = sync()
        await Promise.race([s.done, deadline])
      }
    } catch (e) {
      throw unavailable(
        `The read replica could not catch up with the primary within ${options.timeoutMs} ms (DATABASE_TIMEOUT_MS), so it cannot show this instance's latest appends. Retry shortly.`,
        1,
        new Error(`replica sync failed: ${describeError(e)}`),
      )
    } finally {
      clearTimeout(timer)
    }
  }

  const timer = setInterval(() => {
    if (closed || inFlight) return
    sync().done.catch((e) => options.logger?.({ level: 'error', msg: 'replica sync failed (reads serve the last synced state)', error: describeError(e) }))
  }, options.intervalMs)
  ;(timer as { unref?: () => void }).unref?.()

  const db: Db = {
    protocol: 'replica',
    async execute(stmt) {
      if (covered < commits) await caughtUp()
      return client.execute(stmt)
    },
    async batch(stmts, mode) {
      if (mode === 'write') throw new Error('the replica is read-only here: writes go to the primary')
      if (covered < commits) await caughtUp()
      return client.batch(stmts, 'read')
    },
    close() {
      closed = true
      clearInterval(timer)
      client.close()
    },
  }
  return {
    db,
    committed: () => void commits++,
    stats: () => ({ syncs, failures, lastSyncStartedAt }),
    close: () => db.close(),
  }
}
