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
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_WRITER = void 0;
exports.createEventLog = createEventLog;
var errors_ts_1 = require("./errors.ts");
var events_ts_1 = require("./events.ts");
var writer_ts_1 = require("./writer.ts");
var subscription_ts_1 = require("./subscription.ts");
exports.DEFAULT_WRITER = {
    maxBatchEvents: 2000,
    maxBatchBytes: 8 * 1024 * 1024,
    maxQueueEvents: 100000,
};
/**
 * The event log: appends go through one group-commit writer, reads straight to the
 * store. Everything runtime-specific (driver, server, env) stays outside.
 */
function createEventLog(deps) {
    var _a;
    var reader = deps.reader, codec = deps.codec, limits = deps.limits;
    var writer = new writer_ts_1.Writer(deps.backend, __assign(__assign({}, exports.DEFAULT_WRITER), deps.writer));
    var prepare = function (events, path) {
        return (0, events_ts_1.prepareEvents)(events, codec, limits.maxEventBytes, path, limits.maxDepth);
    };
    var appendListeners = [];
    var submit = function (command) {
        var _a, _b;
        if (appendListeners.length === 0)
            return writer.append(command);
        var started = performance.now();
        var events = (_b = (_a = command.events) === null || _a === void 0 ? void 0 : _a.length) !== null && _b !== void 0 ? _b : 0;
        for (var _i = 0, _c = command.streams; _i < _c.length; _i++) {
            var s = _c[_i];
            events += s.events.length;
        }
        var done = function (outcome) {
            var ms = performance.now() - started;
            for (var _i = 0, appendListeners_1 = appendListeners; _i < appendListeners_1.length; _i++) {
                var l = appendListeners_1[_i];
                l(ms, events, outcome);
            }
        };
        return writer.append(command).then(function (r) { return (done(r.replayed ? 'replayed' : 'ok'), r); }, function (e) {
            done(e instanceof errors_ts_1.EdgelogError && e.status === 409 ? 'conflict' : e instanceof errors_ts_1.EdgelogError && e.status === 503 ? 'rejected' : 'error');
            throw e;
        });
    };
    var subscriptions = (0, subscription_ts_1.createSubscriptions)({
        reader: reader,
        onCommit: function (l) { return writer.onCommit(l); },
        liveSignal: (_a = deps.liveSignal) !== null && _a !== void 0 ? _a : false,
        pollIntervalMs: deps.pollIntervalMs,
        defaultPageSize: limits.maxPageSize,
        maxPageBytes: limits.maxPageBytes,
        maxSubscriptions: limits.maxSubscriptions,
    });
    return {
        writer: writer,
        reader: reader,
        codec: codec,
        limits: limits,
        subscriptions: subscriptions,
        consumers: deps.consumers,
        /** Appends to one stream. e.g. `appendToStream('account-17', NO_STREAM, [{ type: 'Opened' }])` */
        appendToStream: function (stream, expected, events) {
            return submit({ streams: [{ stream: stream, expected: expected, events: prepare(events, 'events') }] });
        },
        /** Appends to several streams (and stream-less events) atomically: all or nothing. */
        append: function (input) {
            var command = {
                streams: input.streams.map(function (s, i) {
                    var _a;
                    return ({
                        stream: s.stream,
                        expected: (_a = s.expectedRevision) !== null && _a !== void 0 ? _a : 'any',
                        events: prepare(s.events, "streams[".concat(i, "].events")),
                    });
                }),
                events: input.events ? prepare(input.events, 'events') : undefined,
                condition: input.condition,
            };
            return submit(command);
        },
        /** Called when each append settles, with its latency (metrics). */
        onAppend: function (listener) {
            appendListeners.push(listener);
        },
        /** Stops accepting appends and commits what is queued. */
        close: function () {
            subscriptions.close();
            return writer.close();
        },
    };
}
