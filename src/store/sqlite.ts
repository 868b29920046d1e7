import { statSync } from 'node:fs'
import Database from 'libsql'
import { unavailable } from '../core/errors.ts'
import type { Db, SqlResult, SqlValue, Statement } from './db.ts'

type Prepared = ReturnType<InstanceType<typeof Database>['prepare']>

/** How long SQLite itself waits for a lock (holding the thread) before edgelog waits in timers. */
const SYNC_BUSY_MS = 20

const isBusy = (e: unknown) => /SQLITE_BUSY|database is locked/i.test(`${(e as { code?: string })?.code} ${(e as Error)?.message}`)

/**
 * The Db interface over the synchronous `libsql` driver, for a local file. Unlike
 * @libsql/client (which prepares every statement on every call), it keeps prepared
 * statements: the commit group's multi-row INSERT and every read are compiled once.
 * One connection: the driver is synchronous, so a second would only contend for the lock.
 */
export function openSqliteDb(path: string, options: { durability: 'full' | 'normal'; busyTimeoutMs?: number }): Db {
  // Another connection holding the write lock (SHARED_WRITERS, a backup, the sqlite3 shell):
  // this driver is synchronous, and SQLite's own busy wait would hold the event loop (every
  // read, /health, every event stream) for as long as it waits, up to 10 s. It waits
  // SYNC_BUSY_MS inside SQLite; past that the wait goes on in timers (`whenUnlocked`), up to
  // busyTimeoutMs in all, while the server answers everything else.
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000
  const db = new Database(path, { timeout: Math.min(SYNC_BUSY_MS, busyTimeoutMs) })
  db.exec('PRAGMA journal_mode = WAL')
  // full: fsync the WAL on every commit; normal: only at checkpoints (may lose the
  // last commits on power loss, never corrupts). https://sqlite.org/pragma.html#pragma_synchronous
  db.exec(`PRAGMA synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`)
  // Checkpoint every ~40 MB of WAL instead of ~4 MB: the hot pages (right edges of the
  // indexes, one per active stream) are copied back to the file 10x less often. Measured
  // here: +20% for 100 concurrent single-event appends. Costs WAL disk space and a longer
  // WAL replay after a crash. https://sqlite.org/wal.html#automatic_checkpoint
  db.exec('PRAGMA wal_autocheckpoint = 10000')
  // Deleted content is overwritten with zeros, not left in free space: an erased subject's
  // key and removed events do not linger in the file (docs/api.md "Data lifecycle").
  // Costs deletes a little; appends write no more.
  db.exec('PRAGMA secure_delete = ON')
  /**
   * The file this connection has open, by device and inode. Deleted, moved or replaced
   * while open (an operator's `rm`, a restore copied over it), SQLite goes on committing
   * into the open inode, which nothing will read after a restart: every append would be
   * acknowledged and lost. So a write's commit is answered only after the path is seen to
   * still be that file, and once it is not, every statement fails (a 503; /health turns
   * 503) until a restart opens what is at the path then. Reads look at most once a second.
   */
  const identity = () => {
    const s = statSync(path, { throwIfNoEntry: false })
    return s ? `${s.dev}:${s.ino}` : 'gone'
  }
  const opened = path === ':memory:' || path === '' ? undefined : identity()
  let moved: Error | undefined
  let checkedAt = Date.now()
  const checkFile = () => {
    if (opened === undefined || moved) return
    checkedAt = Date.now()
    if (identity() === opened) return
    // no path in the problem a client reads; the 5xx's log line has it (cause)
    const cause = new Error(`${path} is not the file opened (deleted, moved or replaced)`)
    moved = unavailable('The database file was deleted, moved or replaced while the server had it open: what is written now would be lost, so nothing is written or read until the server restarts on the file at its path.', 5, cause)
  }
  const readCheck = () => {
    if (opened !== undefined && Date.now() - checkedAt > 1_000) checkFile()
    if (moved) throw moved
  }

  /**
   * A prepared statement and how it is run, decided once: `rows` for a statement that
   * yields rows, `one` for one that yields at most one (its SQL ends in LIMIT 1: the last
   * event of a stream, a head), stepped once by get() instead of through all()'s iterator,
   * ~20% less per call. (This driver's get() also puts a `_metadata` timing on the row;
   * nothing here reads it.)
   */
  type Entry = { stmt: Prepared; rows: boolean; one: boolean }
  const cache = new Map<string, Entry>()

  const prepared = (sql: string): Entry => {
    let entry = cache.get(sql)
    if (!entry) {
      const stmt = db.prepare(sql)
      // PRAGMA incremental_vacuum reports no columns (reader is false) yet yields a row per
      // freed page: run() would step it once and leave it in progress, holding the lock.
      const rows = stmt.reader || sql.startsWith('PRAGMA')
      entry = { stmt, rows, one: rows && / LIMIT 1$/.test(sql) }
      if (cache.size >= 500) cache.delete(cache.keys().next().value!)
      cache.set(sql, entry)
    }
    return entry
  }

  let wrote = false
  /**
   * `step()` again, in timers, while another connection holds the lock it needs (`first`:
   * its SQLITE_BUSY, after SQLite's own SYNC_BUSY_MS), until busyTimeoutMs in all.
   */
  const whenUnlocked = async <T>(step: () => T, first: unknown): Promise<T> => {
    if (!isBusy(first) || db.inTransaction) throw first
    const started = Date.now() - SYNC_BUSY_MS
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      await new Promise((resolve) => setTimeout(resolve, wait))
      try {
        return step()
      } catch (e) {
        if (!isBusy(e) || Date.now() - started >= busyTimeoutMs) throw e
      }
    }
  }
  const run = (s: Statement): SqlResult => {
    const sql = typeof s === 'string' ? s : s.sql
    const args = (typeof s === 'string' ? [] : s.args) as SqlValue[]
    const { stmt, rows, one } = prepared(sql)
    if (one) {
      const row = stmt.get(args) as Record<string, unknown> | undefined
      return { rows: row ? [row] : [] }
    }
    if (rows) return { rows: stmt.all(args) as Record<string, unknown>[] }
    stmt.run(args)
    wrote = true
    return { rows: [] }
  }

  return {
    protocol: 'file',
    packsPages: true,
    async execute(stmt) {
      readCheck()
      wrote = false
      let result: SqlResult
      try {
        result = run(stmt)
      } catch (e) {
        result = await whenUnlocked(() => run(stmt), e)
      }
      // a write outside batch() (a checkpoint, a retention policy) commits on its own
      if (wrote && !db.inTransaction) {
        checkFile()
        if (moved) throw moved
      }
      return result
    },
    async batch(stmts, mode, batchOptions) {
      readCheck()
      // synchronous is per connection and may change between transactions: a relaxed
      // write commits without its own fsync and is synced by the next FULL commit.
      const relax = batchOptions?.relaxed === true && options.durability !== 'normal'
      // BEGIN IMMEDIATE takes the write lock up front: no SQLITE_BUSY halfway through.
      // The transaction then runs to its COMMIT with no await: nothing else of this
      // connection's comes in between. (A write waiting for the lock may be overtaken by
      // another: `synchronous`, which cannot change inside a transaction, is relaxed only
      // for as long as this one is taking or holding the lock.)
      const begin = () => {
        if (relax) db.exec('PRAGMA synchronous = NORMAL')
        try {
          db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN')
        } catch (e) {
          if (relax) db.exec('PRAGMA synchronous = FULL')
          throw e
        }
      }
      try {
        begin()
      } catch (e) {
        await whenUnlocked(begin, e)
      }
      try {
        const results = stmts.map(run)
        db.exec('COMMIT')
        if (mode === 'write') checkFile()
        if (moved) throw moved
        return results
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw e
      } finally {
        if (relax) db.exec('PRAGMA synchronous = FULL')
      }
    },
    close() {
      // Copy every committed page into the main file and empty the WAL before closing: this
      // driver's close() does not close while prepared statements live (it waits for them to
      // be garbage-collected, or the process to exit), so SQLite's own checkpoint-on-close
      // never ran and the committed events stayed in edgelog.db-wal only. Now, after a
      // stop, edgelog.db alone holds them (a copy of it is a backup), and nothing that
      // happens to the WAL file later (another process's last close deletes it) can lose
      // them. Another process reading or writing the file (SHARED_WRITERS) may keep the
      // checkpoint from finishing: it waits for them at most a second (the driver is
      // synchronous: it holds the thread), then the WAL keeps the rest, as before, for
      // them or the next start. https://sqlite.org/pragma.html#pragma_wal_checkpoint
      try {
        db.exec('PRAGMA busy_timeout = 1000')
        db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
      } catch {
        // best effort: what is not copied stays in the WAL, which the next open replays
      }
      cache.clear()
      db.close()
    },
  }
}
