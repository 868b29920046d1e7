import type { SqlValue } from './db.ts'

type Stmt = { sql: string; args: SqlValue[] }
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
export function withinBudget(candidates: Stmt, order: 'ASC' | 'DESC', maxBytes: number): Stmt {
  return {
    sql:
      `SELECT ${EVENT_COLUMNS}, m.n AS n FROM (` +
      `SELECT p, count(*) OVER () AS n, sum(sz) OVER (ORDER BY p ${order} ROWS UNBOUNDED PRECEDING) AS run, ` +
      `row_number() OVER (ORDER BY p ${order}) AS k FROM (${candidates.sql})` +
      `) m CROSS JOIN events ON events.position = m.p WHERE m.run <= ? OR m.k = 1 ORDER BY m.p ${order}`,
    args: [...candidates.args, maxBytes],
  }
}

/**
 * The usual form of a budgeted page: the plain read (`rows`: EVENT_COLUMNS in page order,
 * no LIMIT) when its candidates' total size is within `maxBytes`, which needs no window
 * functions and no join back (measured: a 100-event page costs ~1.3x an unbudgeted read
 * instead of ~2x). The sum reads only lengths (see EVENT_SIZE). Each row carries `fits`;
 * when the candidates do not fit, the read stops after one event (`fits` 0) and the page
 * is read again with withinBudget, so a database response never carries more than the
 * budget plus one event, and an empty page is still one statement.
 */
export function ifWithinBudget(candidates: Stmt, rows: Stmt, limit: number, maxBytes: number): Stmt {
  return {
    sql:
      `WITH f AS (SELECT coalesce(sum(sz), 0) <= ? AS ok FROM (${candidates.sql})) ` +
      `${rows.sql.replace(/^SELECT /, 'SELECT (SELECT ok FROM f) AS fits, ')} LIMIT (SELECT CASE WHEN ok THEN ? ELSE 1 END FROM f)`,
    args: [maxBytes, ...candidates.args, ...rows.args, limit],
  }
}
