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
exports.migrateDo = migrateDo;
var TABLE = '__drizzle_migrations';
/**
 * Applies the bundled migrations/ inside a Durable Object before it serves, with the same
 * bookkeeping table and rule as drizzle-kit's migrator and src/store/migrate.ts (apply what
 * is newer than the last applied; hash = SHA-256 of the file). Each migration and its
 * bookkeeping row commit together in one `transactionSync`.
 */
function migrateDo(storage, migrations) {
    return __awaiter(this, void 0, void 0, function () {
        var sql, last, lastAt, applied, _loop_1, _i, migrations_1, m;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    sql = storage.sql;
                    sql.exec("CREATE TABLE IF NOT EXISTS ".concat(TABLE, " (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)"));
                    last = sql.exec("SELECT created_at FROM ".concat(TABLE, " ORDER BY created_at DESC LIMIT 1")).toArray();
                    lastAt = last.length ? Number(last[0].created_at) : -1;
                    applied = 0;
                    _loop_1 = function (m) {
                        var hash;
                        return __generator(this, function (_b) {
                            switch (_b.label) {
                                case 0:
                                    if (m.when <= lastAt)
                                        return [2 /*return*/, "continue"];
                                    return [4 /*yield*/, sha256(m.sql)];
                                case 1:
                                    hash = _b.sent();
                                    storage.transactionSync(function () {
                                        for (var _i = 0, _a = m.sql.split('--> statement-breakpoint'); _i < _a.length; _i++) {
                                            var stmt = _a[_i];
                                            if (stmt.trim())
                                                sql.exec(stmt);
                                        }
                                        sql.exec("INSERT INTO ".concat(TABLE, " (hash, created_at) VALUES (?, ?)"), hash, m.when);
                                    });
                                    applied++;
                                    return [2 /*return*/];
                            }
                        });
                    };
                    _i = 0, migrations_1 = migrations;
                    _a.label = 1;
                case 1:
                    if (!(_i < migrations_1.length)) return [3 /*break*/, 4];
                    m = migrations_1[_i];
                    return [5 /*yield**/, _loop_1(m)];
                case 2:
                    _a.sent();
                    _a.label = 3;
                case 3:
                    _i++;
                    return [3 /*break*/, 1];
                case 4: return [2 /*return*/, applied];
            }
        });
    });
}
function sha256(text) {
    return __awaiter(this, void 0, void 0, function () {
        var digest;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0: return [4 /*yield*/, crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))];
                case 1:
                    digest = _a.sent();
                    return [2 /*return*/, __spreadArray([], new Uint8Array(digest), true).map(function (b) { return b.toString(16).padStart(2, '0'); }).join('')];
            }
        });
    });
}
