"use strict";
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
exports.eventsOf = exports.hex = void 0;
exports.ownDuplicate = ownDuplicate;
exports.sameRequest = sameRequest;
exports.replayOf = replayOf;
exports.resultFor = resultFor;
var errors_ts_1 = require("../core/errors.ts");
var sameBytes = function (a, b) {
    if (a === null || b === null)
        return a === b;
    if (a.length !== b.length)
        return false;
    for (var i = 0; i < a.length; i++)
        if (a[i] !== b[i])
            return false;
    return true;
};
var tagsColumn = function (tags) { return (tags.length ? JSON.stringify(tags) : null); };
/**
 * Would `e` be stored as `f` is? Same tags, data and metadata bytes (the codec encodes a
 * value the same way every time). A retry that changes any of them is another event: a
 * 201 for it would acknowledge what was never written.
 */
var sameContent = function (f, e) { return f.tags === tagsColumn(e.tags) && sameBytes(f.data, e.data) && sameBytes(f.metadata, e.metadata); };
var sameEvent = function (a, b) {
    return a.type === b.type && a.tags.length === b.tags.length && a.tags.every(function (t, i) { return b.tags[i] === t; }) && sameBytes(a.data, b.data) && sameBytes(a.metadata, b.metadata);
};
/** Map key for an id's 16 bytes. */
var hex = function (b) {
    var s = '';
    for (var i = 0; i < b.length; i++)
        s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
};
exports.hex = hex;
/** A command's events in request order (streams in order, then stream-less events). */
var eventsOf = function (c) {
    var _a;
    return __spreadArray(__spreadArray([], c.streams.flatMap(function (s) { return s.events.map(function (e) { return ({ e: e, stream: s.stream }); }); }), true), ((_a = c.events) !== null && _a !== void 0 ? _a : []).map(function (e) { return ({ e: e, stream: null }); }), true);
};
exports.eventsOf = eventsOf;
/**
 * What in one request the unique indexes would refuse whatever is stored: an id twice
 * (events_id) or a tag twice on one event (event_tags' primary key). It fails alone, as a
 * 400, before it can fail the transaction of its whole group.
 */
function ownDuplicate(all) {
    var ids = all.length > 1 ? new Set() : undefined;
    var _loop_1 = function (e) {
        if (e.tags.length > 1 && new Set(e.tags).size < e.tags.length) {
            var tag = e.tags.find(function (t, i) { return e.tags.indexOf(t) !== i; });
            return { value: (0, errors_ts_1.invalidRequest)("Event ".concat(e.id, " carries tag '").concat(tag, "' more than once; list each tag once.")) };
        }
        if (!e.clientId || !ids)
            return "continue";
        var key = (0, exports.hex)(e.idBytes);
        if (ids.has(key))
            return { value: (0, errors_ts_1.invalidRequest)("Event id ".concat(e.id, " appears more than once in this request; each event needs an id of its own.")) };
        ids.add(key);
    };
    for (var _i = 0, all_1 = all; _i < all_1.length; _i++) {
        var e = all_1[_i].e;
        var state_1 = _loop_1(e);
        if (typeof state_1 === "object")
            return state_1.value;
    }
    return undefined;
}
/**
 * Is `c` the same request as `twin` (a concurrent retry in the same commit group)? The same
 * events, in the same order, each with the same id, stream, type, tags and payloads, and as many.
 */
function sameRequest(c, twin) {
    var a = (0, exports.eventsOf)(c);
    var b = (0, exports.eventsOf)(twin);
    return a.length === b.length && a.every(function (_a, i) {
        var e = _a.e, stream = _a.stream;
        return b[i].stream === stream && sameEvent(b[i].e, e) && b[i].e.clientId && e.clientId && (0, exports.hex)(b[i].e.idBytes) === (0, exports.hex)(e.idBytes);
    });
}
/**
 * All of a command's events already stored exactly as proposed: the original result. A
 * replay repeats the whole request: every event stored with the same id, stream, type, tags
 * and payload bytes,
 * in the request's order at consecutive positions (as one append stores them). Anything
 * else that names a stored id is a 409 event-id-reused: answering it with the stored
 * result would acknowledge events that were never written.
 */
function replayOf(c, existing) {
    var _a;
    // Only client-chosen ids can have been stored before: most appends stop here.
    if (existing.size === 0)
        return undefined;
    var all = (0, exports.eventsOf)(c);
    var found = all.map(function (_a) {
        var e = _a.e;
        return (e.clientId ? existing.get((0, exports.hex)(e.idBytes)) : undefined);
    });
    var known = found.findIndex(Boolean);
    if (known === -1)
        return undefined;
    var mismatch = all.findIndex(function (_a, i) {
        var e = _a.e, stream = _a.stream;
        var f = found[i];
        return f !== undefined && (f.stream !== stream || f.type !== e.type || !sameContent(f, e));
    });
    if (mismatch !== -1) {
        var id = all[mismatch].e.id;
        return (0, errors_ts_1.eventIdReused)(id, "Event id ".concat(id, " is already stored for a different event; a retry must repeat the same events with the same ids."));
    }
    var missing = found.findIndex(function (f) { return f === undefined; });
    var misplaced = missing === -1 ? found.findIndex(function (f, i) { return f.position !== found[0].position + i; }) : -1;
    if (missing !== -1 || misplaced !== -1) {
        var id = all[known].e.id;
        var why = missing !== -1 ? "but event ".concat(all[missing].e.id, " of this request is not") : 'but not as this request stores them (another order or another set of events)';
        return (0, errors_ts_1.eventIdReused)(id, "Event id ".concat(id, " is already stored, ").concat(why, "; a retry must repeat the same events, in the same order, with the same ids."));
    }
    var k = 0;
    var streams = c.streams.map(function (s) {
        var events = s.events.map(function (e) { return ({ id: e.id, revision: found[k].revision, position: found[k++].position }); });
        return resultFor(s.stream, events);
    });
    var events = ((_a = c.events) !== null && _a !== void 0 ? _a : []).map(function (e) { return ({ id: e.id, revision: null, position: found[k++].position }); });
    var position = found[found.length - 1].position;
    return { streams: streams, events: events, position: position, replayed: true };
}
function resultFor(stream, events) {
    var first = events[0];
    var last = events[events.length - 1];
    return {
        stream: stream,
        firstRevision: first.revision,
        lastRevision: last.revision,
        firstPosition: first.position,
        lastPosition: last.position,
        events: events,
    };
}
