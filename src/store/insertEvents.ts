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
 * cells (pushEventCells). insertStatements binds what a run of rows shares once; groupInSql.ts binds the event's
 * cells per row and computes the rest in SQL.
 */
export const INSERT_EVENTS = 'INSERT INTO events (position, stream, revision, category, stream_hash, time, id, type, data, metadata, tags)'
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

/**
 * A run: consecutive rows of one stream (or of none) whose positions and revisions both
 * count up by one. Its INSERT binds what the rows share once (?1-?6: first position,
 * stream, first revision, category, hash, time; ?7: all ids in one blob; ?8: the type,
 * when every row has the same) and per row only what differs: data, and type, metadata
 * and tags where some row has them. A row's offset in the run is a literal, from which
 * SQL computes position, revision and the id's slice. Why: the driver's binding of a
 * value costs 0.1-0.7 µs (strings and blobs the most), far more than SQLite's work on
 * it; eleven bound cells per row were a third of an append's time
 * (docs/performance.md, "In process against a plain client").
 */
const RUN_CELLS = 8
/** a whole row's cells, as INSERT_EVENTS lists them */
const ROW_CELLS = 11
const RUN_ROW_CELLS = 4

// Rows per multi-row INSERT and ids per IN list, capped by the driver's bound-parameter
// limit (D1 and Durable Objects take 100 per statement; SQLite's default is 32766).
export const chunkSizes = (maxParams = 32766) => ({
  /** rows per INSERT of insertStatements: RUN_CELLS once, at most RUN_ROW_CELLS per row */
  rows: Math.max(1, Math.min(500, Math.floor((maxParams - RUN_CELLS) / RUN_ROW_CELLS))),
  /** whole rows per INSERT of short runs' rows */
  cellRows: Math.max(1, Math.min(500, Math.floor(maxParams / ROW_CELLS))),
  /** rows per INSERT ... SELECT of groupInSql.ts */
  sqlRows: Math.max(1, Math.floor((maxParams - SQL_STATEMENT_CELLS) / SQL_ROW_CELLS)),
  inList: Math.min(500, maxParams),
  tagPairs: Math.min(500, Math.floor(maxParams / 2)),
})
export type ChunkSizes = ReturnType<typeof chunkSizes>


interface Shape {
  rows: number
  sharedType: boolean
  metadata: boolean
  tags: boolean
}

const runSql = new Map<string, string>()
function insertRunSql(shape: Shape): string {
  const key = `${shape.rows}${shape.sharedType ? 't' : ''}${shape.metadata ? 'm' : ''}${shape.tags ? 'g' : ''}`
  let s = runSql.get(key)
  if (s) return s
  // per row: the literal offset (column1), then data and the optional cells, in this order
  const cells = 1 + (shape.sharedType ? 0 : 1) + (shape.metadata ? 1 : 0) + (shape.tags ? 1 : 0)
  let c = 2
  const data = `v.column${c++}`
  const type = shape.sharedType ? '?8' : `v.column${c++}`
  const metadata = shape.metadata ? `v.column${c++}` : 'NULL'
  const tags = shape.tags ? `v.column${c++}` : 'NULL'
  const row = ', ?'.repeat(cells)
  const values: string[] = []
  for (let k = 0; k < shape.rows; k++) values.push(`(${k}${row})`)
  // Without ?8 in the text, the first per-row `?` is ?8: SQLite numbers a bare `?` one
  // past the largest number so far (https://sqlite.org/lang_expr.html#varparam).
  s =
    `${INSERT_EVENTS} SELECT ?1 + v.column1, ?2, ?3 + v.column1, ?4, ?5, ?6, substr(?7, 16 * v.column1 + 1, 16), ` +
    `${type}, ${data}, ${metadata}, ${tags} FROM (VALUES ${values.join(', ')}) AS v`
  runSql.set(key, s)
  return s
}

function insertRun(rows: Row[], time: number): Statement {
  const first = rows[0]
  const type = first.event.type
  let sharedType = true
  let metadata = false
  let tags = false
  const ids = new Uint8Array(16 * rows.length)
  for (let k = 0; k < rows.length; k++) {
    const e = rows[k].event
    if (e.type !== type) sharedType = false
    if (e.metadata !== null) metadata = true
    if (e.tags.length) tags = true
    ids.set(e.idBytes, 16 * k)
  }
  const [category, hash] = streamCells(first.stream)
  const args: SqlValue[] = [first.position, first.stream, first.revision, category, hash, time, ids]
  if (sharedType) args.push(type)
  for (const { event: e } of rows) {
    args.push(e.data)
    if (!sharedType) args.push(e.type)
    if (metadata) args.push(e.metadata)
    if (tags) args.push(e.tags.length ? JSON.stringify(e.tags) : null)
  }
  return { sql: insertRunSql({ rows: rows.length, sharedType, metadata, tags }), args }
}

/**
 * Runs shorter than this go in one multi-row INSERT of whole rows (every cell bound): a
 * statement of its own per short run (100 single-event appends to 100 streams) costs more
 * than the cells it saves. Measured here: per event, 100 one-row runs as runs ~13-15 µs,
 * as rows ~7-11 µs; 8 runs of 100 as runs ~3 µs, as rows ~5-7 µs (durability normal).
 */
const MIN_RUN = 4

const rowsSql = new Map<number, string>()
function insertRowsSql(n: number): string {
  let s = rowsSql.get(n)
  if (!s) {
    s = `${INSERT_EVENTS} VALUES ${valueRows(n, ROW_CELLS)}`
    rowsSql.set(n, s)
  }
  return s
}

function insertRows(rows: Row[], time: number): Statement {
  const args: SqlValue[] = []
  for (const r of rows) {
    const [category, hash] = streamCells(r.stream)
    args.push(r.position, r.stream, r.revision, category, hash, time)
    pushEventCells(args, r.event)
  }
  return { sql: insertRowsSql(rows.length), args }
}

/**
 * One transaction's statements: an INSERT per run of at most `chunks.rows` rows, the rows
 * of short runs together in INSERTs of at most `chunks.cellRows` whole rows, then the tags.
 */
export function insertStatements(rows: Row[], time: number, chunks: ChunkSizes): Statement[] {
  const stmts: Statement[] = []
  let loose: Row[] = []
  for (let i = 0; i < rows.length; ) {
    const start = rows[i]
    let j = i + 1
    while (
      j < rows.length &&
      j - i < chunks.rows &&
      rows[j].stream === start.stream &&
      rows[j].position === start.position + (j - i) &&
      (start.revision === null || rows[j].revision === start.revision + (j - i))
    ) j++
    if (j - i >= MIN_RUN) stmts.push(insertRun(rows.slice(i, j), time))
    else
      for (let k = i; k < j; k++) {
        loose.push(rows[k])
        if (loose.length === chunks.cellRows) {
          stmts.push(insertRows(loose, time))
          loose = []
        }
      }
    i = j
  }
  if (loose.length) stmts.push(insertRows(loose, time))
  const tagRows: SqlValue[] = []
  for (const r of rows) for (const t of r.event.tags) tagRows.push(t, r.position)
  for (let i = 0; i < tagRows.length; i += 2 * chunks.tagPairs) {
    const chunk = tagRows.slice(i, i + 2 * chunks.tagPairs)
    stmts.push({ sql: `INSERT INTO event_tags (tag, position) VALUES ${valueRows(chunk.length / 2, 2)}`, args: chunk })
  }
  return stmts
}
