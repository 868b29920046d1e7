"use strict";
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
exports.createReader = createReader;
var budget_ts_1 = require("./budget.ts");
var query_ts_1 = require("./query.ts");
var rows_ts_1 = require("./rows.ts");
/** The events at the positions a query selects, in order (the positions drive: CROSS JOIN). */
var eventsAt = function (items, from, limit) {
    var m = (0, query_ts_1.matchingPositions)(items, from, limit);
    return { sql: "SELECT ".concat(rows_ts_1.EVENT_COLUMNS, " FROM (").concat(m.sql, ") m CROSS JOIN events ON events.position = m.p ORDER BY m.p"), args: m.args };
};
/** The same positions with each event's size, as withinBudget's candidates. */
var sizedAt = function (items, from, limit) {
    var m = (0, query_ts_1.matchingPositions)(items, from, limit);
    return { sql: "SELECT m.p AS p, ".concat(budget_ts_1.EVENT_SIZE, " AS sz FROM (").concat(m.sql, ") m CROSS JOIN events ON events.position = m.p"), args: m.args };
};
/**
 * One page read: `where` over events in page order, at most `limit` rows. With a byte
 * budget only the positions and sizes of the candidates are read first, inside the same
 * statement (see withinBudget); without one, the rows directly.
 */
function page(where, args, order, limit, maxBytes) {
    if (maxBytes === undefined)
        return { stmt: { sql: "SELECT ".concat(rows_ts_1.EVENT_COLUMNS, " FROM events WHERE ").concat(where, " ORDER BY ").concat(order, " LIMIT ?"), args: __spreadArray(__spreadArray([], args, true), [limit], false) }, budget: false };
    var dir = / DESC$/.test(order) ? 'DESC' : 'ASC';
    var candidates = { sql: "SELECT position AS p, ".concat(budget_ts_1.EVENT_SIZE, " AS sz FROM events WHERE ").concat(where, " ORDER BY ").concat(order, " LIMIT ?"), args: __spreadArray(__spreadArray([], args, true), [limit], false) };
    return { stmt: (0, budget_ts_1.withinBudget)(candidates, dir, maxBytes), budget: true };
}
/** Rows to events; `cut` when the budget left candidates out. */
function toList(rs, budget) {
    var events = rs.rows.map(rows_ts_1.toStoredEvent);
    if (budget && rs.rows.length && Number(rs.rows[0].n) > rs.rows.length)
        events.cut = true;
    return events;
}
/** Keyset reads over the indexes: a page costs the same at any depth of the log. */
function createReader(db) {
    var _this = this;
    var run = function (_a) { return __awaiter(_this, [_a], void 0, function (_b) {
        var _c;
        var stmt = _b.stmt, budget = _b.budget;
        return __generator(this, function (_d) {
            switch (_d.label) {
                case 0:
                    _c = toList;
                    return [4 /*yield*/, db.execute(stmt)];
                case 1: return [2 /*return*/, _c.apply(void 0, [_d.sent(), budget])];
            }
        });
    }); };
    var dcb = function (items, from, limit, maxBytes) {
        return maxBytes === undefined
            ? { stmt: eventsAt(items, from, limit), budget: false }
            : { stmt: (0, budget_ts_1.withinBudget)(sizedAt(items, from, limit), 'ASC', maxBytes), budget: true };
    };
    return {
        readStream: function (stream, _a) {
            var from = _a.from, limit = _a.limit, direction = _a.direction, maxBytes = _a.maxBytes;
            return direction === 'forward'
                ? run(page('stream = ? AND revision >= ?', [stream, from !== null && from !== void 0 ? from : 0], 'revision', limit, maxBytes))
                : run(page('stream = ? AND revision <= ?', [stream, from !== null && from !== void 0 ? from : Number.MAX_SAFE_INTEGER], 'revision DESC', limit, maxBytes));
        },
        head: function (stream) {
            return __awaiter(this, void 0, void 0, function () {
                var rs, row;
                return __generator(this, function (_a) {
                    switch (_a.label) {
                        case 0: return [4 /*yield*/, db.execute({
                                sql: 'SELECT revision, position FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
                                args: [stream],
                            })];
                        case 1:
                            rs = _a.sent();
                            row = rs.rows[0];
                            return [2 /*return*/, row ? { stream: stream, revision: Number(row.revision), position: Number(row.position) } : null];
                    }
                });
            });
        },
        readAll: function (_a) {
            var from = _a.from, limit = _a.limit, types = _a.types, tags = _a.tags, maxBytes = _a.maxBytes;
            // A type or tag filter is a one-item DCB query: index ranges, never a scan.
            if ((types === null || types === void 0 ? void 0 : types.length) || (tags === null || tags === void 0 ? void 0 : tags.length))
                return run(dcb([{ types: types, tags: tags }], from, limit, maxBytes));
            return run(page('position >= ?', [from], 'position', limit, maxBytes));
        },
        readCategory: function (category, _a) {
            var from = _a.from, limit = _a.limit, member = _a.member, size = _a.size, maxBytes = _a.maxBytes;
            if (size === undefined || member === undefined)
                return run(page('category = ? AND position >= ?', [category, from], 'position', limit, maxBytes));
            return run(page('category = ? AND position >= ? AND stream_hash % ? = ?', [category, from, size, member], 'position', limit, maxBytes));
        },
        query: function (items_1, _a) {
            return __awaiter(this, arguments, void 0, function (items, _b) {
                var q, _c, rows, last;
                var from = _b.from, limit = _b.limit, maxBytes = _b.maxBytes;
                return __generator(this, function (_d) {
                    switch (_d.label) {
                        case 0:
                            q = dcb(items, from, limit, maxBytes);
                            return [4 /*yield*/, db.batch([q.stmt, rows_ts_1.LAST_POSITION], 'read')];
                        case 1:
                            _c = _d.sent(), rows = _c[0], last = _c[1];
                            return [2 /*return*/, { events: toList(rows, q.budget), position: Number(last.rows[0].p) }];
                    }
                });
            });
        },
        lastPosition: function () {
            return __awaiter(this, void 0, void 0, function () {
                var rs;
                return __generator(this, function (_a) {
                    switch (_a.label) {
                        case 0: return [4 /*yield*/, db.execute(rows_ts_1.LAST_POSITION)];
                        case 1:
                            rs = _a.sent();
                            return [2 /*return*/, Number(rs.rows[0].p)];
                    }
                });
            });
        },
        ping: function () {
            return __awaiter(this, void 0, void 0, function () {
                return __generator(this, function (_a) {
                    switch (_a.label) {
                        case 0: return [4 /*yield*/, db.execute('SELECT 1')];
                        case 1:
                            _a.sent();
                            return [2 /*return*/];
                    }
                });
            });
        },
    };
}
