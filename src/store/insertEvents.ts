import { categoryOf, streamHash } from '../core/streams.ts'
import type { ProposedEvent } from '../core/types.ts'
import type { SqlValue, Statement } from './db.ts'
import { valueRows } from './rows.ts'

/** An accepted event with its place in the log. */
export interface Row {
  position: number
  event: ProposedEvent
  stream: string | null
  revision: number | null
}

/**
 * The columns of an event row, in the order both append paths write them: its place in
 * the log and its stream's cells (streamCells), the time, then the event's own five
 * cells (pushEventCells). insertStatements binds all 11; groupInSql.ts binds the event's
 * cells per row and computes the rest in SQL.
 */
export const INSERT_EVENTS = 'INSERT INTO events (position, stream, revision, category, stream_hash, time, id, type, data, metadata, tags)'
const ROW_CELLS = 11
/** groupInSql's rows: k and the event's five cells each, and six per statement (stream, head, category, hash, time). */
const SQL_ROW_CELLS = 6
const SQL_STATEMENT_CELLS = 6

/** The cells an event's stream gives its row: category and hash, null for an event in no stream. */
export const streamCells = (stream: string | null): [string | null, number | null] =>
  stream === null ? [null, null] : [categoryOf(stream), streamHash(stream)]

/** Pushes the event's own cells, in INSERT_EVENTS' order: id, type, data, metadata, tags. */
export function pushEventCells(args: SqlValue[], e: ProposedEvent): void {
  args.push(e.idBytes, e.type, e.data, e.metadata, e.tags.length ? JSON.stringify(e.tags) : null)
}

// Rows per multi-row INSERT and ids per IN list, capped by the driver's bound-parameter
// limit (D1 takes 100 per statement; SQLite's default is 32766).
export const chunkSizes = (maxParams = 32766) => ({
  rows: Math.max(1, Math.min(500, Math.floor(maxParams / ROW_CELLS))),
  /** rows per INSERT ... SELECT of groupInSql.ts */
  sqlRows: Math.max(1, Math.floor((maxParams - SQL_STATEMENT_CELLS) / SQL_ROW_CELLS)),
  inList: Math.min(500, maxParams),
  tagPairs: Math.min(500, Math.floor(maxParams / 2)),
})
export type ChunkSizes = ReturnType<typeof chunkSizes>

const insertSql = new Map<number, string>()
function insertEventsSql(n: number): string {
  let s = insertSql.get(n)
  if (!s) {
    s = `${INSERT_EVENTS} VALUES ${valueRows(n, ROW_CELLS)}`
    insertSql.set(n, s)
  }
  return s
}

/** One transaction's statements: multi-row INSERTs of the events, then of their tags. */
export function insertStatements(rows: Row[], time: number, chunks: ChunkSizes): Statement[] {
  const stmts: Statement[] = []
  for (let i = 0; i < rows.length; i += chunks.rows) {
    const chunk = rows.slice(i, i + chunks.rows)
    const args: SqlValue[] = []
    for (const r of chunk) {
      const [category, hash] = streamCells(r.stream)
      args.push(r.position, r.stream, r.revision, category, hash, time)
      pushEventCells(args, r.event)
    }
    stmts.push({ sql: insertEventsSql(chunk.length), args })
  }
  const tagRows: SqlValue[] = []
  for (const r of rows) for (const t of r.event.tags) tagRows.push(t, r.position)
  for (let i = 0; i < tagRows.length; i += 2 * chunks.tagPairs) {
    const chunk = tagRows.slice(i, i + 2 * chunks.tagPairs)
    stmts.push({ sql: `INSERT INTO event_tags (tag, position) VALUES ${valueRows(chunk.length / 2, 2)}`, args: chunk })
  }
  return stmts
}
