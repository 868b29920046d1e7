import type { SqlRow } from './db.ts'
import type { StoredEvent } from '../core/types.ts'
import { LAST_POSITION_EXPR } from './lifecycleSql.ts'

/**
 * The columns a read maps to a StoredEvent. The id comes as hex text: a driver turns a
 * BLOB into a fresh buffer per row (the local `libsql` driver: ~1.2 µs of ~6.5 µs per
 * row of a page), a short string costs it less, and the canonical form is then a few slices.
 */
export const EVENT_COLUMNS = 'position, hex(id) AS id, stream, revision, type, time, data, metadata, tags'

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
  return {
    position: Number(row.position),
    id: uuidOfHex(row.id as string),
    stream: row.stream as string | null,
    revision: row.revision == null ? null : Number(row.revision),
    type: row.type as string,
    time: Number(row.time),
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
