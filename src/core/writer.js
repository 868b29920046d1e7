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
exports.Writer = void 0;
var errors_ts_1 = require("./errors.ts");
// setImmediate runs after pending I/O callbacks, so requests that arrived while a commit
// blocked the thread join the next group; Workers and Deno fall back to a 0 ms timer.
var nextTurn = typeof globalThis.setImmediate === 'function'
    ? function (f) { return globalThis.setImmediate(f); }
    : function (f) { return setTimeout(f, 0); };
var idsOf = function (c) { var _a; return __spreadArray(__spreadArray([], c.streams.flatMap(function (s) { return s.events; }), true), ((_a = c.events) !== null && _a !== void 0 ? _a : []), true).map(function (e) { return e.id; }); };
var sizeOf = function (c) {
    var _a, _b, _c;
    var events = (_b = (_a = c.events) === null || _a === void 0 ? void 0 : _a.length) !== null && _b !== void 0 ? _b : 0;
    var bytes = 0;
    for (var _i = 0, _d = (_c = c.events) !== null && _c !== void 0 ? _c : []; _i < _d.length; _i++) {
        var e = _d[_i];
        bytes += e.size;
    }
    for (var _e = 0, _f = c.streams; _e < _f.length; _e++) {
        var s = _f[_e];
        events += s.events.length;
        for (var _g = 0, _h = s.events; _g < _h.length; _g++) {
            var e = _h[_g];
            bytes += e.size;
        }
    }
    return { events: events, bytes: bytes };
};
/**
 * Group commit: one writer per process turns concurrent appends into few transactions.
 * While a group is being committed, new appends queue; the next group takes all of them
 * up to the batch limits. No timer: under load, groups grow by themselves.
 */
var Writer = /** @class */ (function () {
    function Writer(backend, options) {
        this.queue = [];
        this.queuedEvents = 0;
        this.running = false;
        this.closed = false;
        this.idle = [];
        this.groupListeners = [];
        this.commitListeners = [];
        this.backend = backend;
        this.options = options;
    }
    Object.defineProperty(Writer.prototype, "depth", {
        get: function () {
            return this.queuedEvents;
        },
        enumerable: false,
        configurable: true
    });
    /** Called after every group with its size and duration (metrics). */
    Writer.prototype.onGroup = function (listener) {
        this.groupListeners.push(listener);
    };
    /** Called after every successful commit with the last committed position (subscriptions). */
    Writer.prototype.onCommit = function (listener) {
        this.commitListeners.push(listener);
    };
    Writer.prototype.append = function (command) {
        var _this = this;
        if (this.closed)
            return Promise.reject((0, errors_ts_1.unavailable)('The server is shutting down.', 5));
        var _a = sizeOf(command), events = _a.events, bytes = _a.bytes;
        if (this.queuedEvents > 0 && this.queuedEvents + events > this.options.maxQueueEvents) {
            return Promise.reject((0, errors_ts_1.unavailable)('The write queue is full; retry shortly.', 1));
        }
        return new Promise(function (resolve, reject) {
            var p = { command: command, events: events, bytes: bytes, resolve: resolve, reject: reject };
            if (_this.options.continueFromWaiter)
                _this.arm(p);
            _this.queue.push(p);
            _this.queuedEvents += events;
            if (!_this.running) {
                _this.running = true;
                nextTurn(function () { return void _this.run(); });
            }
        });
    };
    /** Stop accepting, commit everything queued, then resolve. */
    Writer.prototype.close = function () {
        return __awaiter(this, void 0, void 0, function () {
            var _this = this;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0:
                        this.closed = true;
                        if (!this.running && this.queue.length === 0)
                            return [2 /*return*/];
                        return [4 /*yield*/, new Promise(function (resolve) { return _this.idle.push(resolve); })];
                    case 1:
                        _a.sent();
                        return [2 /*return*/];
                }
            });
        });
    };
    Writer.prototype.take = function () {
        var _a = this.options, maxBatchEvents = _a.maxBatchEvents, maxBatchBytes = _a.maxBatchBytes;
        var events = 0;
        var bytes = 0;
        var n = 0;
        // Always take at least one request; never split a request across groups.
        while (n < this.queue.length) {
            var p = this.queue[n];
            if (n > 0 && (events + p.events > maxBatchEvents || bytes + p.bytes > maxBatchBytes))
                break;
            events += p.events;
            bytes += p.bytes;
            n++;
        }
        var group = this.queue.splice(0, n);
        for (var _i = 0, group_1 = group; _i < group_1.length; _i++) {
            var p = group_1[_i];
            p.taken = true;
        }
        this.queuedEvents -= events;
        return group;
    };
    // The continuation is registered by the waiting request, so it runs in that request's
    // context: on Workers a finished request's pending work is cancelled, so the request
    // whose append just committed must not be the one to run the next group.
    Writer.prototype.arm = function (p) {
        var _this = this;
        new Promise(function (r) { return (p.wake = r); }).then(function () {
            if (p.taken)
                return;
            _this.arm(p);
            if (!_this.running && _this.queue.length > 0) {
                _this.running = true;
                void _this.run();
            }
        });
    };
    /**
     * Commits groups while appends are queued. Between groups it yields one turn, so
     * requests that arrived while a commit blocked the thread join the next group. With
     * continueFromWaiter it commits one group and hands the next to a waiting request.
     */
    Writer.prototype.run = function () {
        return __awaiter(this, void 0, void 0, function () {
            var _i, _a, p, _b, _c, r;
            return __generator(this, function (_d) {
                switch (_d.label) {
                    case 0: return [4 /*yield*/, this.commitGroup()];
                    case 1:
                        _d.sent();
                        if (this.options.continueFromWaiter)
                            return [3 /*break*/, 4];
                        if (!(this.queue.length === 0)) return [3 /*break*/, 3];
                        return [4 /*yield*/, new Promise(function (r) { return nextTurn(r); })];
                    case 2:
                        _d.sent();
                        _d.label = 3;
                    case 3:
                        if (this.queue.length > 0) return [3 /*break*/, 0];
                        _d.label = 4;
                    case 4:
                        this.running = false;
                        if (this.queue.length > 0)
                            for (_i = 0, _a = this.queue.slice(0, 8); _i < _a.length; _i++) {
                                p = _a[_i];
                                p.wake();
                            }
                        else
                            for (_b = 0, _c = this.idle.splice(0); _b < _c.length; _b++) {
                                r = _c[_b];
                                r();
                            }
                        return [2 /*return*/];
                }
            });
        });
    };
    Writer.prototype.commitGroup = function () {
        return __awaiter(this, void 0, void 0, function () {
            var group, started, failed, outcomes, last, i, o, _i, _a, l, e_1, error, unknown, _b, group_2, p, stats, _c, _d, l;
            return __generator(this, function (_e) {
                switch (_e.label) {
                    case 0:
                        group = this.take();
                        started = Date.now();
                        failed = false;
                        _e.label = 1;
                    case 1:
                        _e.trys.push([1, 3, , 4]);
                        return [4 /*yield*/, this.backend.commitGroup(group.map(function (p) { return p.command; }))];
                    case 2:
                        outcomes = _e.sent();
                        last = 0;
                        for (i = 0; i < group.length; i++) {
                            o = outcomes[i];
                            if (o instanceof Error)
                                group[i].reject(o);
                            else {
                                if (!o.replayed && o.position > last)
                                    last = o.position;
                                group[i].resolve(o);
                            }
                        }
                        if (last > 0)
                            for (_i = 0, _a = this.commitListeners; _i < _a.length; _i++) {
                                l = _a[_i];
                                l(last);
                            }
                        return [3 /*break*/, 4];
                    case 3:
                        e_1 = _e.sent();
                        // Nothing of this group was written: every request in it fails, none is acked. A
                        // database fault (disk full, I/O error, remote down) is the server's, and passing:
                        // a 503 the client may retry, with the cause kept for the log.
                        failed = true;
                        error = (0, errors_ts_1.isEdgelogError)(e_1) ? e_1 : (0, errors_ts_1.databaseFault)(e_1);
                        unknown = error.kind === 'commit-outcome-unknown';
                        for (_b = 0, group_2 = group; _b < group_2.length; _b++) {
                            p = group_2[_b];
                            p.reject(unknown ? (0, errors_ts_1.commitOutcomeUnknown)(error.cause, idsOf(p.command)) : error);
                        }
                        return [3 /*break*/, 4];
                    case 4:
                        stats = { requests: group.length, events: group.reduce(function (a, p) { return a + p.events; }, 0), durationMs: Date.now() - started, failed: failed };
                        for (_c = 0, _d = this.groupListeners; _c < _d.length; _c++) {
                            l = _d[_c];
                            l(stats);
                        }
                        return [2 /*return*/];
                }
            });
        });
    };
    return Writer;
}());
exports.Writer = Writer;
