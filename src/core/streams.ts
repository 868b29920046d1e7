/**
 * Stream names: printable, URL-path-safe, not starting with `$` (reserved) or `-`. Neither
 * the name nor its category is `.` or `..`: a URL path normalizes those segments away
 * (fetch and browsers do, Node and Bun answer 404), so such a stream could be written but
 * not read by its path.
 */
export const STREAM_NAME = /^(?!\.\.?(?:-|$))[A-Za-z0-9_.:@+=][A-Za-z0-9_.:@+=-]{0,199}$/

/** Category = the part before the first `-`, as in Message DB (`account-17` -> `account`). */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-')
  return dash === -1 ? stream : stream.slice(0, dash)
}

/** The stream id: what follows the category (`account-17` -> `17`); the whole name if none. */
export function streamIdOf(stream: string): string {
  const dash = stream.indexOf('-')
  return dash === -1 ? stream : stream.slice(dash + 1)
}

/**
 * Stable 31-bit FNV-1a hash of the stream id, stored with each event so a consumer group
 * member selects its streams with `stream_hash % size = member` in SQL.
 */
export function streamHash(stream: string): number {
  const id = streamIdOf(stream)
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) & 0x7fffffff
}
