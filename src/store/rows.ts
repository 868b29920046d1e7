import type { SqlRow } from './db.ts'
import { uuidToString } from '../core/uuid.ts'
import type { StoredEvent } from '../core/types.ts'
import { LAST_POSITION_EXPR } from './lifecycleSql.ts'

export const EVENT_COLUMNS = 'position, id, stream, revision, type, time, data, metadata, tags'

/** The last committed position, 0 when the log is empty (`p`); removed events count (never reused). */
export const LAST_POSITION = `SELECT ${LAST_POSITION_EXPR} AS p`

const bytes = (v: unknown): Uint8Array | null =>
  v == null ? null : v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer)

/** Stored tags (a JSON array or NULL); most events carry none. */
const tagsOf = (v: unknown): string[] => (v == null || v === '[]' ? [] : (JSON.parse(v as string) as string[]))

/** Maps a row selected with EVENT_COLUMNS to a StoredEvent. */
export function toStoredEvent(row: SqlRow): StoredEvent {
  return {
    position: Number(row.position),
    id: uuidToString(bytes(row.id)!),
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
