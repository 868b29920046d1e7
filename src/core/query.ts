import type { QueryItem } from './types.ts'

/** Most items in one query (POST /v1/query, failIfEventsMatch). */
export const MAX_QUERY_ITEMS = 32
/** Most types, and most tags, in one query item. */
export const MAX_ITEM_TERMS = 32
/** Most conflicting positions a failed condition names. */
export const MAX_CONFLICTS = 10

/**
 * The DCB match rule (dcb.events): an event matches an item if its type is one of the
 * item's types (any type when there are none) and it carries all of the item's tags; it
 * matches a query if it matches any item. Used for events not yet in the database.
 */
export function matchesQuery(event: { type: string; tags: string[] }, items: QueryItem[]): boolean {
  return items.some(
    (item) => (!item.types?.length || item.types.includes(event.type)) && (item.tags ?? []).every((t) => event.tags.includes(t)),
  )
}
