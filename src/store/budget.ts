import type { SqlValue } from './db.ts'
import { EVENT_COLUMNS } from './rows.ts'

/**
 * What an event counts against a page's byte budget, in SQL: its stored payloads plus the
 * short fields, plus a fixed allowance for id, position, time and the map's keys. For
 * BLOBs SQLite's length() reads the record header, not the value (OPFLAG_LENGTHARG), so
 * sizing a candidate page does not load its payloads.
 */
export const EVENT_SIZE =
  'coalesce(length(data), 0) + coalesce(length(metadata), 0) + length(type) + coalesce(length(stream), 0) + coalesce(length(tags), 0) + 160'

/**
 * The events of a candidate page, cut before its running size passes `maxBytes` (always
 * at least the first). `candidates` selects `p` (a position) and `sz` (EVENT_SIZE) for at
 * most `limit` events in page order; only the rows that fit are joined back to `events`
 * and returned, so the database's response itself stays within the budget, on a local
 * file, a remote libSQL server (whose responses are capped) and D1 alike.
 * Each row carries `n`, the number of candidates: more than the rows returned means the
 * page was cut by bytes.
 */
export function withinBudget(candidates: { sql: string; args: SqlValue[] }, order: 'ASC' | 'DESC', maxBytes: number) {
  return {
    sql:
      `SELECT ${EVENT_COLUMNS}, m.n AS n FROM (` +
      `SELECT p, count(*) OVER () AS n, sum(sz) OVER (ORDER BY p ${order} ROWS UNBOUNDED PRECEDING) AS run, ` +
      `row_number() OVER (ORDER BY p ${order}) AS k FROM (${candidates.sql})` +
      `) m CROSS JOIN events ON events.position = m.p WHERE m.run <= ? OR m.k = 1 ORDER BY m.p ${order}`,
    args: [...candidates.args, maxBytes],
  }
}
