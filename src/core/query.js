"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_CONFLICTS = exports.MAX_ITEM_TERMS = exports.MAX_QUERY_ITEMS = void 0;
exports.matchesQuery = matchesQuery;
/** Most items in one query (POST /v1/query, failIfEventsMatch). */
exports.MAX_QUERY_ITEMS = 32;
/** Most types, and most tags, in one query item. */
exports.MAX_ITEM_TERMS = 32;
/** Most conflicting positions a failed condition names. */
exports.MAX_CONFLICTS = 10;
/**
 * The DCB match rule (dcb.events): an event matches an item if its type is one of the
 * item's types (any type when there are none) and it carries all of the item's tags; it
 * matches a query if it matches any item. Used for events not yet in the database.
 */
function matchesQuery(event, items) {
    return items.some(function (item) { var _a, _b; return (!((_a = item.types) === null || _a === void 0 ? void 0 : _a.length) || item.types.includes(event.type)) && ((_b = item.tags) !== null && _b !== void 0 ? _b : []).every(function (t) { return event.tags.includes(t); }); });
}
