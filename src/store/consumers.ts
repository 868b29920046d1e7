import type { Db } from './db.ts'
import type { Checkpoint, ConsumerStore } from '../core/consumers.ts'

const toCheckpoint = (row: Record<string, unknown>): Checkpoint => ({
  name: row.name as string,
  position: Number(row.position),
  updatedAt: Number(row.updated_at),
})

/**
 * Checkpoints in the `consumers` table. The database keeps them monotonic: the upsert only
 * updates when the new position is not lower, so two racing savers (two connections with
 * the same consumer name, or a PUT beside a subscription) can never move one backwards.
 */
export function createConsumerStore(db: Db): ConsumerStore {
  return {
    async get(name) {
      const rs = await db.execute({ sql: 'SELECT name, position, updated_at FROM consumers WHERE name = ?', args: [name] })
      return rs.rows[0] ? toCheckpoint(rs.rows[0]) : null
    },

    async save(name, position, options) {
      // One transaction, one round trip to a remote server: upsert, then read what is stored.
      const [, rs] = await db.batch(
        [
          {
            sql:
              'INSERT INTO consumers (name, position, updated_at) VALUES (?, ?, ?) ' +
              'ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at ' +
              'WHERE excluded.position >= consumers.position',
            args: [name, position, Date.now()],
          },
          { sql: 'SELECT name, position, updated_at FROM consumers WHERE name = ?', args: [name] },
        ],
        'write',
        options,
      )
      return toCheckpoint(rs.rows[0])
    },
  }
}
