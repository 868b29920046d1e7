"use strict";
var __assign = (this && this.__assign) || function () {
    __assign = Object.assign || function(t) {
        for (var s, i = 1, n = arguments.length; i < n; i++) {
            s = arguments[i];
            for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p))
                t[p] = s[p];
        }
        return t;
    };
    return __assign.apply(this, arguments);
};
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __generator = (this && this.__generator) || function (thisArg, body) {
    var _ = { label: 0, sent: function() { if (t[0] & 1) throw t[1]; return t[1]; }, trys: [], ops: [] }, f, y, t, g = Object.create((typeof Iterator === "function" ? Iterator : Object).prototype);
    return g.next = verb(0), g["throw"] = verb(1), g["return"] = verb(2), typeof Symbol === "function" && (g[Symbol.iterator] = function() { return this; }), g;
    function verb(n) { return function (v) { return step([n, v]); }; }
    function step(op) {
        if (f) throw new TypeError("Generator is already executing.");
        while (g && (g = 0, op[0] && (_ = 0)), _) try {
            if (f = 1, y && (t = op[0] & 2 ? y["return"] : op[0] ? y["throw"] || ((t = y["return"]) && t.call(y), 0) : y.next) && !(t = t.call(y, op[1])).done) return t;
            if (y = 0, t) op = [op[0] & 2, t.value];
            switch (op[0]) {
                case 0: case 1: t = op; break;
                case 4: _.label++; return { value: op[1], done: false };
                case 5: _.label++; y = op[1]; op = [0]; continue;
                case 7: op = _.ops.pop(); _.trys.pop(); continue;
                default:
                    if (!(t = _.trys, t = t.length > 0 && t[t.length - 1]) && (op[0] === 6 || op[0] === 2)) { _ = 0; continue; }
                    if (op[0] === 3 && (!t || (op[1] > t[0] && op[1] < t[3]))) { _.label = op[1]; break; }
                    if (op[0] === 6 && _.label < t[1]) { _.label = t[1]; t = op; break; }
                    if (t && _.label < t[2]) { _.label = t[2]; _.ops.push(op); break; }
                    if (t[2]) _.ops.pop();
                    _.trys.pop(); continue;
            }
            op = body.call(thisArg, _);
        } catch (e) { op = [6, e]; y = 0; } finally { f = t = 0; }
        if (op[0] & 5) throw op[1]; return { value: op[0] ? op[1] : void 0, done: true };
    }
};
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
exports.createCommitBackend = createCommitBackend;
var errors_ts_1 = require("../core/errors.ts");
var expected_ts_1 = require("../core/expected.ts");
var query_ts_1 = require("../core/query.ts");
var insertEvents_ts_1 = require("./insertEvents.ts");
var query_ts_2 = require("./query.ts");
var groupInSql_ts_1 = require("./groupInSql.ts");
var replay_ts_1 = require("./replay.ts");
var rows_ts_1 = require("./rows.ts");
/** A constraint refused the write: the transaction rolled back, nothing of it stands. */
var isConstraintError = function (e) { var _a, _b; return /SQLITE_CONSTRAINT|constraint failed/i.test(String((_a = e === null || e === void 0 ? void 0 : e.message) !== null && _a !== void 0 ? _a : e) + String((_b = e === null || e === void 0 ? void 0 : e.code) !== null && _b !== void 0 ? _b : '')); };
/** `UNIQUE constraint failed: t.c` without the driver's wrapping, for a problem document. */
var constraintOf = function (e) { var _a, _b, _c, _d; return (_d = (_c = (_b = /[A-Z ]*constraint failed(: [\w., ]+)?/i.exec(String((_a = e === null || e === void 0 ? void 0 : e.message) !== null && _a !== void 0 ? _a : e))) === null || _b === void 0 ? void 0 : _b[0]) === null || _c === void 0 ? void 0 : _c.trim()) !== null && _d !== void 0 ? _d : 'a constraint failed'; };
/**
 * The commit backend over libSQL: evaluates each command alone, writes the group in one
 * transaction. A refusal that belongs to one request fails that request alone; only a
 * fault of the database (I/O, disk full, unreachable) fails the group.
 */
function createCommitBackend(db, options) {
    var _a, _b;
    var maxCached = (_a = options.maxCachedStreams) !== null && _a !== void 0 ? _a : 100000;
    var maxParams = (_b = db.maxParams) !== null && _b !== void 0 ? _b : 32766;
    var chunks = (0, insertEvents_ts_1.chunkSizes)(db.maxParams);
    var heads = new Map();
    var lastPosition;
    var cacheHits = 0;
    var oneTrip = 0;
    var fallbacks = 0;
    var cacheMisses = 0;
    function remember(stream, head) {
        heads.delete(stream);
        heads.set(stream, head);
        if (heads.size > maxCached)
            heads.delete(heads.keys().next().value);
    }
    function forget() {
        heads.clear();
        lastPosition = undefined;
    }
    function load(commands) {
        return __awaiter(this, void 0, void 0, function () {
            var ids, streams, _i, commands_1, c, _a, _b, s, _c, _d, e, stmts, wantLast, streamList, i, chunk, i, chunk, firstCondition, conditioned, existing, fresh, conflicts, results, r, _e, streamList_1, s, _f, _g, row;
            var _h;
            return __generator(this, function (_j) {
                switch (_j.label) {
                    case 0:
                        ids = [];
                        streams = new Set();
                        for (_i = 0, commands_1 = commands; _i < commands_1.length; _i++) {
                            c = commands_1[_i];
                            for (_a = 0, _b = c.streams; _a < _b.length; _a++) {
                                s = _b[_a];
                                if (options.trustCache && heads.has(s.stream))
                                    cacheHits++;
                                else {
                                    cacheMisses++;
                                    streams.add(s.stream);
                                }
                            }
                            for (_c = 0, _d = (0, replay_ts_1.eventsOf)(c); _c < _d.length; _c++) {
                                e = _d[_c].e;
                                if (e.clientId)
                                    ids.push(e.idBytes);
                            }
                        }
                        stmts = [];
                        wantLast = !options.trustCache || lastPosition === undefined;
                        if (wantLast)
                            stmts.push(rows_ts_1.LAST_POSITION);
                        streamList = __spreadArray([], streams, true);
                        for (i = 0; i < streamList.length; i += chunks.inList) {
                            chunk = streamList.slice(i, i + chunks.inList);
                            stmts.push({
                                sql: "SELECT stream, max(revision) AS revision, max(position) AS position FROM events WHERE stream IN (".concat((0, rows_ts_1.placeholders)(chunk.length), ") GROUP BY stream"),
                                args: chunk,
                            });
                        }
                        for (i = 0; i < ids.length; i += chunks.inList) {
                            chunk = ids.slice(i, i + chunks.inList);
                            stmts.push({
                                sql: "SELECT id, stream, revision, position, type, tags, data, metadata FROM events WHERE id IN (".concat((0, rows_ts_1.placeholders)(chunk.length), ")"),
                                args: chunk,
                            });
                        }
                        firstCondition = stmts.length;
                        conditioned = [];
                        commands.forEach(function (c, i) {
                            var _a;
                            if (!c.condition)
                                return;
                            conditioned.push(i);
                            stmts.push((0, query_ts_2.matchingPositions)(c.condition.failIfEventsMatch, ((_a = c.condition.after) !== null && _a !== void 0 ? _a : -1) + 1, query_ts_1.MAX_CONFLICTS));
                        });
                        existing = new Map();
                        fresh = new Map();
                        conflicts = new Map() // command index -> stored matching positions
                        ;
                        if (stmts.length === 0)
                            return [2 /*return*/, { existing: existing, fresh: fresh, conflicts: conflicts }
                                // One round trip against a remote server; a consistent snapshot either way.
                            ];
                        return [4 /*yield*/, db.batch(stmts, 'read')];
                    case 1:
                        results = _j.sent();
                        r = 0;
                        if (wantLast)
                            lastPosition = Number(results[r++].rows[0].p);
                        for (_e = 0, streamList_1 = streamList; _e < streamList_1.length; _e++) {
                            s = streamList_1[_e];
                            fresh.set(s, null);
                        }
                        conditioned.forEach(function (command, k) { return conflicts.set(command, results[firstCondition + k].rows.map(function (row) { return Number(row.p); })); });
                        for (; r < firstCondition; r++) {
                            for (_f = 0, _g = results[r].rows; _f < _g.length; _f++) {
                                row = _g[_f];
                                if ('id' in row) {
                                    existing.set((0, replay_ts_1.hex)(new Uint8Array(row.id)), {
                                        stream: row.stream,
                                        revision: row.revision == null ? null : Number(row.revision),
                                        position: Number(row.position),
                                        type: row.type,
                                        tags: (_h = row.tags) !== null && _h !== void 0 ? _h : null,
                                        data: row.data == null ? null : new Uint8Array(row.data),
                                        metadata: row.metadata == null ? null : new Uint8Array(row.metadata),
                                    });
                                }
                                else {
                                    fresh.set(row.stream, { revision: Number(row.revision), position: Number(row.position) });
                                }
                            }
                        }
                        return [2 /*return*/, { existing: existing, fresh: fresh, conflicts: conflicts }];
                }
            });
        });
    }
    /** Reads what the group needs and decides each command on its own, in group order. */
    function evaluate(commands) {
        return __awaiter(this, void 0, void 0, function () {
            var _a, existing, fresh, conflicts, headOf, overlay, pendingIds, outcomes, accepted, twins, rows, base, position, time;
            return __generator(this, function (_b) {
                switch (_b.label) {
                    case 0: return [4 /*yield*/, load(commands)];
                    case 1:
                        _a = _b.sent(), existing = _a.existing, fresh = _a.fresh, conflicts = _a.conflicts;
                        headOf = function (s) { var _a; return (fresh.has(s) ? fresh.get(s) : (_a = heads.get(s)) !== null && _a !== void 0 ? _a : null); };
                        overlay = new Map();
                        pendingIds = new Map() // id -> index of the accepted command in this group
                        ;
                        outcomes = [];
                        accepted = [];
                        twins = new Map();
                        rows = [];
                        base = lastPosition;
                        position = base;
                        time = Date.now();
                        commands.forEach(function (c, index) {
                            var _a, _b, _c, _d;
                            var all = (0, replay_ts_1.eventsOf)(c);
                            var own = (0, replay_ts_1.ownDuplicate)(all);
                            if (own)
                                return void outcomes.push(own);
                            // An id of a command accepted earlier in this group: a concurrent retry only if it is
                            // the same request, event for event; anything else reuses the id.
                            var reused = pendingIds.size ? all.find(function (_a) {
                                var e = _a.e;
                                return e.clientId && pendingIds.has((0, replay_ts_1.hex)(e.idBytes));
                            }) : undefined;
                            if (reused) {
                                var twin = pendingIds.get((0, replay_ts_1.hex)(reused.e.idBytes));
                                if ((0, replay_ts_1.sameRequest)(c, commands[twin])) {
                                    twins.set(index, twin);
                                    return void outcomes.push(outcomes[twin]); // replaced once the twin is written
                                }
                                var id = reused.e.id;
                                return void outcomes.push((0, errors_ts_1.eventIdReused)(id, "Event id ".concat(id, " belongs to another request committed with this one; a retry must repeat the same events with the same ids.")));
                            }
                            var replay = (0, replay_ts_1.replayOf)(c, existing);
                            if (replay)
                                return void outcomes.push(replay);
                            // `after` beyond the log would make the condition match nothing, forever.
                            if (((_a = c.condition) === null || _a === void 0 ? void 0 : _a.after) !== undefined && c.condition.after > base)
                                return void outcomes.push((0, errors_ts_1.afterBeyondLog)(c.condition.after, base));
                            for (var _i = 0, _e = c.streams; _i < _e.length; _i++) {
                                var s = _e[_i];
                                var head = overlay.has(s.stream) ? overlay.get(s.stream) : headOf(s.stream);
                                var actual = head ? head.revision : null;
                                if (!(0, expected_ts_1.expectationHolds)(s.expected, actual)) {
                                    return void outcomes.push((0, errors_ts_1.wrongExpectedRevision)(s.stream, s.expected, actual));
                                }
                            }
                            if (c.condition) {
                                // Stored events from the snapshot, then events accepted earlier in this group (not
                                // in the database yet, all after `after`, which is a committed position).
                                var _f = c.condition, failIfEventsMatch = _f.failIfEventsMatch, _g = _f.after, after = _g === void 0 ? -1 : _g;
                                var found = __spreadArray([], ((_b = conflicts.get(index)) !== null && _b !== void 0 ? _b : []), true);
                                for (var _h = 0, rows_1 = rows; _h < rows_1.length; _h++) {
                                    var row = rows_1[_h];
                                    if (found.length >= query_ts_1.MAX_CONFLICTS)
                                        break;
                                    if (row.position > after && (0, query_ts_1.matchesQuery)(row.event, failIfEventsMatch))
                                        found.push(row.position);
                                }
                                if (found.length)
                                    return void outcomes.push((0, errors_ts_1.conditionFailed)((_c = c.condition.after) !== null && _c !== void 0 ? _c : null, found.slice(0, query_ts_1.MAX_CONFLICTS)));
                            }
                            var streams = [];
                            for (var _j = 0, _k = c.streams; _j < _k.length; _j++) {
                                var s = _k[_j];
                                var head = overlay.has(s.stream) ? overlay.get(s.stream) : headOf(s.stream);
                                var revision = head ? head.revision : -1;
                                var appended = [];
                                for (var _l = 0, _m = s.events; _l < _m.length; _l++) {
                                    var e = _m[_l];
                                    revision++;
                                    position++;
                                    rows.push({ position: position, event: e, stream: s.stream, revision: revision });
                                    appended.push({ id: e.id, revision: revision, position: position });
                                }
                                overlay.set(s.stream, { revision: revision, position: position });
                                streams.push((0, replay_ts_1.resultFor)(s.stream, appended));
                            }
                            var loose = [];
                            for (var _o = 0, _p = (_d = c.events) !== null && _d !== void 0 ? _d : []; _o < _p.length; _o++) {
                                var e = _p[_o];
                                position++;
                                rows.push({ position: position, event: e, stream: null, revision: null });
                                loose.push({ id: e.id, revision: null, position: position });
                            }
                            for (var _q = 0, all_1 = all; _q < all_1.length; _q++) {
                                var e = all_1[_q].e;
                                if (e.clientId)
                                    pendingIds.set((0, replay_ts_1.hex)(e.idBytes), index);
                            }
                            accepted.push(index);
                            outcomes.push({ streams: streams, events: loose, position: position, replayed: false });
                        });
                        return [2 /*return*/, { outcomes: outcomes, accepted: accepted, twins: twins, rows: rows, base: base, overlay: overlay, fresh: fresh, time: time }];
                }
            });
        });
    }
    /**
     * Writes a round's accepted commands in one transaction. The sole writer writes the
     * positions it computed; otherwise the batch re-checks every guard in SQL and the
     * database assigns positions and revisions, so a commit by another process in between
     * can refuse a guard (the read was stale) but never collide on a position.
     */
    function write(commands, round) {
        return __awaiter(this, void 0, void 0, function () {
            var outcomes, _i, _a, _b, s, h, _c, _d, _e, s, h, plan, written_1, _f, _g, _h, _j, _k, i, twin;
            return __generator(this, function (_l) {
                switch (_l.label) {
                    case 0:
                        outcomes = round.outcomes;
                        if (!options.trustCache) return [3 /*break*/, 2];
                        return [4 /*yield*/, db.batch((0, insertEvents_ts_1.insertStatements)(round.rows, round.time, chunks), 'write')];
                    case 1:
                        _l.sent();
                        for (_i = 0, _a = round.fresh; _i < _a.length; _i++) {
                            _b = _a[_i], s = _b[0], h = _b[1];
                            remember(s, h);
                        }
                        for (_c = 0, _d = round.overlay; _c < _d.length; _c++) {
                            _e = _d[_c], s = _e[0], h = _e[1];
                            remember(s, h);
                        }
                        lastPosition = round.rows.length ? round.rows[round.rows.length - 1].position : round.base;
                        return [3 /*break*/, 4];
                    case 2:
                        plan = (0, groupInSql_ts_1.groupInSql)(round.accepted.map(function (i) { return commands[i]; }), round.time, maxParams, chunks.inList);
                        _g = (_f = plan).results;
                        return [4 /*yield*/, db.batch(plan.stmts, 'write')];
                    case 3:
                        written_1 = _g.apply(_f, [_l.sent()]);
                        round.accepted.forEach(function (i, k) { return (outcomes[i] = written_1[k]); });
                        lastPosition = undefined;
                        _l.label = 4;
                    case 4:
                        for (_h = 0, _j = round.twins; _h < _j.length; _h++) {
                            _k = _j[_h], i = _k[0], twin = _k[1];
                            outcomes[i] = __assign(__assign({}, outcomes[twin]), { replayed: true });
                        }
                        return [2 /*return*/, outcomes];
                }
            });
        });
    }
    /**
     * Evaluates and writes a group until it stands. A refused write is either stale or
     * deterministic. Stale: another process committed since the read, so read again. Each
     * such retry follows someone else's progress, and without trusted memory it changes a
     * verdict (only from accept to refuse: a head, a stored id, a matching event never goes
     * away), so it ends after at most one round per command. Deterministic: nobody else
     * committed, or a fresh read decided the same commands again; then the offending request
     * is isolated by halving the group, and fails alone with a 4xx.
     */
    function settle(commands) {
        return __awaiter(this, void 0, void 0, function () {
            var refused // the accepted commands of the last round refused as stale
            , _loop_1, state_1;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0:
                        if (commands.length === 0)
                            return [2 /*return*/, []];
                        _loop_1 = function () {
                            var round, _b, e_1, last, _c, accepted, j_1, others, mid_1, left, right;
                            return __generator(this, function (_d) {
                                switch (_d.label) {
                                    case 0: return [4 /*yield*/, evaluate(commands)];
                                    case 1:
                                        round = _d.sent();
                                        if (round.accepted.length === 0)
                                            return [2 /*return*/, { value: round.outcomes }];
                                        _d.label = 2;
                                    case 2:
                                        _d.trys.push([2, 4, , 10]);
                                        _b = {};
                                        return [4 /*yield*/, write(commands, round)];
                                    case 3: return [2 /*return*/, (_b.value = _d.sent(), _b)];
                                    case 4:
                                        e_1 = _d.sent();
                                        if (!isConstraintError(e_1))
                                            throw e_1;
                                        forget();
                                        _c = Number;
                                        return [4 /*yield*/, db.execute(rows_ts_1.LAST_POSITION)];
                                    case 5:
                                        last = _c.apply(void 0, [(_d.sent()).rows[0].p]);
                                        accepted = round.accepted.join();
                                        // The sole writer's positions are its own: another writer (a misconfiguration) can
                                        // only collide with them, so its commits alone justify a retry.
                                        if (last !== round.base && (options.trustCache || accepted !== refused)) {
                                            refused = accepted;
                                            return [2 /*return*/, "continue"];
                                        }
                                        if (!(round.accepted.length === 1)) return [3 /*break*/, 7];
                                        j_1 = round.accepted[0];
                                        return [4 /*yield*/, settle(commands.filter(function (_, i) { return i !== j_1; }))];
                                    case 6:
                                        others = _d.sent();
                                        return [2 /*return*/, { value: __spreadArray(__spreadArray(__spreadArray([], others.slice(0, j_1), true), [(0, errors_ts_1.appendRefused)(constraintOf(e_1))], false), others.slice(j_1), true) }];
                                    case 7:
                                        mid_1 = Math.ceil(commands.length / 2);
                                        return [4 /*yield*/, settle(commands.slice(0, mid_1))
                                            // The first half is committed now: a fault after it fails the second half only.
                                        ];
                                    case 8:
                                        left = _d.sent();
                                        return [4 /*yield*/, settle(commands.slice(mid_1)).catch(function (fault) { return commands.slice(mid_1).map(function () { return ((0, errors_ts_1.isEdgelogError)(fault) ? fault : (0, errors_ts_1.databaseFault)(fault)); }); })];
                                    case 9:
                                        right = _d.sent();
                                        return [2 /*return*/, { value: __spreadArray(__spreadArray([], left, true), right, true) }];
                                    case 10: return [2 /*return*/];
                                }
                            });
                        };
                        _a.label = 1;
                    case 1: return [5 /*yield**/, _loop_1()];
                    case 2:
                        state_1 = _a.sent();
                        if (typeof state_1 === "object")
                            return [2 /*return*/, state_1.value];
                        _a.label = 3;
                    case 3: return [3 /*break*/, 1];
                    case 4: return [2 /*return*/];
                }
            });
        });
    }
    return {
        commitGroup: function (commands) {
            return __awaiter(this, void 0, void 0, function () {
                var plan, outcomes, _a, _b, e_2, e_3;
                return __generator(this, function (_c) {
                    switch (_c.label) {
                        case 0:
                            if (!!options.trustCache) return [3 /*break*/, 4];
                            plan = (0, groupInSql_ts_1.groupInSql)(commands, Date.now(), maxParams, chunks.inList);
                            _c.label = 1;
                        case 1:
                            _c.trys.push([1, 3, , 4]);
                            _b = (_a = plan).results;
                            return [4 /*yield*/, db.batch(plan.stmts, 'write')];
                        case 2:
                            outcomes = _b.apply(_a, [_c.sent()]);
                            oneTrip++;
                            return [2 /*return*/, outcomes];
                        case 3:
                            e_2 = _c.sent();
                            if (!isConstraintError(e_2))
                                throw e_2;
                            fallbacks++;
                            return [3 /*break*/, 4];
                        case 4:
                            _c.trys.push([4, 6, , 7]);
                            return [4 /*yield*/, settle(commands)];
                        case 5: return [2 /*return*/, _c.sent()];
                        case 6:
                            e_3 = _c.sent();
                            forget();
                            throw e_3;
                        case 7: return [2 /*return*/];
                    }
                });
            });
        },
        stats: function () { return ({ headCacheHits: cacheHits, headCacheMisses: cacheMisses, oneTripGroups: oneTrip, fallbackGroups: fallbacks }); },
    };
}
