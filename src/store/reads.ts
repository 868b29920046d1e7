import type { Db, SqlValue } from './db.ts'
import type { EventList, EventReader, QueryItem, QueryOptions, ReadAllOptions, ReadCategoryOptions, ReadStreamOptions, StreamHead } from '../core/types.ts'
import { EVENT_SIZE, ifWithinBudget, withinBudget } from './budget.ts'
import { matchingPositions } from './query.ts'
import { EVENT_COLUMNS, LAST_POSITION, PACKED_COLUMNS, packedEvents, packedPage, toStoredEvent } from './rows.ts'
import { visibleRow } from './lifecycleSql.ts'
import type { SqlResult } from './db.ts'

type Stmt = { sql: string; args: SqlValue[] }

/** deleted or truncated rows not yet removed by the retention pass are never read */
const VISIBLE = visibleRow('events')

/** The event at a position, if it is this stream's at this revision and visible (args: position, stream, revision). */
const LAST_EVENT = `SELECT ${EVENT_COLUMNS} FROM events WHERE position = ? AND stream = ? AND revision = ? AND ${VISIBLE} LIMIT 1`

/**
 * A page read: `stmt`, and with a byte budget `cut`, the same page read by withinBudget,
 * run only when `stmt`'s first row says its candidates did not fit (`fits` 0). `packed`:
 * `stmt` reads the page as one row (rows.ts packedPage), `descending` its order. `cut` reads
 * rows: a page over the budget is one of large events, where a row costs little beside its
 * bytes, and SQLite's joining of megabytes (group_concat growing its buffer) costs more
 * (measured: a 4 MiB page of 255 KB events ~3.0 ms as rows, ~4.8 ms as one row).
 */
type Page = { stmt: Stmt; cut?: Stmt; packed?: boolean; descending?: boolean }

/** `stmt` as it is, or `packed` into one row (Db.packsPages); `extra`: the budget columns it carries. */
const formed = (packed: boolean, stmt: Stmt, extra: string[]): Stmt => (packed ? { sql: packedPage(stmt.sql, extra), args: stmt.args } : stmt)

/** bound values per statement every backend takes (D1 and Durable Objects: 100) */
const MAX_BOUND = 100

/** The positions a query selects, in order, with their sizes (`p`, `sz`). */
const sizedAt = (items: QueryItem[], from: number, limit: number): Stmt => {
  const m = matchingPositions(items, from, limit)
  return { sql: `SELECT m.p AS p, ${EVENT_SIZE} AS sz FROM (${m.sql}) m CROSS JOIN events ON events.position = m.p`, args: m.args }
}

/** The events at the positions a query selects, in order (the positions drive: CROSS JOIN). */
function dcbPage(packed: boolean, items: QueryItem[], from: number, limit: number, maxBytes: number | undefined): Page {
  const columns = packed ? PACKED_COLUMNS : EVENT_COLUMNS
  const m = matchingPositions(items, from, limit)
  const rows = { sql: `SELECT ${columns} FROM (${m.sql}) m CROSS JOIN events ON events.position = m.p ORDER BY m.p`, args: m.args }
  if (maxBytes === undefined) return { stmt: formed(packed, rows, []), packed }
  const sized = sizedAt(items, from, limit)
  const cut = withinBudget(sized, 'ASC', maxBytes)
  const gated = formed(packed, ifWithinBudget(sized, rows, limit, maxBytes), ['fits'])
  // The gated read binds the query's values twice: past what D1 and Durable Objects bind
  // per statement (many types and tags), the page is read by withinBudget alone.
  return gated.args.length > MAX_BOUND ? { stmt: cut } : { stmt: gated, cut, packed }
}

/**
 * One page read: `where` over events in page order, at most `limit` rows. With a byte
 * budget, the plain read when the candidates fit (ifWithinBudget), else only the positions
 * and sizes of the candidates are read first, inside the same statement (withinBudget).
 */
function page(packed: boolean, filter: string, args: SqlValue[], order: string, limit: number, maxBytes: number | undefined): Page {
  const where = `${filter} AND ${VISIBLE}`
  const select = (columns: string) => ({ sql: `SELECT ${columns} FROM events WHERE ${where} ORDER BY ${order}`, args })
  // A page always holds its first event: one event needs no sizing (the last event of a
  // stream), and a literal LIMIT 1 lets the local driver step the statement once (sqlite.ts).
  if (limit === 1) return { stmt: { sql: `${select(EVENT_COLUMNS).sql} LIMIT 1`, args } }
  const descending = / DESC$/.test(order)
  const columns = packed ? PACKED_COLUMNS : EVENT_COLUMNS
  const rows = select(columns)
  if (maxBytes === undefined || limit < 1) return { stmt: formed(packed, { sql: `${rows.sql} LIMIT ?`, args: [...args, limit] }, []), packed, descending }
  const candidates = { sql: `SELECT position AS p, ${EVENT_SIZE} AS sz FROM events WHERE ${where} ORDER BY ${order} LIMIT ?`, args: [...args, limit] }
  return {
    stmt: formed(packed, ifWithinBudget(candidates, rows, limit, maxBytes), ['fits']),
    cut: withinBudget(candidates, descending ? 'DESC' : 'ASC', maxBytes),
    packed,
    descending,
  }
}

/** Rows (or the one row of a `packed` page) to events; `cut` when the budget left candidates out (`n`, withinBudget's count of candidates). */
function toList(rs: SqlResult, page?: Page): EventList {
  const events: EventList = page?.packed ? packedEvents(rs.rows[0], page.descending === true) : rs.rows.map(toStoredEvent)
  if (events.length && rs.rows[0].n != null && Number(rs.rows[0].n) > events.length) events.cut = true
  return events
}

/** Whether a page read by ifWithinBudget must be read again by withinBudget. */
const overBudget = (rs: SqlResult) => rs.rows.length > 0 && rs.rows[0].fits != null && !Number(rs.rows[0].fits)

export interface ReaderOptions {
  /** the sole writer's committed head of a stream, when it has one in memory (commitGroup.ts) */
  trustedHead?: (stream: string) => { revision: number; position: number } | undefined
}

/** Keyset reads over the indexes: a page costs the same at any depth of the log. */
export function createReader(db: Db, options: ReaderOptions = {}): EventReader {
  const { trustedHead } = options
  const packed = db.packsPages === true
  const run = async (p: Page) => {
    const rs = await db.execute(p.stmt)
    return p.cut && overBudget(rs) ? toList(await db.execute(p.cut)) : toList(rs, p)
  }

  return {
    async readStream(stream: string, { from, limit, direction, maxBytes }: ReadStreamOptions) {
      // The last event of a stream whose head the sole writer knows (what a command handler
      // reads): its row by position, the table's key, instead of a search of the (stream,
      // revision) index and then of the table (~5-8% less per request, in process). No row
      // (retention removed it): the index read below.
      const known = limit === 1 && direction === 'backward' ? trustedHead?.(stream) : undefined
      if (known && (from === undefined || from >= known.revision)) {
        const rs = await db.execute({ sql: LAST_EVENT, args: [known.position, stream, known.revision] })
        if (rs.rows.length) return toList(rs)
      }
      return direction === 'forward'
        ? run(page(packed, 'stream = ? AND revision >= ?', [stream, from ?? 0], 'revision', limit, maxBytes))
        : run(page(packed, 'stream = ? AND revision <= ?', [stream, from ?? Number.MAX_SAFE_INTEGER], 'revision DESC', limit, maxBytes))
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
      if (types?.length || tags?.length) return run(dcbPage(packed, [{ types, tags }], from, limit, maxBytes))
      return run(page(packed, 'position >= ?', [from], 'position', limit, maxBytes))
    },

    readCategory(category: string, { from, limit, member, size, maxBytes }: ReadCategoryOptions) {
      if (size === undefined || member === undefined) return run(page(packed, 'category = ? AND position >= ?', [category, from], 'position', limit, maxBytes))
      return run(page(packed, 'category = ? AND position >= ? AND stream_hash % ? = ?', [category, from, size, member], 'position', limit, maxBytes))
    },

    async query(items: QueryItem[], { from, limit, maxBytes }: QueryOptions) {
      // One read transaction: the page and the position it is consistent with.
      const q = dcbPage(packed, items, from, limit, maxBytes)
      const [rows, last] = await db.batch([q.stmt, LAST_POSITION], 'read')
      if (q.cut && overBudget(rows)) {
        const [cut, at] = await db.batch([q.cut, LAST_POSITION], 'read')
        return { events: toList(cut), position: Number(at.rows[0].p) }
      }
      return { events: toList(rows, q), position: Number(last.rows[0].p) }
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
