import type { LifecycleStore, RetentionPolicy, RetentionScope, StreamState } from '../core/lifecycle.ts'
import { categoryOf } from '../core/streams.ts'
import type { Db, SqlRow, Statement } from './db.ts'
import { deleteRowsStatements, removalStatements } from './lifecycleSql.ts'

/** Streams of a category one step visits at most for its maxCount (a cursor resumes). */
const STREAMS_PER_STEP = 50
/** Streams of removal_backlog one step visits at most. */
const BACKLOG_PER_STEP = 20

interface Candidate {
  stream: string
  revision: number
  position: number
  time: number
}

const toPolicy = (r: SqlRow): RetentionPolicy => ({
  scope: r.scope as RetentionScope,
  name: r.name as string,
  maxAgeMs: r.max_age_ms == null ? null : Number(r.max_age_ms),
  maxCount: r.max_count == null ? null : Number(r.max_count),
})
const toCandidate = (r: SqlRow): Candidate => ({ stream: r.stream as string, revision: Number(r.revision), position: Number(r.position), time: Number(r.time) })

/** The longest prefix of `rows` (oldest first) that `due` holds for. */
const prefix = <T>(rows: T[], due: (r: T) => boolean) => {
  const i = rows.findIndex((r) => !due(r))
  return i === -1 ? rows : rows.slice(0, i)
}

/**
 * Retention policies and the pass that enforces them. A step reads a bounded number of the
 * oldest events of each policy's stream or category, removes the prefix that is past the
 * policy in one short write transaction per policy, and then frees pages with SQLite's
 * incremental vacuum. Rows are removed oldest first, so a stream's floor only rises.
 */
export function createRetention(db: Db, state: (stream: string) => Promise<StreamState>): Pick<LifecycleStore, 'getRetention' | 'listRetention' | 'putRetention' | 'deleteRetention' | 'retentionStep' | 'pages'> {
  // where each category's maxCount walk stands (in memory: a restart starts over)
  const cursors = new Map<string, string>()

  async function pages() {
    try {
      const [count, free] = await db.batch(['PRAGMA page_count', 'PRAGMA freelist_count'], 'read')
      return { count: Number(Object.values(count.rows[0])[0]), free: Number(Object.values(free.rows[0])[0]) }
    } catch {
      return null // a backend that does not answer PRAGMAs (some hosted servers)
    }
  }

  /** A stream's oldest events past the policy: older than the age cutoff, or beyond maxCount. */
  async function dueInStream(stream: string, p: RetentionPolicy, ageCutoff: number, limit: number): Promise<Candidate[]> {
    const head = p.maxCount === null ? -1 : (await state(stream)).revision
    const countCutoff = p.maxCount === null ? -1 : head + 1 - p.maxCount
    const rs = await db.execute({ sql: 'SELECT stream, revision, position, time FROM events WHERE stream = ? ORDER BY revision LIMIT ?', args: [stream, limit] })
    return prefix(rs.rows.map(toCandidate), (c) => c.revision < countCutoff || c.time < ageCutoff)
  }

  /** `unvisited`: the maxCount walk stopped before the category's last stream (more may be due). */
  async function dueInCategory(category: string, p: RetentionPolicy, ageCutoff: number, limit: number): Promise<Candidate[] & { unvisited?: boolean }> {
    const found: Candidate[] & { unvisited?: boolean } = []
    if (p.maxAgeMs !== null) {
      const rs = await db.execute({ sql: 'SELECT stream, revision, position, time FROM events WHERE category = ? ORDER BY position LIMIT ?', args: [category, limit] })
      found.push(...prefix(rs.rows.map(toCandidate), (c) => c.time < ageCutoff))
    }
    if (p.maxCount !== null && found.length < limit) {
      // Streams of category c are c itself and the names from 'c-' up to 'c.' ('-' + 1),
      // a range of the (stream, revision) index: each next stream is one seek.
      const key = `category\u0000${category}`
      let after = cursors.get(key) ?? ''
      for (let i = 0; i < STREAMS_PER_STEP && found.length < limit; i++) {
        const rs = await db.execute({
          sql: 'SELECT stream FROM events WHERE stream > ? AND stream >= ? AND stream < ? ORDER BY stream LIMIT 1',
          args: [after, category, `${category}.`],
        })
        if (!rs.rows.length) {
          after = ''
          break
        }
        if (i === STREAMS_PER_STEP - 1) found.unvisited = true
        after = rs.rows[0].stream as string
        if (categoryOf(after) !== category) continue
        const seen = new Set(found.map((c) => c.position))
        for (const c of await dueInStream(after, { ...p, maxAgeMs: null }, -Infinity, limit - found.length)) if (!seen.has(c.position)) found.push(c)
      }
      cursors.set(key, after)
    }
    return found
  }

  const listRetention = async () => (await db.execute('SELECT scope, name, max_age_ms, max_count FROM retention ORDER BY scope, name')).rows.map(toPolicy)

  return {
    listRetention,
    async getRetention(scope, name) {
      const rs = await db.execute({ sql: 'SELECT scope, name, max_age_ms, max_count FROM retention WHERE scope = ? AND name = ?', args: [scope, name] })
      return rs.rows.length ? toPolicy(rs.rows[0]) : null
    },
    async putRetention(p, now) {
      await db.execute({
        sql: 'INSERT INTO retention (scope, name, max_age_ms, max_count, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, name) DO UPDATE SET max_age_ms = excluded.max_age_ms, max_count = excluded.max_count, updated_at = excluded.updated_at',
        args: [p.scope, p.name, p.maxAgeMs, p.maxCount, now],
      })
    },
    async deleteRetention(scope, name) {
      const rs = await db.batch([{ sql: 'SELECT 1 AS x FROM retention WHERE scope = ? AND name = ?', args: [scope, name] }, { sql: 'DELETE FROM retention WHERE scope = ? AND name = ?', args: [scope, name] }], 'write')
      return rs[0].rows.length > 0
    },
    pages,

    async retentionStep({ now, maxRows, vacuumPages }) {
      let budget = maxRows
      let removed = 0
      const floors: Array<{ stream: string; floor: number }> = []
      // First the rows of deletes and truncations that are hidden already (removal_backlog),
      // oldest first per stream, in the same budget; the stream's backlog row goes with its last.
      let reclaimed = 0
      const backlog = await db.execute({ sql: 'SELECT stream, below FROM removal_backlog ORDER BY stream LIMIT ?', args: [BACKLOG_PER_STEP] })
      let unvisited = backlog.rows.length === BACKLOG_PER_STEP
      for (const b of backlog.rows) {
        if (budget <= 0) break
        const stream = b.stream as string
        const rs = await db.execute({ sql: 'SELECT revision FROM events WHERE stream = ? AND revision < ? ORDER BY revision LIMIT ?', args: [stream, Number(b.below), budget] })
        const n = rs.rows.length
        const stmts: Statement[] = n ? deleteRowsStatements(stream, Number(rs.rows[n - 1].revision)) : []
        // conditional: a truncation that raised `below` meanwhile keeps the row
        if (n < budget) stmts.push({ sql: 'DELETE FROM removal_backlog WHERE stream = ? AND NOT EXISTS (SELECT 1 FROM events e WHERE e.stream = removal_backlog.stream AND e.revision < removal_backlog.below)', args: [stream] })
        else unvisited = true
        await db.batch(stmts, 'write')
        reclaimed += n
        budget -= n
      }
      for (const p of await listRetention()) {
        if (budget <= 0) break
        const ageCutoff = p.maxAgeMs === null ? -Infinity : now - p.maxAgeMs
        const due = p.scope === 'stream' ? await dueInStream(p.name, p, ageCutoff, budget) : await dueInCategory(p.name, p, ageCutoff, budget)
        if ((due as { unvisited?: boolean }).unvisited) unvisited = true
        if (!due.length) continue
        // Per stream, the due events are a prefix by revision: one range delete each. The
        // head recorded is the stream's own, so its revisions continue after removal.
        const byStream = new Map<string, Candidate>()
        for (const c of due) if ((byStream.get(c.stream)?.revision ?? -1) < c.revision) byStream.set(c.stream, c)
        const stmts: Statement[] = []
        for (const [stream, last] of byStream) stmts.push(...removalStatements(stream, last.revision, last, now))
        await db.batch(stmts, 'write')
        for (const [stream, last] of byStream) floors.push({ stream, floor: last.revision + 1 })
        removed += due.length
        budget -= due.length
      }
      let pageCounts: { before: number; after: number; free: number } | null = null
      const before = await pages()
      if (before) {
        if ((removed || reclaimed) && vacuumPages > 0) {
          try {
            // Hands free pages back to the file system (auto_vacuum = INCREMENTAL, set on
            // new databases at start). Without it this is a no-op and the free pages are
            // reused by later appends. https://sqlite.org/pragma.html#pragma_incremental_vacuum
            await db.execute(`PRAGMA incremental_vacuum(${Math.floor(vacuumPages)})`)
          } catch {
            // D1 and hosted servers may refuse the PRAGMA: the pages stay on the free list
          }
        }
        const after = (await pages()) ?? before
        pageCounts = { before: before.count, after: after.count, free: after.free }
      }
      return { removed, reclaimed, done: budget > 0 && !unvisited, pages: pageCounts, floors }
    },
  }
}
