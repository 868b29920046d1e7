import { ANY, NO_STREAM, STREAM_EXISTS, type ExpectedRevision } from '../core/expectedRevision.ts'
import type { AppendCommand, AppendResult, AppendedEvent, ProposedEvent } from '../core/types.ts'
import type { SqlResult, SqlValue, Statement } from './db.ts'
import { ACTUAL_EXPR, actualArgs, HEAD_EXPR, LAST_POSITION_EXPR, NOT_TOMBSTONED } from './lifecycleSql.ts'
import { matchingPositions } from './query.ts'
import { resultFor } from './replay.ts'
import { INSERT_EVENTS, pushEventCells, streamCells, type ChunkSizes } from './insertEvents.ts'
import { placeholders, valueRows } from './rows.ts'

/**
 * A whole commit group as one write batch, with every condition evaluated in SQL: for a
 * remote server (one round trip, no interactive transaction) and for writers that share a
 * file. Each command's expectations become guards that abort the batch when they do not
 * hold; its rows take their revisions and positions from the database's own state at that
 * point of the transaction (RETURNING tells us which), so another process committing
 * between our read and this batch can never make it fail on a position. A refused guard
 * rolls the batch back; the caller then reads fresh, evaluates command by command, and
 * sends the commands that pass as a batch of this same shape (commitGroup.ts).
 *
 * The guard cannot rely on an expression that might not raise: it inserts a tag row with
 * a NULL tag, which SQLite's NOT NULL constraint always refuses. `IS NOT 1` fires for
 * false and for NULL alike.
 */
export const guard = (ok: string, args: SqlValue[]): Statement => ({
  sql: `INSERT INTO event_tags (tag, position) SELECT NULL, 0 WHERE (${ok}) IS NOT 1`,
  args,
})

// A stream's actual revision counts removed events (lifecycleSql.ts): a soft-deleted
// stream reads as no stream, and its revisions continue after the removed head.
function expectation(stream: string, expected: ExpectedRevision): Statement | undefined {
  if (expected === ANY) return undefined
  if (expected === NO_STREAM) return guard(`${ACTUAL_EXPR} IS NULL`, actualArgs(stream))
  if (expected === STREAM_EXISTS) return guard(`${ACTUAL_EXPR} IS NOT NULL`, actualArgs(stream))
  return guard(`${ACTUAL_EXPR} IS ?`, [...actualArgs(stream), expected])
}

/** Rows of one stream (or of none), numbered from 1 after the current head and last position. */
function insertRows(stream: string | null, events: ProposedEvent[], time: number): Statement {
  const args: SqlValue[] = []
  for (let k = 0; k < events.length; k++) {
    args.push(k + 1) // v.column1, then the event's cells: v.column2..6
    pushEventCells(args, events[k])
  }
  // INSERT ... SELECT reading its own table: SQLite computes every row before inserting
  // any, so the head and the last position are read once, before this statement's rows.
  const revision = stream === null ? 'NULL' : `${HEAD_EXPR} + v.column1`
  const sql =
    `${INSERT_EVENTS} ` +
    `SELECT ${LAST_POSITION_EXPR} + v.column1, ?, ${revision}, ?, ?, ?, v.column2, v.column3, v.column4, v.column5, v.column6 ` +
    `FROM (VALUES ${valueRows(events.length, 6)}) AS v ORDER BY v.column1 RETURNING position, revision`
  const head: SqlValue[] = stream === null ? [null] : [stream, stream, stream]
  return { sql, args: [...head, ...streamCells(stream), time, ...args] }
}

/** Tags of the events just inserted: positions counted back from the last one. */
/**
 * The tags of the rows just inserted, as (tag, offset from the last position) pairs, in
 * statements of at most `maxPairs` pairs (one event may carry 100 tags: 200 parameters,
 * twice D1's limit). No row is inserted between these statements, so max(position) holds.
 */
function insertTags(events: ProposedEvent[], maxPairs: number): Statement[] {
  const args: SqlValue[] = []
  events.forEach((e, k) => {
    for (const t of e.tags) args.push(t, events.length - 1 - k)
  })
  const stmts: Statement[] = []
  for (let i = 0; i < args.length; i += 2 * maxPairs) {
    const part = args.slice(i, i + 2 * maxPairs)
    stmts.push({ sql: `INSERT INTO event_tags (tag, position) SELECT v.column1, (SELECT max(position) FROM events) - v.column2 FROM (VALUES ${valueRows(part.length / 2, 2)}) AS v`, args: part })
  }
  return stmts
}

interface Part {
  command: number
  stream: string | null
  events: ProposedEvent[]
  statement: number
}

/**
 * The batch for a group, and how to read each command's result from the batch's results.
 * `chunks` bound the rows per INSERT and the ids per IN list (bound-parameter limits, e.g. D1's 100).
 */
export function groupInSql(commands: AppendCommand[], time: number, chunks: ChunkSizes) {
  const stmts: Statement[] = []
  const parts: Part[] = []
  const { sqlRows: maxRows, inList, tagPairs } = chunks
  // A condition's `after` must be a committed position: checked before any row of the group.
  for (const c of commands) {
    if (c.condition?.after !== undefined) stmts.push(guard(`? <= ${LAST_POSITION_EXPR}`, [c.condition.after]))
  }
  commands.forEach((c, command) => {
    for (const s of c.streams) {
      // A tombstoned (hard-deleted) stream takes no event, whatever the expectation.
      stmts.push(guard(NOT_TOMBSTONED, [s.stream]))
      const g = expectation(s.stream, s.expected)
      if (g) stmts.push(g)
    }
    const ids = [...c.streams.flatMap((s) => s.events), ...(c.events ?? [])].filter((e) => e.clientId).map((e) => e.idBytes)
    // A stored id means a retry or a reuse: the command-by-command path tells which.
    for (let i = 0; i < ids.length; i += inList) {
      const chunk = ids.slice(i, i + inList)
      stmts.push(guard(`NOT EXISTS (SELECT 1 FROM events WHERE id IN (${placeholders(chunk.length)}))`, chunk))
    }
    if (c.condition) {
      // Evaluated before this command's own rows, after those of earlier commands.
      const q = matchingPositions(c.condition.failIfEventsMatch, (c.condition.after ?? -1) + 1, 1)
      stmts.push(guard(`NOT EXISTS (${q.sql})`, q.args))
    }
    const add = (stream: string | null, events: ProposedEvent[]) => {
      for (let i = 0; i < events.length; i += maxRows) {
        const chunk = events.slice(i, i + maxRows)
        parts.push({ command, stream, events: chunk, statement: stmts.length })
        stmts.push(insertRows(stream, chunk, time))
        stmts.push(...insertTags(chunk, tagPairs))
      }
    }
    for (const s of c.streams) add(s.stream, s.events)
    if (c.events?.length) add(null, c.events)
  })

  /** Each command's result, from the RETURNING rows of its inserts. */
  function results(batch: SqlResult[]): AppendResult[] {
    const appended = commands.map(() => ({ streams: new Map<string, AppendedEvent[]>(), loose: [] as AppendedEvent[], position: 0 }))
    for (const p of parts) {
      // RETURNING's row order is unspecified; positions were assigned in event order
      const rows = [...batch[p.statement].rows].sort((a, b) => Number(a.position) - Number(b.position))
      if (rows.length !== p.events.length) throw new Error(`expected ${p.events.length} rows back, got ${rows.length}`)
      const a = appended[p.command]
      p.events.forEach((e, k) => {
        const position = Number(rows[k].position)
        const ev = { id: e.id, revision: rows[k].revision == null ? null : Number(rows[k].revision), position }
        if (p.stream === null) a.loose.push(ev)
        else a.streams.set(p.stream, [...(a.streams.get(p.stream) ?? []), ev])
        if (position > a.position) a.position = position
      })
    }
    return commands.map((c, i) => ({
      streams: c.streams.map((s) => resultFor(s.stream, appended[i].streams.get(s.stream)!)),
      events: appended[i].loose,
      position: appended[i].position,
      replayed: false,
    }))
  }

  return { stmts, results }
}
