"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.chunkSizes = void 0;
exports.insertStatements = insertStatements;
var streams_ts_1 = require("../core/streams.ts");
// Rows per multi-row INSERT and ids per IN list, capped by the driver's bound-parameter
// limit (D1 takes 100 per statement; SQLite's default is 32766).
var INSERT_COLUMNS = 11;
var chunkSizes = function (maxParams) {
    if (maxParams === void 0) { maxParams = 32766; }
    return ({
        rows: Math.max(1, Math.min(500, Math.floor(maxParams / INSERT_COLUMNS))),
        inList: Math.min(500, maxParams),
        tagPairs: Math.min(500, Math.floor(maxParams / 2)),
    });
};
exports.chunkSizes = chunkSizes;
var insertSql = new Map();
function insertEventsSql(n) {
    var s = insertSql.get(n);
    if (!s) {
        s =
            'INSERT INTO events (position, id, stream, revision, category, stream_hash, type, time, data, metadata, tags) VALUES ' +
                Array.from({ length: n }, function () { return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'; }).join(', ');
        insertSql.set(n, s);
    }
    return s;
}
/** One transaction's statements: multi-row INSERTs of the events, then of their tags. */
function insertStatements(rows, time, chunks) {
    var stmts = [];
    for (var i = 0; i < rows.length; i += chunks.rows) {
        var chunk = rows.slice(i, i + chunks.rows);
        var args = [];
        for (var _i = 0, chunk_1 = chunk; _i < chunk_1.length; _i++) {
            var r = chunk_1[_i];
            var e = r.event;
            args.push(r.position, e.idBytes, r.stream, r.revision, r.stream === null ? null : (0, streams_ts_1.categoryOf)(r.stream), r.stream === null ? null : (0, streams_ts_1.streamHash)(r.stream), e.type, time, e.data, e.metadata, e.tags.length ? JSON.stringify(e.tags) : null);
        }
        stmts.push({ sql: insertEventsSql(chunk.length), args: args });
    }
    var tagRows = [];
    for (var _a = 0, rows_1 = rows; _a < rows_1.length; _a++) {
        var r = rows_1[_a];
        for (var _b = 0, _c = r.event.tags; _b < _c.length; _b++) {
            var t = _c[_b];
            tagRows.push(t, r.position);
        }
    }
    for (var i = 0; i < tagRows.length; i += 2 * chunks.tagPairs) {
        var chunk = tagRows.slice(i, i + 2 * chunks.tagPairs);
        stmts.push({
            sql: 'INSERT INTO event_tags (tag, position) VALUES ' + Array.from({ length: chunk.length / 2 }, function () { return '(?, ?)'; }).join(', '),
            args: chunk,
        });
    }
    return stmts;
}
