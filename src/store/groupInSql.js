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
exports.groupInSql = groupInSql;
var streams_ts_1 = require("../core/streams.ts");
var types_ts_1 = require("../core/types.ts");
var query_ts_1 = require("./query.ts");
var replay_ts_1 = require("./replay.ts");
var rows_ts_1 = require("./rows.ts");
/**
 * A whole commit group as one write batch, with every condition evaluated in SQL: for a
 * remote server (one round trip, no interactive transaction) and for writers that share a
 * file. Each command's expectations become guards that abort the batch when they do not
 * hold; its rows take their revisions and positions from the database's own state at that
 * point of the transaction (RETURNING tells us which), so another process committing
 * between our read and this batch can never make it fail on a position. A refused guard
 * rolls the batch back; the caller then reads fresh, evaluates command by command, and
 * sends the commands that pass as a batch of this same shape (commitGroup.ts).
 *
 * The guard cannot rely on an expression that might not raise: it inserts a tag row with
 * a NULL tag, which SQLite's NOT NULL constraint always refuses. `IS NOT 1` fires for
 * false and for NULL alike.
 */
var guard = function (ok, args) { return ({
    sql: "INSERT INTO event_tags (tag, position) SELECT NULL, 0 WHERE (".concat(ok, ") IS NOT 1"),
    args: args,
}); };
function expectation(stream, expected) {
    if (expected === types_ts_1.ANY)
        return undefined;
    if (expected === types_ts_1.NO_STREAM)
        return guard('NOT EXISTS (SELECT 1 FROM events WHERE stream = ?)', [stream]);
    if (expected === types_ts_1.STREAM_EXISTS)
        return guard('EXISTS (SELECT 1 FROM events WHERE stream = ?)', [stream]);
    return guard('(SELECT max(revision) FROM events WHERE stream = ?) IS ?', [stream, expected]);
}
var COLUMNS = 6; // per VALUES row: k, id, type, data, metadata, tags
/** Rows of one stream (or of none), numbered from 1 after the current head and last position. */
function insertRows(stream, events, time) {
    var args = [];
    for (var k = 0; k < events.length; k++) {
        var e = events[k];
        args.push(k + 1, e.idBytes, e.type, e.data, e.metadata, e.tags.length ? JSON.stringify(e.tags) : null);
    }
    var values = Array.from({ length: events.length }, function () { return "(".concat((0, rows_ts_1.placeholders)(COLUMNS), ")"); }).join(', ');
    // INSERT ... SELECT reading its own table: SQLite computes every row before inserting
    // any, so the head and the last position are read once, before this statement's rows.
    var revision = stream === null ? 'NULL' : '(SELECT coalesce(max(revision), -1) FROM events WHERE stream = ?) + v.column1';
    var sql = 'INSERT INTO events (position, id, stream, revision, category, stream_hash, type, time, data, metadata, tags) ' +
        "SELECT (SELECT coalesce(max(position), 0) FROM events) + v.column1, v.column2, ?, ".concat(revision, ", ?, ?, v.column3, ?, v.column4, v.column5, v.column6 ") +
        "FROM (VALUES ".concat(values, ") AS v ORDER BY v.column1 RETURNING position, revision");
    var head = stream === null ? [null] : [stream, stream];
    return { sql: sql, args: __spreadArray(__spreadArray(__spreadArray([], head, true), [stream === null ? null : (0, streams_ts_1.categoryOf)(stream), stream === null ? null : (0, streams_ts_1.streamHash)(stream), time], false), args, true) };
}
/** Tags of the events just inserted: positions counted back from the last one. */
function insertTags(events) {
    var args = [];
    events.forEach(function (e, k) {
        for (var _i = 0, _a = e.tags; _i < _a.length; _i++) {
            var t = _a[_i];
            args.push(t, events.length - 1 - k);
        }
    });
    if (!args.length)
        return undefined;
    var values = Array.from({ length: args.length / 2 }, function () { return '(?, ?)'; }).join(', ');
    return { sql: "INSERT INTO event_tags (tag, position) SELECT v.column1, (SELECT max(position) FROM events) - v.column2 FROM (VALUES ".concat(values, ") AS v"), args: args };
}
/**
 * The batch for a group, and how to read each command's result from the batch's results.
 * `maxParams` bounds the rows per INSERT (bound-parameter limits, e.g. D1's 100).
 */
function groupInSql(commands, time, maxParams, inList) {
    var _a;
    var stmts = [];
    var parts = [];
    var maxRows = Math.max(1, Math.floor((maxParams - 5) / COLUMNS));
    // A condition's `after` must be a committed position: checked before any row of the group.
    for (var _i = 0, commands_1 = commands; _i < commands_1.length; _i++) {
        var c = commands_1[_i];
        if (((_a = c.condition) === null || _a === void 0 ? void 0 : _a.after) !== undefined)
            stmts.push(guard('? <= (SELECT coalesce(max(position), 0) FROM events)', [c.condition.after]));
    }
    commands.forEach(function (c, command) {
        var _a, _b, _c;
        for (var _i = 0, _d = c.streams; _i < _d.length; _i++) {
            var s = _d[_i];
            var g = expectation(s.stream, s.expected);
            if (g)
                stmts.push(g);
        }
        var ids = __spreadArray(__spreadArray([], c.streams.flatMap(function (s) { return s.events; }), true), ((_a = c.events) !== null && _a !== void 0 ? _a : []), true).filter(function (e) { return e.clientId; }).map(function (e) { return e.idBytes; });
        // A stored id means a retry or a reuse: the command-by-command path tells which.
        for (var i = 0; i < ids.length; i += inList) {
            var chunk = ids.slice(i, i + inList);
            stmts.push(guard("NOT EXISTS (SELECT 1 FROM events WHERE id IN (".concat((0, rows_ts_1.placeholders)(chunk.length), "))"), chunk));
        }
        if (c.condition) {
            // Evaluated before this command's own rows, after those of earlier commands.
            var q = (0, query_ts_1.matchingPositions)(c.condition.failIfEventsMatch, ((_b = c.condition.after) !== null && _b !== void 0 ? _b : -1) + 1, 1);
            stmts.push(guard("NOT EXISTS (".concat(q.sql, ")"), q.args));
        }
        var add = function (stream, events) {
            for (var i = 0; i < events.length; i += maxRows) {
                var chunk = events.slice(i, i + maxRows);
                parts.push({ command: command, stream: stream, events: chunk, statement: stmts.length });
                stmts.push(insertRows(stream, chunk, time));
                var tags = insertTags(chunk);
                if (tags)
                    stmts.push(tags);
            }
        };
        for (var _e = 0, _f = c.streams; _e < _f.length; _e++) {
            var s = _f[_e];
            add(s.stream, s.events);
        }
        if ((_c = c.events) === null || _c === void 0 ? void 0 : _c.length)
            add(null, c.events);
    });
    /** Each command's result, from the RETURNING rows of its inserts. */
    function results(batch) {
        var appended = commands.map(function () { return ({ streams: new Map(), loose: [], position: 0 }); });
        var _loop_1 = function (p) {
            // RETURNING's row order is unspecified; positions were assigned in event order
            var rows = __spreadArray([], batch[p.statement].rows, true).sort(function (a, b) { return Number(a.position) - Number(b.position); });
            if (rows.length !== p.events.length)
                throw new Error("expected ".concat(p.events.length, " rows back, got ").concat(rows.length));
            var a = appended[p.command];
            p.events.forEach(function (e, k) {
                var _a;
                var position = Number(rows[k].position);
                var ev = { id: e.id, revision: rows[k].revision == null ? null : Number(rows[k].revision), position: position };
                if (p.stream === null)
                    a.loose.push(ev);
                else
                    a.streams.set(p.stream, __spreadArray(__spreadArray([], ((_a = a.streams.get(p.stream)) !== null && _a !== void 0 ? _a : []), true), [ev], false));
                if (position > a.position)
                    a.position = position;
            });
        };
        for (var _i = 0, parts_1 = parts; _i < parts_1.length; _i++) {
            var p = parts_1[_i];
            _loop_1(p);
        }
        return commands.map(function (c, i) { return ({
            streams: c.streams.map(function (s) { return (0, replay_ts_1.resultFor)(s.stream, appended[i].streams.get(s.stream)); }),
            events: appended[i].loose,
            position: appended[i].position,
            replayed: false,
        }); });
    }
    return { stmts: stmts, results: results };
}
