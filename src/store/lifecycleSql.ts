import type { SqlValue, Statement } from './db.ts'

/**
 * SQL for the state removed events leave behind (stream_lifecycle, docs/api.md "Data
 * lifecycle"), shared by the commit paths and the lifecycle operations so both decide a
 * stream's head the same way.
 */

/** The last position ever assigned: removed events keep theirs in stream_lifecycle. */
export const LAST_POSITION_EXPR =
  'max(coalesce((SELECT max(position) FROM events), 0), coalesce((SELECT max(last_position) FROM stream_lifecycle), 0))'

/** A stream's highest revision ever assigned, -1 for none (args: stream, stream). */
export const HEAD_EXPR =
  'max(coalesce((SELECT max(revision) FROM events WHERE stream = ?), -1), coalesce((SELECT last_revision FROM stream_lifecycle WHERE stream = ?), -1))'

/**
 * The revision an expectation is checked against: NULL when the stream has no events, or
 * was soft-deleted and not written since (args: stream x3).
 */
export const ACTUAL_EXPR =
  `(SELECT CASE WHEN h.r < 0 OR h.r IS l.deleted_revision THEN NULL ELSE h.r END FROM (SELECT ${HEAD_EXPR} AS r) h LEFT JOIN stream_lifecycle l ON l.stream = ?)`

export const actualArgs = (stream: string): SqlValue[] => [stream, stream, stream]

/** True unless the stream is tombstoned (args: stream). */
export const NOT_TOMBSTONED = 'NOT EXISTS (SELECT 1 FROM stream_lifecycle WHERE stream = ? AND hard = 1)'

/**
 * A row of `events` that no read may show: it is below its stream's floor in
 * removal_backlog (a delete or truncation whose rows the retention pass has not removed
 * yet). The uncorrelated EXISTS is evaluated once per statement, so while the backlog is
 * empty (nearly always) a read pays no lookup per row.
 */
export const visibleRow = (e: string) =>
  `(NOT EXISTS (SELECT 1 FROM removal_backlog) OR NOT EXISTS (SELECT 1 FROM removal_backlog b WHERE b.stream = ${e}.stream AND ${e}.revision < b.below))`

/** The same for an event found by its position (an event_tags range). */
export const visiblePosition = (p: string) =>
  `(NOT EXISTS (SELECT 1 FROM removal_backlog) OR NOT EXISTS (SELECT 1 FROM events v JOIN removal_backlog b ON b.stream = v.stream WHERE v.position = ${p} AND v.revision < b.below))`

/**
 * Statements that delete a stream's rows up to revision `upTo` (inclusive). Tags first:
 * their rows are found through the events' own tag lists (the tag index's key is
 * (tag, position), so each is one b-tree seek).
 */
export function deleteRowsStatements(stream: string, upTo: number): Statement[] {
  return [
    {
      sql: 'DELETE FROM event_tags WHERE (tag, position) IN (SELECT j.value, e.position FROM events e, json_each(e.tags) j WHERE e.stream = ? AND e.revision <= ? AND e.tags IS NOT NULL)',
      args: [stream, upTo],
    },
    { sql: 'DELETE FROM events WHERE stream = ? AND revision <= ?', args: [stream, upTo] },
  ]
}

/**
 * Records that a stream's events up to `upTo` (inclusive) are removed, and the head they
 * leave behind; with `rows`, also deletes their rows (otherwise removal_backlog hides them
 * until the retention pass deletes them).
 */
export function removalStatements(stream: string, upTo: number, head: { revision: number; position: number }, time: number, mark: { deleted?: number; hard?: boolean } = {}, rows = true): Statement[] {
  return [
    ...(rows
      ? deleteRowsStatements(stream, upTo)
      : [{ sql: 'INSERT INTO removal_backlog (stream, below) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET below = max(below, excluded.below)', args: [stream, upTo + 1] as SqlValue[] }]),
    {
      sql:
        'INSERT INTO stream_lifecycle (stream, floor, last_revision, last_position, deleted_revision, hard, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (stream) DO UPDATE SET floor = max(floor, excluded.floor), last_revision = max(last_revision, excluded.last_revision), ' +
        'last_position = max(last_position, excluded.last_position), deleted_revision = coalesce(excluded.deleted_revision, deleted_revision), ' +
        'hard = max(hard, excluded.hard), updated_at = excluded.updated_at',
      args: [stream, upTo + 1, head.revision, head.position, mark.deleted ?? null, mark.hard ? 1 : 0, time] as SqlValue[],
    },
  ]
}
