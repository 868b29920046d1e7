"use strict";
var __extends = (this && this.__extends) || (function () {
    var extendStatics = function (d, b) {
        extendStatics = Object.setPrototypeOf ||
            ({ __proto__: [] } instanceof Array && function (d, b) { d.__proto__ = b; }) ||
            function (d, b) { for (var p in b) if (Object.prototype.hasOwnProperty.call(b, p)) d[p] = b[p]; };
        return extendStatics(d, b);
    };
    return function (d, b) {
        if (typeof b !== "function" && b !== null)
            throw new TypeError("Class extends value " + String(b) + " is not a constructor or null");
        extendStatics(d, b);
        function __() { this.constructor = d; }
        d.prototype = b === null ? Object.create(b) : (__.prototype = b.prototype, new __());
    };
})();
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
Object.defineProperty(exports, "__esModule", { value: true });
exports.redact = exports.fetchWithTimeout = void 0;
exports.describeError = describeError;
exports.remoteDb = remoteDb;
exports.explainOpenError = explainOpenError;
var errors_ts_1 = require("../core/errors.ts");
/**
 * A fetch for @libsql/client that gives up after `ms`: the HTTP request is aborted, so a
 * paused or unreachable server costs a bounded wait and no leaked connection.
 */
var fetchWithTimeout = function (ms) { return function (input, init) {
    return fetch(input, __assign(__assign({}, init), { signal: AbortSignal.timeout(ms) }));
}; };
exports.fetchWithTimeout = fetchWithTimeout;
/** A database URL fit for logs and messages: no credentials, no query string (a token may ride there). */
var redact = function (url) { return url.replace(/\/\/[^/@]*@/, '//***@').replace(/\?.*$/, ''); };
exports.redact = redact;
/** The error and its causes on one line: "TypeError: fetch failed <- Error: connect ECONNREFUSED ...". */
function describeError(e) {
    var parts = [];
    for (var x = e, depth = 0; x !== undefined && x !== null && depth < 5; x = x.cause, depth++) {
        var code = x.code;
        parts.push(x instanceof Error ? "".concat(x.name).concat(typeof code === 'string' && !x.message.includes(code) ? " [".concat(code, "]") : '', ": ").concat(x.message) : String(x));
    }
    return parts.join(' <- ');
}
var codes = function (e) {
    var found = [];
    for (var x = e, d = 0; x && d < 5; x = x.cause, d++) {
        var code = x.code;
        if (typeof code === 'string')
            found.push(code);
        var status = x.status;
        if (typeof status === 'number')
            found.push("HTTP_".concat(status));
    }
    return found;
};
/** The server refused the request, or it never reached the server: nothing of it ran. */
function refused(e) {
    return codes(e).some(function (c) {
        return /^(SQLITE_|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HTTP_4\d\d|URL_|ENCRYPTION_)/.test(c);
    });
}
/** An answer from SQLite itself (a constraint, a read-only database...): pass it on as is. */
var isSqlError = function (e) { return codes(e).some(function (c) { return c.startsWith('SQLITE_'); }); };
var authHint = function (e) {
    var c = codes(e);
    if (c.includes('HTTP_401'))
        return ' The server refused the credentials (HTTP 401): check DATABASE_AUTH_TOKEN (missing, wrong or expired).';
    if (c.includes('HTTP_403'))
        return ' The server refused the operation (HTTP 403): the token may be read-only.';
    return '';
};
/**
 * A remote libSQL database (Turso, sqld) as a Db: bounded waits, errors that say what
 * failed and whether a commit may have happened. A write batch whose answer is lost after
 * it was sent is a `commit-outcome-unknown` 503 (it may be stored); one refused before it
 * ran passes on as a fault (nothing written). Reads that fail are a 503.
 */
function remoteDb(client, options) {
    function run(what, op) {
        return __awaiter(this, void 0, void 0, function () {
            var timer, started, deadline, e_1, cause, timedOut, detail, error;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0:
                        started = Date.now();
                        _a.label = 1;
                    case 1:
                        _a.trys.push([1, 3, 4, 5]);
                        deadline = new Promise(function (_, reject) {
                            timer = setTimeout(function () { return reject(new DatabaseTimeout(options.timeoutMs)); }, options.timeoutMs);
                        });
                        return [4 /*yield*/, Promise.race([op(), deadline])];
                    case 2: return [2 /*return*/, _a.sent()];
                    case 3:
                        e_1 = _a.sent();
                        if (isSqlError(e_1))
                            throw e_1;
                        cause = new Error("libSQL ".concat(what, " to ").concat(options.where, " failed after ").concat(Date.now() - started, " ms: ").concat(describeError(e_1)));
                        if (what === 'write' && !refused(e_1))
                            throw (0, errors_ts_1.commitOutcomeUnknown)(cause);
                        timedOut = e_1 instanceof DatabaseTimeout || /timeout/i.test(String(e_1 === null || e_1 === void 0 ? void 0 : e_1.name));
                        detail = timedOut
                            ? "The database did not answer within ".concat(options.timeoutMs, " ms (DATABASE_TIMEOUT_MS).")
                            : "The database at ".concat(options.where, " could not be reached or refused the request.").concat(authHint(e_1));
                        error = (0, errors_ts_1.unavailable)("".concat(detail).concat(what === 'write' ? ' Nothing of this append was written.' : '', " Retry shortly."), 1);
                        error.cause = cause;
                        throw error;
                    case 4:
                        clearTimeout(timer);
                        return [7 /*endfinally*/];
                    case 5: return [2 /*return*/];
                }
            });
        });
    }
    return {
        protocol: client.protocol,
        execute: function (stmt) { return run('statement', function () { return client.execute(stmt); }); },
        batch: function (stmts, mode) { return run(mode, function () { return client.batch(stmts, mode); }); },
        close: function () { return client.close(); },
    };
}
var DatabaseTimeout = /** @class */ (function (_super) {
    __extends(DatabaseTimeout, _super);
    function DatabaseTimeout(ms) {
        var _this = _super.call(this, "no answer within ".concat(ms, " ms")) || this;
        _this.name = 'TimeoutError';
        return _this;
    }
    return DatabaseTimeout;
}(Error));
/**
 * Why a database could not be opened or migrated, in words (start-up and `npm run migrate`):
 * unreachable, credentials refused (401), read-only token (403), or the error and its causes.
 */
function explainOpenError(e, where) {
    var c = codes(e);
    var why;
    if (c.includes('HTTP_401'))
        why = 'the server refused the credentials (HTTP 401): DATABASE_AUTH_TOKEN is missing, wrong or expired';
    else if (c.includes('HTTP_403'))
        why = 'the server refused to write (HTTP 403): DATABASE_AUTH_TOKEN is read-only; edgelog and its migrations need a read-write token';
    else if (c.some(function (x) { return /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)$/.test(x); }))
        why = "cannot reach the server (".concat(describeError(e), ")");
    else if (/timeout/i.test(String(e === null || e === void 0 ? void 0 : e.name)) || e instanceof DatabaseTimeout)
        why = "no answer in time (".concat(describeError(e), "); raise DATABASE_TIMEOUT_MS if the server is slow, not down");
    else
        why = describeError(e);
    var error = new Error("database ".concat(where, ": ").concat(why));
    error.name = 'DatabaseOpenError';
    error.cause = e;
    return error;
}
