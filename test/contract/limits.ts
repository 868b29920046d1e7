/**
 * The limits every test server is started with (see server.ts). Small on purpose, so
 * the 413/400 limit tests stay cheap: e.g. `'x'.repeat(MAX_EVENT_BYTES + 1)` is 8 KiB.
 */
export const MAX_BODY_BYTES = 65536
export const MAX_EVENT_BYTES = 8192
export const MAX_EVENTS_PER_APPEND = 100
export const MAX_PAGE_SIZE = 500
/** Below the default (64), so the tests prove the server reads MAX_DEPTH. */
export const MAX_DEPTH = 32
/** Items of a query, types and tags of an item (src/core/query.ts; not configurable). */
export const MAX_QUERY_ITEMS = 32
export const MAX_ITEM_TERMS = 32
/** Nine events of ~7 KB: pages of large events are cut by bytes long before `limit`. */
export const MAX_PAGE_BYTES = 65536

/** The same limits as the environment variables the server reads. */
export const limitsEnv: Record<string, string> = {
  MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  MAX_EVENT_BYTES: String(MAX_EVENT_BYTES),
  MAX_EVENTS_PER_APPEND: String(MAX_EVENTS_PER_APPEND),
  MAX_PAGE_SIZE: String(MAX_PAGE_SIZE),
  MAX_DEPTH: String(MAX_DEPTH),
  MAX_PAGE_BYTES: String(MAX_PAGE_BYTES),
}
