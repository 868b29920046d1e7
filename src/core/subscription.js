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
var __await = (this && this.__await) || function (v) { return this instanceof __await ? (this.v = v, this) : new __await(v); }
var __asyncGenerator = (this && this.__asyncGenerator) || function (thisArg, _arguments, generator) {
    if (!Symbol.asyncIterator) throw new TypeError("Symbol.asyncIterator is not defined.");
    var g = generator.apply(thisArg, _arguments || []), i, q = [];
    return i = Object.create((typeof AsyncIterator === "function" ? AsyncIterator : Object).prototype), verb("next"), verb("throw"), verb("return", awaitReturn), i[Symbol.asyncIterator] = function () { return this; }, i;
    function awaitReturn(f) { return function (v) { return Promise.resolve(v).then(f, reject); }; }
    function verb(n, f) { if (g[n]) { i[n] = function (v) { return new Promise(function (a, b) { q.push([n, v, a, b]) > 1 || resume(n, v); }); }; if (f) i[n] = f(i[n]); } }
    function resume(n, v) { try { step(g[n](v)); } catch (e) { settle(q[0][3], e); } }
    function step(r) { r.value instanceof __await ? Promise.resolve(r.value.v).then(fulfill, reject) : settle(q[0][2], r); }
    function fulfill(value) { resume("next", value); }
    function reject(value) { resume("throw", value); }
    function settle(f, v) { if (f(v), q.shift(), q.length) resume(q[0][0], q[0][1]); }
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
exports.createSubscriptions = createSubscriptions;
var errors_ts_1 = require("./errors.ts");
var streams_ts_1 = require("./streams.ts");
var sharedTail_ts_1 = require("./sharedTail.ts");
var DEFAULT_POLL_MS = 500;
/** Smallest revision of `stream` at or after `position`: a binary search over head + keyset reads. */
function revisionAt(reader, stream, position) {
    return __awaiter(this, void 0, void 0, function () {
        var head, lo, hi, mid, e;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    if (position <= 1)
                        return [2 /*return*/, 0];
                    return [4 /*yield*/, reader.head(stream)];
                case 1:
                    head = _a.sent();
                    if (!head)
                        return [2 /*return*/, 0];
                    if (head.position < position)
                        return [2 /*return*/, head.revision + 1];
                    lo = 0;
                    hi = head.revision;
                    _a.label = 2;
                case 2:
                    if (!(lo < hi)) return [3 /*break*/, 4];
                    mid = (lo + hi) >> 1;
                    return [4 /*yield*/, reader.readStream(stream, { from: mid, limit: 1, direction: 'forward' })];
                case 3:
                    e = (_a.sent())[0];
                    if (e && e.position >= position)
                        hi = mid;
                    else
                        lo = mid + 1;
                    return [3 /*break*/, 2];
                case 4: return [2 /*return*/, lo];
            }
        });
    });
}
/**
 * In-process check of what the chosen SQL read does not apply: the read goes by stream,
 * else by category (+ group), else over all with types and tags; the rest is checked here.
 */
function matcher(filter, from) {
    var _a, _b;
    var stream = filter.stream, category = filter.category, member = filter.member, size = filter.size;
    var bySql = stream !== undefined ? 'stream' : category !== undefined ? 'category' : 'all';
    var types = bySql !== 'all' && ((_a = filter.types) === null || _a === void 0 ? void 0 : _a.length) ? new Set(filter.types) : undefined;
    var tags = bySql !== 'all' && ((_b = filter.tags) === null || _b === void 0 ? void 0 : _b.length) ? filter.tags : undefined;
    var group = bySql === 'stream' && size !== undefined && member !== undefined;
    var inCategory = bySql === 'stream' && category !== undefined;
    return function (e) {
        return e.position >= from &&
            (!inCategory || (e.stream !== null && (0, streams_ts_1.categoryOf)(e.stream) === category)) &&
            (!group || (e.stream !== null && (0, streams_ts_1.streamHash)(e.stream) % size === member)) &&
            (types === undefined || types.has(e.type)) &&
            (tags === undefined || tags.every(function (t) { return e.tags.includes(t); }));
    };
}
/** The whole filter, for events the shared tail read from the entire log. */
function fullMatcher(filter) {
    var _a, _b;
    var stream = filter.stream, category = filter.category, member = filter.member, size = filter.size;
    var types = ((_a = filter.types) === null || _a === void 0 ? void 0 : _a.length) ? new Set(filter.types) : undefined;
    var tags = ((_b = filter.tags) === null || _b === void 0 ? void 0 : _b.length) ? filter.tags : undefined;
    var group = size !== undefined && member !== undefined;
    return function (e) {
        return (stream === undefined || e.stream === stream) &&
            (category === undefined || (e.stream !== null && (0, streams_ts_1.categoryOf)(e.stream) === category)) &&
            (!group || (e.stream !== null && (0, streams_ts_1.streamHash)(e.stream) % size === member)) &&
            (types === undefined || types.has(e.type)) &&
            (tags === undefined || tags.every(function (t) { return e.tags.includes(t); }));
    };
}
/** What an event counts against a budget in memory: its stored payloads plus a fixed allowance. */
var sizeOf = function (e) { var _a, _b, _c, _d; return ((_b = (_a = e.data) === null || _a === void 0 ? void 0 : _a.length) !== null && _b !== void 0 ? _b : 0) + ((_d = (_c = e.metadata) === null || _c === void 0 ? void 0 : _c.length) !== null && _d !== void 0 ? _d : 0) + 160; };
/**
 * The subscription hub of one event log.
 * @example
 *   for await (const page of subs.subscribe({ from: 1, filter: { category: 'account' } })) handle(page)
 */
function createSubscriptions(options) {
    var _a, _b, _c;
    var reader = options.reader, liveSignal = options.liveSignal;
    var pollIntervalMs = (_a = options.pollIntervalMs) !== null && _a !== void 0 ? _a : DEFAULT_POLL_MS;
    var defaultPageSize = (_b = options.defaultPageSize) !== null && _b !== void 0 ? _b : 500;
    var maxBytes = options.maxPageBytes;
    var maxSlots = (_c = options.maxSubscriptions) !== null && _c !== void 0 ? _c : Infinity;
    var slots = 0;
    /** Takes a place among MAX_SUBSCRIPTIONS, or throws a 503 (Retry-After) when there is none. */
    function acquire() {
        if (slots >= maxSlots) {
            throw new errors_ts_1.EdgelogError(503, 'too-many-subscriptions', 'Too many subscriptions', "This server holds its maximum of ".concat(maxSlots, " subscriptions and long polls (MAX_SUBSCRIPTIONS); retry shortly, or read pages without wait."), { maxSubscriptions: maxSlots }, { 'Retry-After': '1' });
        }
        slots++;
        var held = true;
        return {
            release: function () {
                if (held)
                    slots--;
                held = false;
            },
        };
    }
    var head = 0;
    var closed = false;
    var waiters = new Set();
    var subs = new Set();
    var counters = { opened: 0, eventsPushed: 0, bytesPushed: 0, waiting: 0, checkpointsSaved: 0, stalledDisconnects: 0, fanouts: 0 };
    var closeListeners = new Set();
    var fanoutListeners = [];
    /** wakes every live subscriber waiting on its inbox (shutdown) */
    var inboxWakers = new Set();
    /** Something up to `position` is committed: long polls waiting below it re-read. */
    var advance = function (position) {
        if (position <= head)
            return;
        head = position;
        for (var _i = 0, waiters_1 = waiters; _i < waiters_1.length; _i++) {
            var w = waiters_1[_i];
            if (w.mark < position)
                w.resolve('wake');
        }
    };
    var tail = (0, sharedTail_ts_1.createSharedTail)({
        reader: reader,
        pageSize: defaultPageSize,
        maxBytes: maxBytes,
        pollIntervalMs: pollIntervalMs,
        head: function () { return head; },
        onPage: function (events, ms) {
            advance(events[events.length - 1].position);
            counters.fanouts++;
            for (var _i = 0, fanoutListeners_1 = fanoutListeners; _i < fanoutListeners_1.length; _i++) {
                var l = fanoutListeners_1[_i];
                l(ms, events.length);
            }
        },
    });
    if (liveSignal && options.onCommit) {
        options.onCommit(function (last) {
            advance(last);
            tail.kick();
        });
    }
    // Without a signal, the head is the highest position any read has seen (a lower bound).
    var seen = function (position) {
        if (!liveSignal)
            advance(position);
    };
    // Poll mode, nobody live: long polls still share one look at the head per interval.
    var headCheck;
    var lastHeadCheck = 0;
    function pollHead() {
        if (tail.size)
            return tail.poll();
        if (headCheck)
            return headCheck;
        if (performance.now() - lastHeadCheck < pollIntervalMs / 2)
            return Promise.resolve();
        lastHeadCheck = performance.now();
        headCheck = reader
            .lastPosition()
            .then(advance, function () { })
            .finally(function () { return (headCheck = undefined); });
        return headCheck;
    }
    /**
     * Resolves when something may have been committed after `mark` ('wake': re-read), after
     * `timeoutMs` ('timeout'), or when the hub closes or `signal` aborts ('closed').
     * Without a live signal the process polls (one poll for all waiters) every pollIntervalMs.
     */
    function wait(mark, timeoutMs, signal) {
        if (closed || (signal === null || signal === void 0 ? void 0 : signal.aborted))
            return Promise.resolve('closed');
        if (head > mark)
            return Promise.resolve('wake');
        return new Promise(function (resolve) {
            var done = false;
            var pollTimer;
            var finish = function (w) {
                if (done)
                    return;
                done = true;
                clearTimeout(timer);
                clearTimeout(pollTimer);
                signal === null || signal === void 0 ? void 0 : signal.removeEventListener('abort', onAbort);
                waiters.delete(waiter);
                counters.waiting--;
                resolve(w);
            };
            var onAbort = function () { return finish('closed'); };
            var waiter = { mark: mark, resolve: finish };
            var timer = setTimeout(function () { return finish('timeout'); }, Math.max(0, timeoutMs));
            var poll = function () {
                pollTimer = setTimeout(function () {
                    void pollHead().then(function () {
                        if (!done)
                            poll();
                    });
                }, pollIntervalMs);
            };
            if (!liveSignal)
                poll();
            counters.waiting++;
            waiters.add(waiter);
            signal === null || signal === void 0 ? void 0 : signal.addEventListener('abort', onAbort);
        });
    }
    function subscribe(opts) {
        return __asyncGenerator(this, arguments, function subscribe_1() {
            var filter, from, pageSize, idleMs, signal, match, matchAll, sub, inbox, inboxBytes, overflow, wakeInbox, wake, member, waitInbox, deliver, cursor_1, revision_1, _a, read, idleSince, mark, raw, last, events, n, bytes, batch, last, left;
            var _b, _c, _d, _e;
            return __generator(this, function (_f) {
                switch (_f.label) {
                    case 0:
                        filter = (_b = opts.filter) !== null && _b !== void 0 ? _b : {};
                        from = Math.max(1, opts.from);
                        pageSize = (_c = opts.pageSize) !== null && _c !== void 0 ? _c : defaultPageSize;
                        idleMs = (_d = opts.idleMs) !== null && _d !== void 0 ? _d : 15000;
                        signal = opts.signal;
                        match = matcher(filter, from);
                        matchAll = fullMatcher(filter);
                        sub = { scanned: from - 1, live: false };
                        inbox = [];
                        inboxBytes = 0;
                        overflow = false;
                        wake = function () {
                            var w = wakeInbox;
                            wakeInbox = undefined;
                            w === null || w === void 0 ? void 0 : w();
                        };
                        member = {
                            get scanned() {
                                return sub.scanned;
                            },
                            category: (_e = filter.category) !== null && _e !== void 0 ? _e : (filter.stream !== undefined ? (0, streams_ts_1.categoryOf)(filter.stream) : undefined),
                            offer: function (events, upTo) {
                                if (overflow)
                                    return;
                                for (var _i = 0, events_1 = events; _i < events_1.length; _i++) {
                                    var e = events_1[_i];
                                    if (e.position > sub.scanned && matchAll(e)) {
                                        inbox.push(e);
                                        inboxBytes += sizeOf(e);
                                    }
                                }
                                if (upTo > sub.scanned)
                                    sub.scanned = upTo;
                                // Slower than the log: stop buffering, read from the database again (nothing lost).
                                if (inbox.length > pageSize || (maxBytes !== undefined && inboxBytes > maxBytes)) {
                                    overflow = true;
                                    tail.leave(member);
                                }
                                if (inbox.length || overflow)
                                    wake();
                            },
                            evict: function () {
                                overflow = true;
                                wake();
                            },
                        };
                        waitInbox = function (ms) {
                            return new Promise(function (resolve) {
                                var done = function () {
                                    clearTimeout(timer);
                                    signal === null || signal === void 0 ? void 0 : signal.removeEventListener('abort', done);
                                    inboxWakers.delete(done);
                                    resolve();
                                };
                                var timer = setTimeout(done, Math.max(0, ms));
                                wakeInbox = done;
                                inboxWakers.add(done);
                                signal === null || signal === void 0 ? void 0 : signal.addEventListener('abort', done);
                            });
                        };
                        subs.add(sub);
                        counters.opened++;
                        deliver = function (events) {
                            counters.eventsPushed += events.length;
                            for (var _i = 0, events_2 = events; _i < events_2.length; _i++) {
                                var e = events_2[_i];
                                counters.bytesPushed += sizeOf(e) - 160;
                            }
                        };
                        _f.label = 1;
                    case 1:
                        _f.trys.push([1, , 27, 28]);
                        cursor_1 = from;
                        if (!(filter.stream !== undefined)) return [3 /*break*/, 3];
                        return [4 /*yield*/, __await(revisionAt(reader, filter.stream, from))];
                    case 2:
                        _a = _f.sent();
                        return [3 /*break*/, 4];
                    case 3:
                        _a = 0;
                        _f.label = 4;
                    case 4:
                        revision_1 = _a;
                        read = function () {
                            return filter.stream !== undefined
                                ? reader.readStream(filter.stream, { from: revision_1, limit: pageSize, direction: 'forward', maxBytes: maxBytes })
                                : filter.category !== undefined
                                    ? reader.readCategory(filter.category, { from: cursor_1, limit: pageSize, member: filter.member, size: filter.size, maxBytes: maxBytes })
                                    : reader.readAll({ from: cursor_1, limit: pageSize, types: filter.types, tags: filter.tags, maxBytes: maxBytes });
                        };
                        idleSince = Date.now();
                        _f.label = 5;
                    case 5:
                        if (!(!closed && !(signal === null || signal === void 0 ? void 0 : signal.aborted))) return [3 /*break*/, 26];
                        mark = head;
                        return [4 /*yield*/, __await(read())];
                    case 6:
                        raw = _f.sent();
                        if (!raw.length) return [3 /*break*/, 10];
                        last = raw[raw.length - 1];
                        cursor_1 = last.position + 1;
                        if (last.revision !== null)
                            revision_1 = last.revision + 1;
                        sub.scanned = last.position;
                        seen(last.position);
                        events = raw.filter(match);
                        if (!events.length) return [3 /*break*/, 9];
                        deliver(events);
                        idleSince = Date.now();
                        return [4 /*yield*/, __await(events)];
                    case 7: return [4 /*yield*/, _f.sent()];
                    case 8:
                        _f.sent();
                        _f.label = 9;
                    case 9:
                        if (raw.length === pageSize || raw.cut)
                            return [3 /*break*/, 5]; // catching up: read the next page at once
                        _f.label = 10;
                    case 10:
                        if (!opts.untilCaughtUp) return [3 /*break*/, 12];
                        return [4 /*yield*/, __await(void 0)];
                    case 11: return [2 /*return*/, _f.sent()];
                    case 12:
                        if (mark > sub.scanned)
                            sub.scanned = mark;
                        if (!(closed || (signal === null || signal === void 0 ? void 0 : signal.aborted))) return [3 /*break*/, 14];
                        return [4 /*yield*/, __await(void 0)];
                    case 13: return [2 /*return*/, _f.sent()];
                    case 14:
                        // At the head: join the shared tail, unless it already moved past what we scanned.
                        if (!tail.join(member))
                            return [3 /*break*/, 5];
                        sub.live = true;
                        _f.label = 15;
                    case 15:
                        if (!(!closed && !(signal === null || signal === void 0 ? void 0 : signal.aborted))) return [3 /*break*/, 25];
                        if (!inbox.length) return [3 /*break*/, 18];
                        n = 0;
                        bytes = 0;
                        while (n < inbox.length && n < pageSize && (n === 0 || maxBytes === undefined || bytes + sizeOf(inbox[n]) <= maxBytes))
                            bytes += sizeOf(inbox[n++]);
                        batch = n === inbox.length ? inbox : inbox.slice(0, n);
                        inbox = n === inbox.length ? [] : inbox.slice(n);
                        inboxBytes -= bytes;
                        last = batch[batch.length - 1];
                        cursor_1 = last.position + 1;
                        if (last.revision !== null)
                            revision_1 = last.revision + 1;
                        deliver(batch);
                        idleSince = Date.now();
                        return [4 /*yield*/, __await(batch)];
                    case 16: return [4 /*yield*/, _f.sent()];
                    case 17:
                        _f.sent();
                        return [3 /*break*/, 15];
                    case 18:
                        if (overflow)
                            return [3 /*break*/, 25];
                        left = idleMs - (Date.now() - idleSince);
                        if (!(left <= 0)) return [3 /*break*/, 21];
                        idleSince = Date.now();
                        return [4 /*yield*/, __await([])];
                    case 19: return [4 /*yield*/, _f.sent()];
                    case 20:
                        _f.sent();
                        return [3 /*break*/, 15];
                    case 21: return [4 /*yield*/, __await(waitInbox(liveSignal ? left : Math.min(left, pollIntervalMs)))];
                    case 22:
                        _f.sent();
                        if (!(!liveSignal && !inbox.length && !overflow)) return [3 /*break*/, 24];
                        return [4 /*yield*/, __await(tail.poll())];
                    case 23:
                        _f.sent();
                        _f.label = 24;
                    case 24: return [3 /*break*/, 15];
                    case 25:
                        // Back to reading on its own, from the last event delivered. Pages of other
                        // categories were not offered to it: everything up to the tail's position is scanned.
                        if (!overflow && tail.position > sub.scanned)
                            sub.scanned = tail.position;
                        tail.leave(member);
                        sub.live = false;
                        if (overflow) {
                            if (inbox.length) {
                                sub.scanned = inbox[0].position - 1;
                                if (inbox[0].revision !== null)
                                    revision_1 = inbox[0].revision;
                            }
                            cursor_1 = sub.scanned + 1;
                            inbox = [];
                            inboxBytes = 0;
                            overflow = false;
                        }
                        return [3 /*break*/, 5];
                    case 26: return [3 /*break*/, 28];
                    case 27:
                        tail.leave(member);
                        subs.delete(sub);
                        return [7 /*endfinally*/];
                    case 28: return [2 /*return*/];
                }
            });
        });
    }
    return {
        /** true when commits in this process wake subscribers; false: they poll */
        liveSignal: liveSignal,
        pollIntervalMs: pollIntervalMs,
        subscribe: subscribe,
        /**
         * Long poll: `read()` until it returns something, waiting for commits in between, for at
         * most `waitMs`. Returns the last (possibly empty) result.
         */
        readWhenAvailable: function (read, waitMs, signal) {
            return __awaiter(this, void 0, void 0, function () {
                var deadline, slot, mark, rows, left;
                return __generator(this, function (_a) {
                    switch (_a.label) {
                        case 0:
                            deadline = Date.now() + waitMs;
                            _a.label = 1;
                        case 1:
                            _a.trys.push([1, , 7, 8]);
                            _a.label = 2;
                        case 2:
                            mark = head;
                            return [4 /*yield*/, read()];
                        case 3:
                            rows = _a.sent();
                            left = deadline - Date.now();
                            if (rows.length || left <= 0)
                                return [2 /*return*/, rows];
                            slot !== null && slot !== void 0 ? slot : (slot = acquire());
                            return [4 /*yield*/, wait(mark, left, signal)];
                        case 4:
                            if ((_a.sent()) === 'closed')
                                return [2 /*return*/, rows];
                            _a.label = 5;
                        case 5: return [3 /*break*/, 2];
                        case 6: return [3 /*break*/, 8];
                        case 7:
                            slot === null || slot === void 0 ? void 0 : slot.release();
                            return [7 /*endfinally*/];
                        case 8: return [2 /*return*/];
                    }
                });
            });
        },
        acquire: acquire,
        /** Calls `listener` once when the hub closes (shutdown); returns an unsubscribe. */
        onClose: function (listener) {
            if (closed) {
                listener();
                return function () { };
            }
            closeListeners.add(listener);
            return function () { return closeListeners.delete(listener); };
        },
        /** Counts a transport-level happening for stats(). */
        note: function (kind) {
            if (kind === 'checkpoint')
                counters.checkpointsSaved++;
            else
                counters.stalledDisconnects++;
        },
        get closed() {
            return closed;
        },
        /** Called for each page the shared tail fans out, with the ms from the trigger to every live subscriber holding it. */
        onFanout: function (listener) {
            fanoutListeners.push(listener);
        },
        stats: function () {
            var maxLag = 0;
            var totalLag = 0;
            var live = 0;
            for (var _i = 0, subs_1 = subs; _i < subs_1.length; _i++) {
                var s = subs_1[_i];
                if (s.live)
                    live++;
                var scanned = s.live ? Math.max(s.scanned, tail.position) : s.scanned;
                var lag = Math.max(0, head - scanned);
                totalLag += lag;
                if (lag > maxLag)
                    maxLag = lag;
            }
            return {
                mode: liveSignal ? 'signal' : 'poll',
                active: subs.size,
                live: live,
                catchingUp: subs.size - live,
                slots: slots,
                tailReads: tail.reads,
                fanouts: counters.fanouts,
                bytesPushed: counters.bytesPushed,
                waiting: counters.waiting,
                opened: counters.opened,
                eventsPushed: counters.eventsPushed,
                checkpointsSaved: counters.checkpointsSaved,
                stalledDisconnects: counters.stalledDisconnects,
                head: head,
                maxLag: maxLag,
                totalLag: totalLag,
            };
        },
        /** Ends every subscription and long poll (shutdown): they finish their current page and return. */
        close: function () {
            if (closed)
                return;
            closed = true;
            for (var _i = 0, _a = __spreadArray([], waiters, true); _i < _a.length; _i++) {
                var w = _a[_i];
                w.resolve('closed');
            }
            for (var _b = 0, _c = __spreadArray([], inboxWakers, true); _b < _c.length; _b++) {
                var w = _c[_b];
                w();
            }
            for (var _d = 0, closeListeners_1 = closeListeners; _d < closeListeners_1.length; _d++) {
                var l = closeListeners_1[_d];
                l();
            }
            closeListeners.clear();
        },
    };
}
