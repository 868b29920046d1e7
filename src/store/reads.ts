import type { Db } from './db.ts'
import type { EventReader, QueryItem, QueryOptions, ReadAllOptions, ReadCategoryOptions, ReadStreamOptions, StreamHead } from '../core/types.ts'
import { matchingPositions } from './query.ts'
import { EVENT_COLUMNS, LAST_POSITION, toStoredEvent } from './rows.ts'

/** The events at the positions a query selects, in order (the positions drive: CROSS JOIN). */
const eventsAt = (items: QueryItem[], from: number, limit: number) => {
  const m = matchingPositions(items, from, limit)
  return { sql: `SELECT ${EVENT_COLUMNS} FROM (${m.sql}) m CROSS JOIN events ON events.position = m.p ORDER BY m.p`, args: m.args }
}

/** Keyset reads over the indexes: a page costs the same at any depth of the log. */
export function createReader(db: Db): EventReader {
  const select = async (sql: string, args: Array<string | number>) =>
    (await db.execute({ sql, args })).rows.map(toStoredEvent)

  return {
    readStream(stream: string, { from, limit, direction }: ReadStreamOptions) {
      return direction === 'forward'
        ? select(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`, [stream, from ?? 0, limit])
        : select(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`, [stream, from ?? Number.MAX_SAFE_INTEGER, limit])
    },

    async head(stream: string): Promise<StreamHead | null> {
      const rs = await db.execute({
        sql: 'SELECT revision, position FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
        args: [stream],
      })
      const row = rs.rows[0]
      return row ? { stream, revision: Number(row.revision), position: Number(row.position) } : null
    },

    async readAll({ from, limit, types, tags }: ReadAllOptions) {
      // A type or tag filter is a one-item DCB query: index ranges, never a scan.
      if (types?.length || tags?.length) return (await db.execute(eventsAt([{ types, tags }], from, limit))).rows.map(toStoredEvent)
      return select(`SELECT ${EVENT_COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`, [from, limit])
    },

    readCategory(category: string, { from, limit, member, size }: ReadCategoryOptions) {
      if (size === undefined || member === undefined) {
        return select(`SELECT ${EVENT_COLUMNS} FROM events WHERE category = ? AND position >= ? ORDER BY position LIMIT ?`, [category, from, limit])
      }
      return select(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE category = ? AND position >= ? AND stream_hash % ? = ? ORDER BY position LIMIT ?`,
        [category, from, size, member, limit],
      )
    },

    async query(items: QueryItem[], { from, limit }: QueryOptions) {
      // One read transaction: the page and the position it is consistent with.
      const [page, last] = await db.batch([eventsAt(items, from, limit), LAST_POSITION], 'read')
      return { events: page.rows.map(toStoredEvent), position: Number(last.rows[0].p) }
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
