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
exports.openReplica = openReplica;
var errors_ts_1 = require("../core/errors.ts");
var remote_ts_1 = require("./remote.ts");
/**
 * A local libSQL replica of the remote primary, for reads. It syncs every `intervalMs`,
 * and a read that follows a commit of this instance first waits for a sync that started
 * after that commit: whoever appended through this instance reads its own write through it.
 * Commits of other instances show after at most one interval plus one sync.
 */
function openReplica(client, options) {
    var _a, _b;
    var commits = 0; // commits attempted by this instance
    var covered = 0; // commits that the last completed sync started after
    var inFlight;
    var syncs = 0;
    var failures = 0;
    var lastSyncStartedAt = 0;
    var closed = false;
    function sync() {
        if (inFlight)
            return inFlight;
        var upTo = commits;
        var startedAt = Date.now();
        var done = client.sync().then(function () {
            syncs++;
            lastSyncStartedAt = startedAt;
            if (upTo > covered)
                covered = upTo;
        }, function (e) {
            failures++;
            throw e;
        }).finally(function () {
            inFlight = undefined;
        });
        inFlight = { upTo: upTo, done: done };
        return inFlight;
    }
    /** Resolves once a sync that started after every commit so far has completed. */
    function caughtUp() {
        return __awaiter(this, void 0, void 0, function () {
            var need, timer, deadline, s, e_1, error;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0:
                        need = commits;
                        deadline = new Promise(function (_, reject) {
                            timer = setTimeout(function () { return reject(new Error("no sync within ".concat(options.timeoutMs, " ms"))); }, options.timeoutMs);
                        });
                        _a.label = 1;
                    case 1:
                        _a.trys.push([1, 5, 6, 7]);
                        _a.label = 2;
                    case 2:
                        if (!(covered < need)) return [3 /*break*/, 4];
                        s = sync();
                        return [4 /*yield*/, Promise.race([s.done, deadline])];
                    case 3:
                        _a.sent();
                        return [3 /*break*/, 2];
                    case 4: return [3 /*break*/, 7];
                    case 5:
                        e_1 = _a.sent();
                        error = (0, errors_ts_1.unavailable)("The read replica could not catch up with the primary within ".concat(options.timeoutMs, " ms (DATABASE_TIMEOUT_MS), so it cannot show this instance's latest appends. Retry shortly."), 1);
                        error.cause = new Error("replica sync failed: ".concat((0, remote_ts_1.describeError)(e_1)));
                        throw error;
                    case 6:
                        clearTimeout(timer);
                        return [7 /*endfinally*/];
                    case 7: return [2 /*return*/];
                }
            });
        });
    }
    var timer = setInterval(function () {
        if (closed || inFlight)
            return;
        sync().done.catch(function (e) { var _a; return (_a = options.log) === null || _a === void 0 ? void 0 : _a.call(options, { level: 'error', msg: 'replica sync failed (reads serve the last synced state)', error: (0, remote_ts_1.describeError)(e) }); });
    }, options.intervalMs);
    (_b = (_a = timer).unref) === null || _b === void 0 ? void 0 : _b.call(_a);
    var db = {
        protocol: 'replica',
        execute: function (stmt) {
            return __awaiter(this, void 0, void 0, function () {
                return __generator(this, function (_a) {
                    switch (_a.label) {
                        case 0:
                            if (!(covered < commits)) return [3 /*break*/, 2];
                            return [4 /*yield*/, caughtUp()];
                        case 1:
                            _a.sent();
                            _a.label = 2;
                        case 2: return [2 /*return*/, client.execute(stmt)];
                    }
                });
            });
        },
        batch: function (stmts, mode) {
            return __awaiter(this, void 0, void 0, function () {
                return __generator(this, function (_a) {
                    switch (_a.label) {
                        case 0:
                            if (mode === 'write')
                                throw new Error('the replica is read-only here: writes go to the primary');
                            if (!(covered < commits)) return [3 /*break*/, 2];
                            return [4 /*yield*/, caughtUp()];
                        case 1:
                            _a.sent();
                            _a.label = 2;
                        case 2: return [2 /*return*/, client.batch(stmts, 'read')];
                    }
                });
            });
        },
        close: function () {
            closed = true;
            clearInterval(timer);
            client.close();
        },
    };
    return {
        db: db,
        committed: function () { return void commits++; },
        stats: function () { return ({ syncs: syncs, failures: failures, lastSyncStartedAt: lastSyncStartedAt }); },
        close: function () { return db.close(); },
    };
}
