import { invalidRequest, streamNotFound, wrongExpectedRevision } from '../core/errors.ts'
import { expectationHolds } from '../core/expected.ts'
import { streamDeleted, streamTombstoned, type LifecycleStore, type RemovalMode, type StreamState } from '../core/lifecycle.ts'
import type { ExpectedRevision } from '../core/types.ts'
import type { Db, Statement } from './db.ts'
import { guard } from './groupInSql.ts'
import { ACTUAL_EXPR, actualArgs, HEAD_EXPR, NOT_TOMBSTONED, removalStatements } from './lifecycleSql.ts'
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

  async function remove(stream: string, mode: RemovalMode, expected: ExpectedRevision, before?: number) {
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
      const stmts: Statement[] = [
        guard(`${ACTUAL_EXPR} IS ? AND ${HEAD_EXPR} = ? AND ${NOT_TOMBSTONED}`, [...actualArgs(stream), s.actual, stream, stream, s.revision, stream]),
        { sql: 'SELECT count(*) AS n FROM events WHERE stream = ? AND revision <= ?', args: [stream, upTo] },
        ...removalStatements(stream, upTo, s, Date.now(), { deleted: mode === 'soft' ? s.revision : undefined, hard: mode === 'hard' }),
      ]
      try {
        const rs = await db.batch(stmts, 'write')
        return { stream, mode, removed: Number(rs[1].rows[0].n), floor: Math.max(s.floor, upTo + 1), revision: s.revision }
      } catch (e) {
        if (!isConstraintError(e) || attempt >= 10) throw e
      }
    }
  }

  return { state, remove, ...createRetention(db, state) }
}
