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
var __asyncValues = (this && this.__asyncValues) || function (o) {
    if (!Symbol.asyncIterator) throw new TypeError("Symbol.asyncIterator is not defined.");
    var m = o[Symbol.asyncIterator], i;
    return m ? m.call(o) : (o = typeof __values === "function" ? __values(o) : o[Symbol.iterator](), i = {}, verb("next"), verb("throw"), verb("return"), i[Symbol.asyncIterator] = function () { return this; }, i);
    function verb(n) { i[n] = o[n] && function (v) { return new Promise(function (resolve, reject) { v = o[n](v), settle(resolve, reject, v.done, v.value); }); }; }
    function settle(resolve, reject, d, v) { Promise.resolve(v).then(function(v) { resolve({ value: v, done: d }); }, reject); }
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.notSupported = exports.sseMessage = exports.WaitParam = exports.ConsumerName = exports.MAX_WAIT_MS = exports.DEFAULT_STALL_TIMEOUT_MS = exports.DEFAULT_HEARTBEAT_MS = void 0;
exports.registerSubscribeRoute = registerSubscribeRoute;
var zod_openapi_1 = require("@hono/zod-openapi");
var streaming_1 = require("hono/streaming");
var consumers_ts_1 = require("../../core/consumers.ts");
var errors_ts_1 = require("../../core/errors.ts");
var problem_ts_1 = require("../problem.ts");
var media_ts_1 = require("../media.ts");
var S = require("../schemas.ts");
var doc_ts_1 = require("./doc.ts");
exports.DEFAULT_HEARTBEAT_MS = 15000;
exports.DEFAULT_STALL_TIMEOUT_MS = 60000;
exports.MAX_WAIT_MS = 60000;
exports.ConsumerName = zod_openapi_1.z.string().regex(consumers_ts_1.CONSUMER_NAME, 'a consumer name is 1-200 characters from A-Z a-z 0-9 _ . : @ + = -');
/** `wait=30s`, `wait=500ms` or `wait=30` (seconds), at most 60 s: a long poll. */
exports.WaitParam = zod_openapi_1.z
    .string()
    .regex(/^\d{1,6}(\.\d{1,3})?(ms|s)?$/, 'wait is a duration such as 30s, 500ms or 30 (seconds)')
    .transform(function (s) { return (s.endsWith('ms') ? Number(s.slice(0, -2)) : Number(s.replace(/s$/, '')) * 1000); })
    .pipe(zod_openapi_1.z.number().max(exports.MAX_WAIT_MS, "wait is at most ".concat(exports.MAX_WAIT_MS / 1000, "s")))
    .openapi({ description: 'long poll: hold the request until an event at/after `from` exists, at most this long (e.g. 30s)', example: '30s' });
var positiveInt = function (name) { return S.Cursor(name).pipe(zod_openapi_1.z.number().min(1, "".concat(name, " must be at least 1"))); };
var sseType = function (type) { return (/[\r\n]/.test(type) ? 'event' : type); };
/**
 * One SSE message per event: id = global position, event = type, data = the event as JSON
 * pages render it (eventJson).
 */
var sseMessage = function (e, codec) { return "id: ".concat(e.position, "\nevent: ").concat(sseType(e.type), "\ndata: ").concat((0, media_ts_1.eventJson)(e, codec), "\n\n"); };
exports.sseMessage = sseMessage;
var SubscribeQuery = function (maxPage) {
    return zod_openapi_1.z
        .object({
        from: S.Cursor('from').optional().openapi({ description: 'first position to deliver (inclusive); default 0, the start' }),
        consumer: exports.ConsumerName.optional().openapi({ description: "start after this consumer's checkpoint (when it has one)" }),
        stream: S.StreamName.optional(),
        category: zod_openapi_1.z.string().regex(/^[A-Za-z0-9_.:@+=]{1,200}$/, 'a category is 1-200 characters from A-Z a-z 0-9 _ . : @ + =').optional(),
        member: S.Cursor('member').optional(),
        size: positiveInt('size').pipe(zod_openapi_1.z.number().max(1024, 'size must be at most 1024')).optional(),
        types: S.csvTerms('types').optional().openapi({ description: 'comma-separated event types (at most 32)' }),
        tags: S.csvTerms('tags').optional().openapi({ description: 'comma-separated tags, at most 32; an event must carry all' }),
        limit: S.pageLimit(maxPage).optional().openapi({ description: 'events per read (the most held in memory for this subscriber)' }),
        checkpointEvery: positiveInt('checkpointEvery').optional().openapi({ description: "save the consumer's checkpoint every N delivered events" }),
        checkpointMs: positiveInt('checkpointMs').optional().openapi({ description: "save the consumer's checkpoint at most this many ms after a delivery" }),
        max: positiveInt('max').optional().openapi({ description: 'end the stream after this many events (for clients that read a response whole, such as k6)' }),
        live: zod_openapi_1.z.enum(['true', 'false'], { error: 'live is true or false' }).optional().openapi({ description: 'false: end the stream once caught up instead of waiting for new events' }),
    })
        .refine(function (q) { return q.stream === undefined || q.category === undefined; }, { message: 'filter by stream or by category, not both', path: ['stream'] })
        .refine(function (q) { return (q.member === undefined) === (q.size === undefined); }, { message: 'member and size go together', path: ['member'] })
        .refine(function (q) { return q.size === undefined || q.category !== undefined; }, { message: 'a consumer group (member, size) splits a category: add category', path: ['member'] })
        .refine(function (q) { return q.member === undefined || q.size === undefined || q.member < q.size; }, { message: 'member must be below size', path: ['member'] })
        .refine(function (q) { return q.consumer !== undefined || (q.checkpointEvery === undefined && q.checkpointMs === undefined); }, {
        message: 'checkpointEvery / checkpointMs save a named consumer: add consumer',
        path: ['consumer'],
    });
};
var LastEventId = zod_openapi_1.z
    .string()
    .regex(/^\s*\d{1,15}\s*$/, 'Last-Event-ID must be a position (the id: of the last event received)')
    .transform(Number)
    .optional();
/**
 * `GET /v1/subscribe`: Server-Sent Events. Catch up from a position, then live.
 * Backpressure is the transport's: each write waits until the runtime has taken the bytes,
 * so a slow client slows its own reads and never grows a buffer here.
 */
function registerSubscribeRoute(app, deps) {
    var _this = this;
    var _a, _b, _c, _d;
    var log = deps.log;
    var codec = log.codec, limits = log.limits, subs = log.subscriptions;
    var heartbeatMs = (_b = (_a = deps.sse) === null || _a === void 0 ? void 0 : _a.heartbeatMs) !== null && _b !== void 0 ? _b : exports.DEFAULT_HEARTBEAT_MS;
    var stallTimeoutMs = (_d = (_c = deps.sse) === null || _c === void 0 ? void 0 : _c.stallTimeoutMs) !== null && _d !== void 0 ? _d : exports.DEFAULT_STALL_TIMEOUT_MS;
    // Live subscribers get the same event objects from the shared tail: render each once.
    var messages = new WeakMap();
    var rendered = function (e) {
        var m = messages.get(e);
        if (m === undefined)
            messages.set(e, (m = (0, exports.sseMessage)(e, codec)));
        return m;
    };
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'get',
        path: '/v1/subscribe',
        operationId: 'subscribe',
        summary: 'Subscribe (Server-Sent Events)',
        description: 'Catches up from a position (or after a consumer checkpoint, or after Last-Event-ID), then stays live. Each message: `id:` the position and `data:` the event as JSON, with no `event:` line (every event is a plain "message": the `onmessage` of an EventSource sees them all; the type is in the data). Heartbeat comments every 15 s.',
        request: {
            query: SubscribeQuery(limits.maxPageSize),
            headers: zod_openapi_1.z.object({ 'last-event-id': LastEventId.openapi({ description: 'resume after this position (the id: of the last event received)', example: '42' }) }),
        },
        responses: __assign({ 200: { description: 'An event stream', content: { 'text/event-stream': { schema: zod_openapi_1.z.string() } } } }, (0, doc_ts_1.problems)(400, 503)),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var q, lastEventId, consumers, every, everyMs, from, checkpoint, filter, idleMs, slot, res;
        var _this = this;
        var _a;
        return __generator(this, function (_b) {
            switch (_b.label) {
                case 0:
                    q = c.req.valid('query');
                    lastEventId = c.req.valid('header')['last-event-id'];
                    consumers = log.consumers;
                    every = q.checkpointEvery;
                    everyMs = q.checkpointMs;
                    if (q.consumer !== undefined && !consumers)
                        throw (0, exports.notSupported)();
                    // Saving a checkpoint is a write, as PUT /v1/consumers/:name is.
                    if ((every || everyMs) && c.get('role') === 'ro') {
                        throw new errors_ts_1.EdgelogError(403, 'forbidden', 'Forbidden', 'checkpointEvery / checkpointMs save a checkpoint; use a read-write token (or save it yourself with one).');
                    }
                    from = (_a = q.from) !== null && _a !== void 0 ? _a : 0;
                    if (!(lastEventId !== undefined)) return [3 /*break*/, 1];
                    from = lastEventId + 1;
                    return [3 /*break*/, 3];
                case 1:
                    if (!(q.consumer !== undefined)) return [3 /*break*/, 3];
                    return [4 /*yield*/, consumers.get(q.consumer)];
                case 2:
                    checkpoint = _b.sent();
                    if (checkpoint)
                        from = checkpoint.position + 1;
                    _b.label = 3;
                case 3:
                    filter = { stream: q.stream, category: q.category, member: q.member, size: q.size, types: q.types, tags: q.tags };
                    idleMs = Math.min(heartbeatMs, everyMs !== null && everyMs !== void 0 ? everyMs : Infinity);
                    slot = subs.acquire();
                    res = (0, streaming_1.streamSSE)(c, function (stream) { return __awaiter(_this, void 0, void 0, function () {
                        var ac, stop, cut, offClose, writingSince, watchdog, write, delivered, saved, sinceSave, savedAt, save, untilCaughtUp, left, _a, _b, _c, whole, page, i, n, text, k, e_1_1, err_1, problem, cause;
                        var _this = this;
                        var _d, e_1, _e, _f;
                        var _g, _h, _j, _k;
                        return __generator(this, function (_l) {
                            switch (_l.label) {
                                case 0:
                                    ac = new AbortController();
                                    stop = function () { return ac.abort(); };
                                    // Every runtime cancels the response body when the client goes away (checked on
                                    // Node, Bun, Deno). Not request.signal: touching it makes Deno warn (legacy abort).
                                    stream.onAbort(stop);
                                    offClose = subs.onClose(function () {
                                        cut = setTimeout(function () { return abort(stream, ac); }, 1000);
                                    });
                                    writingSince = 0;
                                    watchdog = setInterval(function () {
                                        if (writingSince && Date.now() - writingSince > stallTimeoutMs) {
                                            subs.note('stalled');
                                            abort(stream, ac);
                                        }
                                    }, Math.max(50, Math.min(stallTimeoutMs / 2, 5000)));
                                    write = function (text) { return __awaiter(_this, void 0, void 0, function () {
                                        return __generator(this, function (_a) {
                                            switch (_a.label) {
                                                case 0:
                                                    writingSince = Date.now();
                                                    return [4 /*yield*/, stream.write(text)];
                                                case 1:
                                                    _a.sent();
                                                    writingSince = 0;
                                                    return [2 /*return*/, !ac.signal.aborted && !stream.aborted];
                                            }
                                        });
                                    }); };
                                    delivered = from - 1;
                                    saved = delivered;
                                    sinceSave = 0;
                                    savedAt = Date.now();
                                    save = function () { return __awaiter(_this, void 0, void 0, function () {
                                        return __generator(this, function (_a) {
                                            switch (_a.label) {
                                                case 0:
                                                    if (!q.consumer || delivered <= saved)
                                                        return [2 /*return*/];
                                                    return [4 /*yield*/, consumers.save(q.consumer, delivered, { relaxed: true })];
                                                case 1:
                                                    _a.sent();
                                                    subs.note('checkpoint');
                                                    saved = delivered;
                                                    sinceSave = 0;
                                                    savedAt = Date.now();
                                                    return [2 /*return*/];
                                            }
                                        });
                                    }); };
                                    _l.label = 1;
                                case 1:
                                    _l.trys.push([1, 28, 30, 31]);
                                    return [4 /*yield*/, write(": edgelog subscription from position ".concat(from, "\n\n"))];
                                case 2:
                                    // A first comment sends the headers at once, so the client knows it is subscribed.
                                    if (!(_l.sent()))
                                        return [2 /*return*/];
                                    untilCaughtUp = q.live === 'false';
                                    left = (_g = q.max) !== null && _g !== void 0 ? _g : Infinity;
                                    _l.label = 3;
                                case 3:
                                    _l.trys.push([3, 17, 18, 23]);
                                    _a = true, _b = __asyncValues(subs.subscribe({ from: from, filter: filter, pageSize: q.limit, idleMs: idleMs, signal: ac.signal, untilCaughtUp: untilCaughtUp }));
                                    _l.label = 4;
                                case 4: return [4 /*yield*/, _b.next()];
                                case 5:
                                    if (!(_c = _l.sent(), _d = _c.done, !_d)) return [3 /*break*/, 16];
                                    _f = _c.value;
                                    _a = false;
                                    whole = _f;
                                    if (!!whole.length) return [3 /*break*/, 7];
                                    return [4 /*yield*/, write(': heartbeat\n\n')];
                                case 6:
                                    if (!(_l.sent()))
                                        return [2 /*return*/];
                                    _l.label = 7;
                                case 7:
                                    page = whole.length > left ? whole.slice(0, left) : whole;
                                    left -= page.length;
                                    i = 0;
                                    _l.label = 8;
                                case 8:
                                    if (!(i < page.length)) return [3 /*break*/, 12];
                                    n = every ? Math.min(every - sinceSave, page.length - i) : page.length - i;
                                    text = '';
                                    k = i;
                                    while (k < i + n && (k === i || text.length < limits.maxPageBytes))
                                        text += rendered(page[k++]);
                                    return [4 /*yield*/, write(text)];
                                case 9:
                                    if (!(_l.sent()))
                                        return [2 /*return*/];
                                    n = k - i;
                                    i += n;
                                    delivered = page[i - 1].position;
                                    sinceSave += n;
                                    if (!(every && sinceSave >= every)) return [3 /*break*/, 11];
                                    return [4 /*yield*/, save()];
                                case 10:
                                    _l.sent();
                                    _l.label = 11;
                                case 11: return [3 /*break*/, 8];
                                case 12:
                                    if (!(everyMs && Date.now() - savedAt >= everyMs)) return [3 /*break*/, 14];
                                    return [4 /*yield*/, save()];
                                case 13:
                                    _l.sent();
                                    _l.label = 14;
                                case 14:
                                    if (left === 0)
                                        return [3 /*break*/, 16];
                                    _l.label = 15;
                                case 15:
                                    _a = true;
                                    return [3 /*break*/, 4];
                                case 16: return [3 /*break*/, 23];
                                case 17:
                                    e_1_1 = _l.sent();
                                    e_1 = { error: e_1_1 };
                                    return [3 /*break*/, 23];
                                case 18:
                                    _l.trys.push([18, , 21, 22]);
                                    if (!(!_a && !_d && (_e = _b.return))) return [3 /*break*/, 20];
                                    return [4 /*yield*/, _e.call(_b)];
                                case 19:
                                    _l.sent();
                                    _l.label = 20;
                                case 20: return [3 /*break*/, 22];
                                case 21:
                                    if (e_1) throw e_1.error;
                                    return [7 /*endfinally*/];
                                case 22: return [7 /*endfinally*/];
                                case 23:
                                    if (!((left === 0 || untilCaughtUp) && !subs.closed && (every || everyMs))) return [3 /*break*/, 25];
                                    return [4 /*yield*/, save()];
                                case 24:
                                    _l.sent();
                                    _l.label = 25;
                                case 25:
                                    if (!subs.closed) return [3 /*break*/, 27];
                                    return [4 /*yield*/, write(': server shutting down; reconnect with Last-Event-ID\nretry: 1000\n\n')];
                                case 26:
                                    _l.sent();
                                    _l.label = 27;
                                case 27: return [3 /*break*/, 31];
                                case 28:
                                    err_1 = _l.sent();
                                    problem = (0, problem_ts_1.problemBody)(c, (0, problem_ts_1.toEdgelogError)(err_1, c));
                                    cause = (_h = err_1 === null || err_1 === void 0 ? void 0 : err_1.cause) !== null && _h !== void 0 ? _h : err_1;
                                    if (problem.status >= 500)
                                        (_j = deps.logger) === null || _j === void 0 ? void 0 : _j.call(deps, { level: 'error', msg: 'subscription failed', requestId: c.get('requestId'), error: String((_k = cause === null || cause === void 0 ? void 0 : cause.stack) !== null && _k !== void 0 ? _k : cause) });
                                    return [4 /*yield*/, stream.write("event: error\ndata: ".concat(JSON.stringify(__assign(__assign({}, problem), { requestId: c.get('requestId') })), "\n\n")).catch(function () { })];
                                case 29:
                                    _l.sent();
                                    return [3 /*break*/, 31];
                                case 30:
                                    slot.release();
                                    clearInterval(watchdog);
                                    clearTimeout(cut);
                                    offClose();
                                    return [7 /*endfinally*/];
                                case 31: return [2 /*return*/];
                            }
                        });
                    }); });
                    // An event stream never shares its connection: when it ends (shutdown), the runtime
                    // closes the socket instead of keeping it idle, so Node's server.close need not wait
                    // out the keep-alive timeout (RFC 9112 §9.6).
                    res.headers.set('Connection', 'close');
                    return [2 /*return*/, res];
            }
        });
    }); });
}
function abort(stream, ac) {
    ac.abort();
    stream.abort();
}
var notSupported = function () {
    return new errors_ts_1.EdgelogError(501, 'not-implemented', 'Not implemented', 'This store keeps no consumer checkpoints.');
};
exports.notSupported = notSupported;
