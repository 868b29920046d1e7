import { sql } from 'drizzle-orm'
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * One row per event. `position` is the rowid, so the global order is the table's own
 * order and a keyset read by position walks the primary b-tree. The database enforces
 * the invariants: one event per (stream, revision), one event per id.
 */
export const events = sqliteTable(
  'events',
  {
    position: integer('position').primaryKey(),
    // 16-byte UUID: half the size of its text form in the unique index (DESIGN.md).
    id: blob('id', { mode: 'buffer' }).notNull(),
    // null for stream-less (DCB) events, which are addressed by tags only.
    stream: text('stream'),
    revision: integer('revision'),
    category: text('category'),
    // stable hash of the stream id, for consumer groups (member = hash % size)
    streamHash: integer('stream_hash'),
    type: text('type').notNull(),
    time: integer('time').notNull(),
    data: blob('data', { mode: 'buffer' }),
    metadata: blob('metadata', { mode: 'buffer' }),
    // JSON array of tags as written, for reads; event_tags indexes them.
    tags: text('tags'),
  },
  (t) => [
    uniqueIndex('events_id').on(t.id),
    uniqueIndex('events_stream_revision').on(t.stream, t.revision),
    index('events_type_position').on(t.type, t.position),
    index('events_category_position').on(t.category, t.position),
  ],
)

/** Tag index: a query by tag is a range scan of (tag, position), not a table scan. */
export const eventTags = sqliteTable(
  'event_tags',
  {
    tag: text('tag').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tag, t.position] })],
)

/** Named consumers' checkpoints (a checkpoint never moves backwards). */
export const consumers = sqliteTable('consumers', {
  name: text('name').primaryKey(),
  position: integer('position').notNull(),
  updatedAt: integer('updated_at').notNull().default(sql`(unixepoch() * 1000)`),
})
