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
exports.DO_MAX_PARAMS = void 0;
exports.doDb = doDb;
/** Bound parameters one statement may carry in a Durable Object (100, as on D1). */
exports.DO_MAX_PARAMS = 100;
/**
 * A Durable Object's SQLite storage (`ctx.storage.sql`) as the store's `Db`. Its calls are
 * synchronous and local; the object is the only writer of its database, so the protocol
 * is 'file': stream heads are kept in memory and commits wake subscriptions directly.
 * `batch` is `transactionSync` (SQL BEGIN/COMMIT are refused inside an object); durability
 * comes from the output gate, which holds every response until its writes are stored
 * (https://developers.cloudflare.com/durable-objects/api/sqlite-storage-api/).
 *
 * Values: no BigInt binding; BLOBs bind as ArrayBuffer and come back as ArrayBuffer.
 */
function doDb(storage) {
    var run = function (stmt) {
        var _a;
        var _b = typeof stmt === 'string' ? { sql: stmt, args: [] } : stmt, sql = _b.sql, args = _b.args;
        if (args.length > exports.DO_MAX_PARAMS) {
            throw new Error("A Durable Object binds at most ".concat(exports.DO_MAX_PARAMS, " parameters per statement; got ").concat(args.length, " for: ").concat(sql.slice(0, 80)));
        }
        return { rows: (_a = storage.sql).exec.apply(_a, __spreadArray([sql], args.map(toDo), false)).toArray() };
    };
    return {
        protocol: 'file',
        maxParams: exports.DO_MAX_PARAMS,
        execute: function (stmt) {
            return __awaiter(this, void 0, void 0, function () {
                return __generator(this, function (_a) {
                    return [2 /*return*/, run(stmt)];
                });
            });
        },
        batch: function (stmts) {
            return __awaiter(this, void 0, void 0, function () {
                return __generator(this, function (_a) {
                    return [2 /*return*/, storage.transactionSync(function () { return stmts.map(run); })];
                });
            });
        },
        close: function () { },
    };
}
function toDo(v) {
    if (typeof v === 'bigint')
        return Number(v);
    if (typeof v === 'boolean')
        return v ? 1 : 0;
    if (v instanceof Uint8Array) {
        // A view onto part of a shared buffer (cbor-x encodes into one) must not bind all of it.
        return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
    }
    return v;
}
