import type { SqlRow } from './db.ts'
import type { StoredEvent } from '../core/types.ts'
import { LAST_POSITION_EXPR } from './lifecycleSql.ts'

/**
 * The columns a read maps to a StoredEvent. A driver's cost is per value it hands over
 * (the local `libsql` driver: ~0.1-0.3 µs for a number or short text, ~1 µs for a BLOB,
 * plus a property per value of the row object), more than SQLite's work on a row: so
 * revision, time, id and type come as one text, `meta` (`<revision>,<time>,<id hex>,<type>`;
 * no revision for a stream-less event; the type last, since it may hold commas), split
 * here. The id comes as hex text: a BLOB is a fresh buffer per row, a string costs less,
 * and the canonical form is then a few slices. Measured on a 100-event page: ~10% less
 * time in the driver than these as six columns of their own.
 */
export const EVENT_COLUMNS = "position, coalesce(revision, '') || ',' || time || ',' || hex(id) || ',' || type AS meta, stream, data, metadata, tags"

/**
 * A page read as one row, where the driver's cost is per row and per value (Db.packsPages):
 * each event's fields as one JSON array (`e`, PACKED_COLUMNS, in place of EVENT_COLUMNS),
 * and the page aggregated by `packedPage` into the arrays (`j`, one JSON text) and all
 * payloads concatenated into one BLOB per column (`d`, `m`), which `packedEvents` cuts
 * into views by each event's lengths. Measured on a 100-event page of ~230 B payloads with
 * the local `libsql` driver: ~150 µs instead of ~300-500 µs, and no per-event buffer.
 * SQLite's group_concat() takes a BLOB's bytes as they are (a UTF-8 database converts
 * nothing), and the CAST back to BLOB keeps them; `packedEvents` checks the lengths add up.
 */
export const PACKED_COLUMNS =
  'json_array(position, revision, time, hex(id), type, stream, length(data), length(metadata), json(tags)) AS e, data, metadata'

/**
 * Wraps a page read selecting PACKED_COLUMNS (and `extra`, e.g. budget columns, as
 * `max(...)`) into its one row. Both aggregates step over the same rows in the same order,
 * so the n-th array's lengths are the n-th slices of the BLOBs.
 */
export const packedPage = (sql: string, extra: string[] = []) =>
  `SELECT '[' || group_concat(e, ',') || ']' AS j, CAST(group_concat(data, '') AS BLOB) AS d, ` +
  `CAST(group_concat(metadata, '') AS BLOB) AS m${extra.map((c) => `, max(${c}) AS ${c}`).join('')} FROM (${sql})`

type PackedEvent = [position: number, revision: number | null, time: number, id: string, type: string, stream: string | null, dataBytes: number | null, metadataBytes: number | null, tags: string[] | null]

const NO_BYTES = new Uint8Array(0)

/**
 * The events of a page read by `packedPage`, in page order (`descending`: positions falling).
 * Their data and metadata are views of the page's two buffers: an event kept keeps its
 * page's bytes (at most a page's budget), as a page kept keeps all of its events.
 */
export function packedEvents(row: SqlRow, descending: boolean): StoredEvent[] {
  if (row.j == null) return []
  const items = JSON.parse(row.j as string) as PackedEvent[]
  const data = bytes(row.d) ?? NO_BYTES
  const metadata = bytes(row.m) ?? NO_BYTES
  let d = 0
  let m = 0
  const events: StoredEvent[] = new Array(items.length)
  for (let i = 0; i < items.length; i++) {
    const [position, revision, time, id, type, stream, dataBytes, metadataBytes, tags] = items[i]
    events[i] = {
      position,
      id: uuidOfHex(id),
      stream,
      revision,
      type,
      time,
      data: dataBytes === null ? null : data.subarray(d, (d += dataBytes)),
      metadata: metadataBytes === null ? null : metadata.subarray(m, (m += metadataBytes)),
      tags: tags ?? [],
    }
  }
  if (d !== data.byteLength || m !== metadata.byteLength) {
    throw new Error(`A page read as one row did not add up: ${data.byteLength} bytes of data for ${d}, ${metadata.byteLength} of metadata for ${m}.`)
  }
  // SQLite aggregates in the order the page's subquery yields its rows; should that ever differ, the page is still the page
  for (let i = 1; i < events.length; i++) {
    if (descending ? events[i].position > events[i - 1].position : events[i].position < events[i - 1].position) {
      return events.sort((a, b) => (descending ? b.position - a.position : a.position - b.position))
    }
  }
  return events
}

/** The last committed position, 0 when the log is empty (`p`); removed events count (never reused). */
export const LAST_POSITION = `SELECT ${LAST_POSITION_EXPR} AS p`

const bytes = (v: unknown): Uint8Array | null =>
  v == null ? null : v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer)

/** The canonical 8-4-4-4-12 lowercase form of a UUID's 32 hex digits (SQLite's hex() is uppercase). */
export function uuidOfHex(hex: string): string {
  const h = hex.toLowerCase()
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20)
}

/** Stored tags (a JSON array or NULL); most events carry none. */
const tagsOf = (v: unknown): string[] => (v == null || v === '[]' ? [] : (JSON.parse(v as string) as string[]))

/** Maps a row selected with EVENT_COLUMNS to a StoredEvent. */
export function toStoredEvent(row: SqlRow): StoredEvent {
  const meta = row.meta as string
  const a = meta.indexOf(',')
  const b = meta.indexOf(',', a + 1)
  const c = meta.indexOf(',', b + 1)
  return {
    position: Number(row.position),
    id: uuidOfHex(meta.slice(b + 1, c)),
    stream: row.stream as string | null,
    revision: a === 0 ? null : Number(meta.slice(0, a)),
    type: meta.slice(c + 1),
    time: Number(meta.slice(a + 1, b)),
    data: bytes(row.data),
    metadata: bytes(row.metadata),
    tags: tagsOf(row.tags),
  }
}

/** `?, ?, ?` for an IN list. */
export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ')

/** `(?, ?), (?, ?)` for a multi-row VALUES: `rows` rows of `columns` each. */
export const valueRows = (rows: number, columns: number) => {
  const row = `(${placeholders(columns)})`
  return Array.from({ length: rows }, () => row).join(', ')
}
