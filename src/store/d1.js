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
Object.defineProperty(exports, "__esModule", { value: true });
exports.D1_MAX_PARAMS = void 0;
exports.d1Db = d1Db;
/** Bound parameters D1 takes per statement (SQLITE_LIMIT_VARIABLE_NUMBER is 100 there). */
exports.D1_MAX_PARAMS = 100;
/**
 * Cloudflare D1 as the store's `Db`. D1's own prepare/bind/batch API, not drizzle's D1
 * driver: the store speaks positional `?` SQL shared with libSQL, which drizzle's D1
 * session would only pass through to these same calls (its `sql` template cannot take a
 * prebuilt `?` string with an args array) while adding its query builder to the bundle.
 * `batch` is one round trip and one transaction: D1 rolls the whole batch back when any
 * statement fails, which is what a commit group needs.
 *
 * Values: D1 binds ArrayBuffer as BLOB and has no BigInt; it returns BLOBs as number[]
 * (https://developers.cloudflare.com/d1/worker-api/#type-conversion), turned back into
 * ArrayBuffer here so rows look like @libsql/client's.
 */
function d1Db(d1) {
    var prepare = function (stmt) {
        var _a = typeof stmt === 'string' ? { sql: stmt, args: [] } : stmt, sql = _a.sql, args = _a.args;
        if (args.length > exports.D1_MAX_PARAMS) {
            throw new Error("D1 binds at most ".concat(exports.D1_MAX_PARAMS, " parameters per statement; got ").concat(args.length, " for: ").concat(sql.slice(0, 80)));
        }
        var p = d1.prepare(sql);
        return args.length ? p.bind.apply(p, args.map(toD1)) : p;
    };
    return {
        protocol: 'd1',
        maxParams: exports.D1_MAX_PARAMS,
        execute: function (stmt) {
            return __awaiter(this, void 0, void 0, function () {
                var _a;
                return __generator(this, function (_b) {
                    switch (_b.label) {
                        case 0:
                            _a = toResult;
                            return [4 /*yield*/, prepare(stmt).all()];
                        case 1: return [2 /*return*/, _a.apply(void 0, [_b.sent()])];
                    }
                });
            });
        },
        batch: function (stmts) {
            return __awaiter(this, void 0, void 0, function () {
                return __generator(this, function (_a) {
                    switch (_a.label) {
                        case 0: return [4 /*yield*/, d1.batch(stmts.map(prepare))];
                        case 1: return [2 /*return*/, (_a.sent()).map(toResult)];
                    }
                });
            });
        },
        close: function () { },
    };
}
function toD1(v) {
    if (typeof v === 'bigint')
        return Number(v);
    if (v instanceof Uint8Array) {
        // A view onto part of a larger buffer (cbor-x encodes into a shared one) must not bind
        // the whole buffer. ArrayBuffer#slice copies; Node's Buffer#slice would not.
        return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
    }
    return v;
}
function toResult(r) {
    var _a;
    var rows = ((_a = r.results) !== null && _a !== void 0 ? _a : []);
    for (var _i = 0, rows_1 = rows; _i < rows_1.length; _i++) {
        var row = rows_1[_i];
        for (var k in row) {
            var v = row[k];
            if (Array.isArray(v))
                row[k] = new Uint8Array(v).buffer;
        }
    }
    return { rows: rows };
}
