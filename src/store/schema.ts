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
    // 16-byte UUID: half the size of its text form in the unique index.
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

/**
 * Data lifecycle (docs/api.md "Data lifecycle"): one row per stream that lost events to a
 * delete, a truncation or retention. Removed events leave no row in `events`, so this row
 * keeps what they must not take with them: the stream's head (revisions continue from it)
 * and the last position (positions are never reused, even when the log's last event goes).
 */
export const streamLifecycle = sqliteTable(
  'stream_lifecycle',
  {
    stream: text('stream').primaryKey(),
    // events below this revision are gone
    floor: integer('floor').notNull().default(0),
    // the highest revision and position removed from this stream
    lastRevision: integer('last_revision').notNull(),
    lastPosition: integer('last_position').notNull(),
    // soft delete: the head at the delete; the stream reads as deleted while its head is still this
    deletedRevision: integer('deleted_revision'),
    // hard delete (tombstone): the stream can never be written or read again
    hard: integer('hard').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('stream_lifecycle_last_position').on(t.lastPosition)],
)

/**
 * Streams whose deleted or truncated events are hidden from every read but whose rows are
 * still there: a delete or truncation of more than one retention batch records `below`
 * (the stream's floor) here in one short transaction, and the retention pass removes the
 * rows in RETENTION_BATCH steps, deleting this row with the last of them.
 */
export const removalBacklog = sqliteTable('removal_backlog', {
  stream: text('stream').primaryKey(),
  below: integer('below').notNull(),
})

/** Retention policies: per stream or per category, a maximum age (ms) and/or count. */
export const retention = sqliteTable(
  'retention',
  {
    scope: text('scope', { enum: ['stream', 'category'] }).notNull(),
    name: text('name').notNull(),
    maxAgeMs: integer('max_age_ms'),
    maxCount: integer('max_count'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.name] })],
)

/**
 * Crypto-shredding (docs/api.md "Erasure"): one key per data subject, wrapped by the master
 * key (ENCRYPTION_KEY) whose fingerprint is `kek`. Erasure replaces the row with one whose
 * `wrapped` is NULL: the subject's events can never be decrypted again.
 */
export const subjectKeys = sqliteTable('subject_keys', {
  subject: text('subject').primaryKey(),
  wrapped: blob('wrapped', { mode: 'buffer' }),
  kek: text('kek').notNull(),
  createdAt: integer('created_at').notNull(),
  erasedAt: integer('erased_at'),
})
