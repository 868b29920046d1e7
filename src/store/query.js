"use strict";
var __spreadArray = (this && this.__spreadArray) || function (to, from, pack) {
    if (pack || arguments.length === 2) for (var i = 0, l = from.length, ar; i < l; i++) {
        if (ar || !(i in from)) {
            if (!ar) ar = Array.prototype.slice.call(from, 0, i);
            ar[i] = from[i];
        }
    }
    return to.concat(ar || Array.prototype.slice.call(from));
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.matchingPositions = matchingPositions;
var rows_ts_1 = require("./rows.ts");
// SQLite allows 500 terms per compound SELECT (SQLITE_MAX_COMPOUND_SELECT); larger
// unions nest in chunks.
var TERMS_PER_COMPOUND = 200;
var range = function (sql) { return "SELECT position FROM (".concat(sql, " ORDER BY position LIMIT ?)"); };
/**
 * `SELECT p` — the positions (>= `from`, ascending, at most `limit`) of events matching a
 * DCB query. Each item becomes index ranges, each LIMITed, merged with UNION (which also
 * drops an event that matches two items): a page reads at most ranges × limit index
 * entries, however long the log. Type-only items share one range per distinct type
 * (events_type_position); an item with tags walks its first tag's range in event_tags
 * and checks the other tags and the types by primary key.
 */
function matchingPositions(items, from, limit) {
    var _a, _b, _c;
    var parts = [];
    var args = [];
    var types = new Set();
    var everything = false;
    for (var _i = 0, items_1 = items; _i < items_1.length; _i++) {
        var item = items_1[_i];
        var tags = __spreadArray([], new Set((_a = item.tags) !== null && _a !== void 0 ? _a : []), true);
        if (tags.length === 0) {
            if ((_b = item.types) === null || _b === void 0 ? void 0 : _b.length)
                for (var _d = 0, _e = item.types; _d < _e.length; _d++) {
                    var t = _e[_d];
                    types.add(t);
                }
            else
                everything = true;
            continue;
        }
        var sql = 'SELECT t.position AS position FROM event_tags t WHERE t.tag = ? AND t.position >= ?';
        args.push(tags[0], from);
        for (var _f = 0, _g = tags.slice(1); _f < _g.length; _f++) {
            var tag = _g[_f];
            sql += ' AND EXISTS (SELECT 1 FROM event_tags x WHERE x.tag = ? AND x.position = t.position)';
            args.push(tag);
        }
        if ((_c = item.types) === null || _c === void 0 ? void 0 : _c.length) {
            sql += " AND EXISTS (SELECT 1 FROM events e WHERE e.position = t.position AND e.type IN (".concat((0, rows_ts_1.placeholders)(item.types.length), "))");
            args.push.apply(args, item.types);
        }
        parts.push(range(sql));
        args.push(limit);
    }
    if (everything) {
        // An item with neither types nor tags matches every event: the primary key's range.
        return { sql: 'SELECT position AS p FROM events WHERE position >= ? ORDER BY position LIMIT ?', args: [from, limit] };
    }
    if (parts.length === 0 && types.size === 0)
        return { sql: 'SELECT 0 AS p WHERE 0', args: [] }; // no items: nothing matches
    var typeParts = [];
    var typeArgs = [];
    for (var _h = 0, types_1 = types; _h < types_1.length; _h++) {
        var t = types_1[_h];
        typeParts.push(range('SELECT position FROM events WHERE type = ? AND position >= ?'));
        typeArgs.push(t, from, limit);
    }
    parts.unshift.apply(parts, typeParts);
    args.unshift.apply(args, typeArgs);
    var union = parts.join(' UNION ');
    if (parts.length > TERMS_PER_COMPOUND) {
        var chunks = [];
        for (var i = 0; i < parts.length; i += TERMS_PER_COMPOUND) {
            chunks.push("SELECT position FROM (".concat(parts.slice(i, i + TERMS_PER_COMPOUND).join(' UNION '), ")"));
        }
        union = chunks.join(' UNION ');
    }
    return { sql: "SELECT position AS p FROM (".concat(union, ") ORDER BY position LIMIT ?"), args: __spreadArray(__spreadArray([], args, true), [limit], false) };
}
