import { categoryOf, streamHash } from '../core/streams.ts'
import type { ProposedEvent } from '../core/types.ts'
import type { SqlValue, Statement } from './db.ts'

/** An accepted event with its place in the log. */
export interface Row {
  position: number
  event: ProposedEvent
  stream: string | null
  revision: number | null
}

// Rows per multi-row INSERT and ids per IN list, capped by the driver's bound-parameter
// limit (D1 takes 100 per statement; SQLite's default is 32766).
const INSERT_COLUMNS = 11
export const chunkSizes = (maxParams = 32766) => ({
  rows: Math.max(1, Math.min(500, Math.floor(maxParams / INSERT_COLUMNS))),
  inList: Math.min(500, maxParams),
  tagPairs: Math.min(500, Math.floor(maxParams / 2)),
})
const insertSql = new Map<number, string>()
function insertEventsSql(n: number): string {
  let s = insertSql.get(n)
  if (!s) {
    s =
      'INSERT INTO events (position, id, stream, revision, category, stream_hash, type, time, data, metadata, tags) VALUES ' +
      Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')
    insertSql.set(n, s)
  }
  return s
}

/** One transaction's statements: multi-row INSERTs of the events, then of their tags. */
export function insertStatements(rows: Row[], time: number, chunks: ReturnType<typeof chunkSizes>): Statement[] {
  const stmts: Statement[] = []
  for (let i = 0; i < rows.length; i += chunks.rows) {
    const chunk = rows.slice(i, i + chunks.rows)
    const args: SqlValue[] = []
    for (const r of chunk) {
      const e = r.event
      args.push(
        r.position,
        e.idBytes,
        r.stream,
        r.revision,
        r.stream === null ? null : categoryOf(r.stream),
        r.stream === null ? null : streamHash(r.stream),
        e.type,
        time,
        e.data,
        e.metadata,
        e.tags.length ? JSON.stringify(e.tags) : null,
      )
    }
    stmts.push({ sql: insertEventsSql(chunk.length), args })
  }
  const tagRows: SqlValue[] = []
  for (const r of rows) for (const t of r.event.tags) tagRows.push(t, r.position)
  for (let i = 0; i < tagRows.length; i += 2 * chunks.tagPairs) {
    const chunk = tagRows.slice(i, i + 2 * chunks.tagPairs)
    stmts.push({
      sql: 'INSERT INTO event_tags (tag, position) VALUES ' + Array.from({ length: chunk.length / 2 }, () => '(?, ?)').join(', '),
      args: chunk,
    })
  }
  return stmts
}

