import type { Db } from './db.ts'
import type { EventReader, QueryItem, QueryOptions, ReadAllOptions, ReadCategoryOptions, ReadStreamOptions, StreamHead } from '../core/types.ts'
import { matchingPositions } from './query.ts'
import { EVENT_COLUMNS, toStoredEvent } from './rows.ts'

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
      if (tags?.length) return (await db.execute(eventsAt([{ types, tags }], from, limit))).rows.map(toStoredEvent)
      if (!types?.length) {
        return select(`SELECT ${EVENT_COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`, [from, limit])
      }
      // One index range per type, merged: never more than `limit` rows read per type,
      // however many events of those types the log holds.
      const parts = types.map(() => `SELECT * FROM (SELECT ${EVENT_COLUMNS} FROM events WHERE type = ? AND position >= ? ORDER BY position LIMIT ?)`)
      const args = types.flatMap((t) => [t, from, limit])
      return select(`${parts.join(' UNION ALL ')} ORDER BY position LIMIT ?`, [...args, limit])
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
      const [page, last] = await db.batch([eventsAt(items, from, limit), 'SELECT coalesce(max(position), 0) AS p FROM events'], 'read')
      return { events: page.rows.map(toStoredEvent), position: Number(last.rows[0].p) }
    },

    async lastPosition() {
      const rs = await db.execute('SELECT coalesce(max(position), 0) AS p FROM events')
      return Number(rs.rows[0].p)
    },

    async ping() {
      await db.execute('SELECT 1')
    },
  }
}
