import type { Db, SqlValue } from './db.ts'
import type { EventList, EventReader, QueryItem, QueryOptions, ReadAllOptions, ReadCategoryOptions, ReadStreamOptions, StreamHead } from '../core/types.ts'
import { EVENT_SIZE, withinBudget } from './budget.ts'
import { matchingPositions } from './query.ts'
import { EVENT_COLUMNS, LAST_POSITION, toStoredEvent } from './rows.ts'
import { visibleRow } from './lifecycleSql.ts'
import type { SqlResult } from './db.ts'

type Stmt = { sql: string; args: SqlValue[] }

/** deleted or truncated rows not yet removed by the retention pass are never read */
const VISIBLE = visibleRow('events')

/** The events at the positions a query selects, in order (the positions drive: CROSS JOIN). */
const eventsAt = (items: QueryItem[], from: number, limit: number): Stmt => {
  const m = matchingPositions(items, from, limit)
  return { sql: `SELECT ${EVENT_COLUMNS} FROM (${m.sql}) m CROSS JOIN events ON events.position = m.p ORDER BY m.p`, args: m.args }
}

/** The same positions with each event's size, as withinBudget's candidates. */
const sizedAt = (items: QueryItem[], from: number, limit: number): Stmt => {
  const m = matchingPositions(items, from, limit)
  return { sql: `SELECT m.p AS p, ${EVENT_SIZE} AS sz FROM (${m.sql}) m CROSS JOIN events ON events.position = m.p`, args: m.args }
}

/**
 * One page read: `where` over events in page order, at most `limit` rows. With a byte
 * budget only the positions and sizes of the candidates are read first, inside the same
 * statement (see withinBudget); without one, the rows directly.
 */
function page(filter: string, args: SqlValue[], order: string, limit: number, maxBytes: number | undefined): { stmt: Stmt; budget: boolean } {
  const where = `${filter} AND ${VISIBLE}`
  // A page always holds its first event: one event needs no sizing (the last event of a stream).
  if (maxBytes === undefined || limit <= 1) return { stmt: { sql: `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where} ORDER BY ${order} LIMIT ?`, args: [...args, limit] }, budget: false }
  const dir = / DESC$/.test(order) ? 'DESC' : 'ASC'
  const candidates = { sql: `SELECT position AS p, ${EVENT_SIZE} AS sz FROM events WHERE ${where} ORDER BY ${order} LIMIT ?`, args: [...args, limit] }
  return { stmt: withinBudget(candidates, dir, maxBytes), budget: true }
}

/** Rows to events; `cut` when the budget left candidates out. */
function toList(rs: SqlResult, budget: boolean): EventList {
  const events: EventList = rs.rows.map(toStoredEvent)
  if (budget && rs.rows.length && Number(rs.rows[0].n) > rs.rows.length) events.cut = true
  return events
}

export interface ReaderOptions {
  /** the sole writer's committed head of a stream, when it has one in memory (commitGroup.ts) */
  trustedHead?: (stream: string) => { revision: number; position: number } | undefined
}

/** Keyset reads over the indexes: a page costs the same at any depth of the log. */
export function createReader(db: Db, options: ReaderOptions = {}): EventReader {
  const { trustedHead } = options
  const run = async ({ stmt, budget }: { stmt: Stmt; budget: boolean }) => toList(await db.execute(stmt), budget)
  const dcb = (items: QueryItem[], from: number, limit: number, maxBytes: number | undefined) =>
    maxBytes === undefined
      ? { stmt: eventsAt(items, from, limit), budget: false }
      : { stmt: withinBudget(sizedAt(items, from, limit), 'ASC', maxBytes), budget: true }

  return {
    readStream(stream: string, { from, limit, direction, maxBytes }: ReadStreamOptions) {
      return direction === 'forward'
        ? run(page('stream = ? AND revision >= ?', [stream, from ?? 0], 'revision', limit, maxBytes))
        : run(page('stream = ? AND revision <= ?', [stream, from ?? Number.MAX_SAFE_INTEGER], 'revision DESC', limit, maxBytes))
    },

    async head(stream: string): Promise<StreamHead | null> {
      const known = trustedHead?.(stream)
      if (known) return { stream, revision: known.revision, position: known.position }
      const rs = await db.execute({
        sql: `SELECT revision, position FROM events WHERE stream = ? AND ${VISIBLE} ORDER BY revision DESC LIMIT 1`,
        args: [stream],
      })
      const row = rs.rows[0]
      return row ? { stream, revision: Number(row.revision), position: Number(row.position) } : null
    },

    readAll({ from, limit, types, tags, maxBytes }: ReadAllOptions) {
      // A type or tag filter is a one-item DCB query: index ranges, never a scan.
      if (types?.length || tags?.length) return run(dcb([{ types, tags }], from, limit, maxBytes))
      return run(page('position >= ?', [from], 'position', limit, maxBytes))
    },

    readCategory(category: string, { from, limit, member, size, maxBytes }: ReadCategoryOptions) {
      if (size === undefined || member === undefined) return run(page('category = ? AND position >= ?', [category, from], 'position', limit, maxBytes))
      return run(page('category = ? AND position >= ? AND stream_hash % ? = ?', [category, from, size, member], 'position', limit, maxBytes))
    },

    async query(items: QueryItem[], { from, limit, maxBytes }: QueryOptions) {
      // One read transaction: the page and the position it is consistent with.
      const q = dcb(items, from, limit, maxBytes)
      const [rows, last] = await db.batch([q.stmt, LAST_POSITION], 'read')
      return { events: toList(rows, q.budget), position: Number(last.rows[0].p) }
    },

    async lastPosition() {
      const rs = await db.execute(LAST_POSITION)
      return Number(rs.rows[0].p)
    },

    async ping() {
      await db.execute('SELECT 1')
    },
  }
}
