import { invalidRequest, streamNotFound } from '../core/errors.ts'
import { expectationHolds, wrongExpectedRevision } from '../core/expectedRevision.ts'
import { streamDeleted, streamTombstoned, type LifecycleStore, type RemovalMode, type StreamState } from '../core/lifecycle.ts'
import type { ExpectedRevision } from '../core/expectedRevision.ts'
import type { Db, Statement } from './db.ts'
import { guard } from './groupInSql.ts'
import { ACTUAL_EXPR, actualArgs, HEAD_EXPR, NOT_TOMBSTONED, removalStatements, visibleRow } from './lifecycleSql.ts'
import { createRetention } from './lifecycleRetention.ts'

const isConstraintError = (e: unknown) => /SQLITE_CONSTRAINT|constraint failed/i.test(String((e as Error)?.message ?? e) + String((e as { code?: string })?.code ?? ''))

const STATE_SQL =
  'SELECT (SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1) AS er, ' +
  '(SELECT position FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1) AS ep, ' +
  'l.floor, l.last_revision, l.last_position, l.deleted_revision, l.hard FROM (SELECT 1) LEFT JOIN stream_lifecycle l ON l.stream = ?'

export function toState(stream: string, row: Record<string, unknown> | undefined): StreamState {
  const er = row?.er == null ? -1 : Number(row.er)
  const lr = row?.last_revision == null ? -1 : Number(row.last_revision)
  const revision = Math.max(er, lr)
  const position = Math.max(row?.ep == null ? 0 : Number(row.ep), row?.last_position == null ? 0 : Number(row.last_position))
  const deleted = row?.deleted_revision != null && Number(row.deleted_revision) === revision
  const hard = Number(row?.hard ?? 0) === 1
  return { stream, revision, position, floor: Number(row?.floor ?? 0), deleted, hard, actual: revision < 0 || deleted ? null : revision }
}

/** The lifecycle operations over any Db (local file, remote libSQL, D1). */
export function createLifecycleStore(db: Db): LifecycleStore {
  const state = async (stream: string) => toState(stream, (await db.execute({ sql: STATE_SQL, args: [stream, stream, stream] })).rows[0])

  async function remove(stream: string, mode: RemovalMode, expected: ExpectedRevision, before?: number, inlineRows = 500) {
    // Read, decide, then write guarded by what was read: another writer committing in
    // between refuses the guard, and the decision is made again on a fresh read.
    for (let attempt = 0; ; attempt++) {
      const s = await state(stream)
      if (s.hard) throw streamTombstoned(stream)
      if (mode !== 'hard' && s.deleted) throw streamDeleted(stream, s.revision)
      if (mode !== 'hard' && s.revision < 0) throw streamNotFound(stream)
      if (!expectationHolds(expected, s.actual)) throw wrongExpectedRevision(stream, expected, s.actual)
      if (mode === 'truncate' && before! > s.revision + 1) {
        throw invalidRequest(`before is ${before}, beyond the stream's next revision ${s.revision + 1}; truncate keeps the events from revision before on.`, [{ path: 'before', message: `at most ${s.revision + 1}` }])
      }
      const upTo = mode === 'truncate' ? before! - 1 : s.revision
      // More rows than one retention batch: the commit only records the new floor (reads
      // stop showing the rows at once) and the retention pass deletes the rows in batches,
      // so no append waits for one transaction over a whole huge stream.
      const { rows } = await db.execute({ sql: 'SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE stream = ? AND revision <= ? LIMIT ?)', args: [stream, upTo, inlineRows + 1] })
      const inline = Number(rows[0].n) <= inlineRows
      const stmts: Statement[] = [
        guard(`${ACTUAL_EXPR} IS ? AND ${HEAD_EXPR} = ? AND ${NOT_TOMBSTONED}`, [...actualArgs(stream), s.actual, stream, stream, s.revision, stream]),
        // what this call removes: the stream's visible rows up to upTo (a backlog's hidden ones were counted before)
        { sql: `SELECT count(*) AS n FROM events WHERE stream = ? AND revision <= ? AND ${visibleRow('events')}`, args: [stream, upTo] },
        ...removalStatements(stream, upTo, s, Date.now(), { deleted: mode === 'soft' ? s.revision : undefined, hard: mode === 'hard' }, inline),
      ]
      try {
        const rs = await db.batch(stmts, 'write')
        return { stream, mode, removed: Number(rs[1].rows[0].n), floor: Math.max(s.floor, upTo + 1), revision: s.revision, deferred: !inline }
      } catch (e) {
        if (!isConstraintError(e) || attempt >= 10) throw e
      }
    }
  }

  return { state, remove, ...createRetention(db, state) }
}
