import type { SqlValue } from './db.ts'
import type { QueryItem } from '../core/types.ts'
import { placeholders } from './rows.ts'
import { visiblePosition, visibleRow } from './lifecycleSql.ts'

// SQLite allows 500 terms per compound SELECT (SQLITE_MAX_COMPOUND_SELECT); larger
// unions nest in chunks.
const TERMS_PER_COMPOUND = 200

const range = (sql: string) => `SELECT position FROM (${sql} ORDER BY position LIMIT ?)`

/**
 * `SELECT p` — the positions (>= `from`, ascending, at most `limit`) of events matching a
 * DCB query. Each item becomes index ranges, each LIMITed, merged with UNION (which also
 * drops an event that matches two items): a page reads at most ranges × limit index
 * entries, however long the log. Type-only items share one range per distinct type
 * (events_type_position); an item with tags walks its first tag's range in event_tags
 * and checks the other tags and the types by primary key.
 */
export function matchingPositions(items: QueryItem[], from: number, limit: number): { sql: string; args: SqlValue[] } {
  const parts: string[] = []
  const args: SqlValue[] = []
  const types = new Set<string>()
  let everything = false
  for (const item of items) {
    const tags = [...new Set(item.tags ?? [])]
    if (tags.length === 0) {
      if (item.types?.length) for (const t of item.types) types.add(t)
      else everything = true
      continue
    }
    // hidden rows (removal_backlog) are filtered inside each LIMITed range, so a page is never cut short by them
    let sql = `SELECT t.position AS position FROM event_tags t WHERE t.tag = ? AND t.position >= ? AND ${visiblePosition('t.position')}`
    args.push(tags[0], from)
    for (const tag of tags.slice(1)) {
      sql += ' AND EXISTS (SELECT 1 FROM event_tags x WHERE x.tag = ? AND x.position = t.position)'
      args.push(tag)
    }
    if (item.types?.length) {
      sql += ` AND EXISTS (SELECT 1 FROM events e WHERE e.position = t.position AND e.type IN (${placeholders(item.types.length)}))`
      args.push(...item.types)
    }
    parts.push(range(sql))
    args.push(limit)
  }
  if (everything) {
    // An item with neither types nor tags matches every event: the primary key's range.
    return { sql: `SELECT position AS p FROM events WHERE position >= ? AND ${visibleRow('events')} ORDER BY position LIMIT ?`, args: [from, limit] }
  }
  if (parts.length === 0 && types.size === 0) return { sql: 'SELECT 0 AS p WHERE 0', args: [] } // no items: nothing matches
  const typeParts: string[] = []
  const typeArgs: SqlValue[] = []
  for (const t of types) {
    typeParts.push(range(`SELECT position FROM events WHERE type = ? AND position >= ? AND ${visibleRow('events')}`))
    typeArgs.push(t, from, limit)
  }
  parts.unshift(...typeParts)
  args.unshift(...typeArgs)
  let union = parts.join(' UNION ')
  if (parts.length > TERMS_PER_COMPOUND) {
    const chunks: string[] = []
    for (let i = 0; i < parts.length; i += TERMS_PER_COMPOUND) {
      chunks.push(`SELECT position FROM (${parts.slice(i, i + TERMS_PER_COMPOUND).join(' UNION ')})`)
    }
    union = chunks.join(' UNION ')
  }
  return { sql: `SELECT position AS p FROM (${union}) ORDER BY position LIMIT ?`, args: [...args, limit] }
}
