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
exports.csvTerms = exports.csv = exports.Cursor = exports.pageLimit = exports.Problems = exports.Problem = exports.QueryPage = exports.LogPage = exports.StreamPage = exports.Head = exports.MultiAppendResult = exports.StreamAppendResult = exports.AppendedStreamless = exports.Appended = exports.EventOut = exports.MultiAppendBody = exports.AppendCondition = exports.QueryBody = exports.Query = exports.QueryItem = exports.AppendBody = exports.eventsArray = exports.EventIn = exports.EventType = exports.Tag = exports.ExpectedRevision = exports.StreamName = void 0;
var zod_openapi_1 = require("@hono/zod-openapi");
var query_ts_1 = require("../core/query.ts");
var streams_ts_1 = require("../core/streams.ts");
var values_ts_1 = require("../core/values.ts");
// No regex flags: OpenAPI copies the source as its `pattern`, and a flag would leak into it.
var UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
exports.StreamName = zod_openapi_1.z
    .string()
    .regex(streams_ts_1.STREAM_NAME, 'a stream name is 1-200 characters from A-Z a-z 0-9 _ . : @ + = -, not starting with $ or -')
    .openapi({ example: 'account-17' });
exports.ExpectedRevision = zod_openapi_1.z
    .union([zod_openapi_1.z.number().int().min(0), zod_openapi_1.z.enum(['any', 'no_stream', 'exists'])], {
    error: 'expectedRevision is a revision number (>= 0) or one of "any", "no_stream", "exists"',
})
    .openapi({ example: 'no_stream', description: 'a revision number, "any" (default), "no_stream" or "exists"' });
/** Types and tags: valid Unicode without control characters (a NUL cut a type short on read-back). */
var name = function (what, error) {
    if (error === void 0) { error = "".concat(what, " is a string of 1-200 characters"); }
    return zod_openapi_1.z.string({ error: error }).min(1).max(200).superRefine(function (s, ctx) {
        var bad = (0, values_ts_1.nameProblem)(s);
        if (bad)
            ctx.addIssue({ code: 'custom', message: "".concat(what, " ").concat(bad) });
    });
};
exports.Tag = name('a tag');
exports.EventType = name('a type', 'type is required (a string of 1-200 characters)');
/** One event's tags: each once (event_tags is unique on (tag, position)). */
var Tags = zod_openapi_1.z
    .array(exports.Tag)
    .max(100)
    .superRefine(function (tags, ctx) {
    var seen = new Map();
    tags.forEach(function (tag, i) {
        var first = seen.get(tag);
        if (first === undefined)
            seen.set(tag, i);
        else
            ctx.addIssue({ code: 'custom', path: [i], message: "tag '".concat(tag, "' is already at index ").concat(first, ": an event carries each tag once") });
    });
});
exports.EventIn = zod_openapi_1.z
    .strictObject({
    id: zod_openapi_1.z.string().regex(UUID, 'id must be a UUID').optional().openapi({ description: 'client-chosen UUID; the idempotency key' }),
    type: exports.EventType.openapi({ example: 'Deposited' }),
    data: zod_openapi_1.z.unknown().optional().openapi({ example: { amount: 100 } }),
    metadata: zod_openapi_1.z.record(zod_openapi_1.z.string(), zod_openapi_1.z.unknown()).nullable().optional(),
    tags: Tags.optional().openapi({ example: ['account:17'] }),
})
    .openapi('EventIn');
/** Event ids are the idempotency key: two events of one request may not share one (as UUIDs, so in any case). */
function uniqueIds(events, ctx) {
    var seen = new Map();
    for (var _i = 0, events_1 = events; _i < events_1.length; _i++) {
        var _a = events_1[_i], id = _a.id, at = _a.at;
        if (id === undefined)
            continue;
        var key = id.toLowerCase();
        var first = seen.get(key);
        if (!first)
            seen.set(key, at);
        else
            ctx.addIssue({ code: 'custom', path: __spreadArray(__spreadArray([], at, true), ['id'], false), message: "event id ".concat(key, " is already used by ").concat(__spreadArray(__spreadArray([], first, true), ['id'], false).join('.'), ": each event of a request needs its own id") });
    }
}
var eventsArray = function (max) {
    return zod_openapi_1.z.array(exports.EventIn).min(1, 'events must hold at least one event').max(max, "at most ".concat(max, " events per append (MAX_EVENTS_PER_APPEND)"));
};
exports.eventsArray = eventsArray;
var AppendBody = function (max) {
    return zod_openapi_1.z
        .strictObject({ events: (0, exports.eventsArray)(max), expectedRevision: exports.ExpectedRevision.optional() })
        .superRefine(function (b, ctx) { return uniqueIds(b.events.map(function (e, i) { return ({ id: e.id, at: ['events', i] }); }), ctx); })
        .openapi('AppendToStream');
};
exports.AppendBody = AppendBody;
/** A DCB query item: events of one of `types` (any type if absent) that carry all `tags`. */
exports.QueryItem = zod_openapi_1.z
    .strictObject({
    types: zod_openapi_1.z
        .array(exports.EventType)
        .max(query_ts_1.MAX_ITEM_TERMS, "at most ".concat(query_ts_1.MAX_ITEM_TERMS, " types per query item"))
        .optional()
        .openapi({ description: 'the event matches if its type is one of these (any type when absent)', example: ['StudentSubscribedToCourse'] }),
    tags: zod_openapi_1.z
        .array(exports.Tag)
        .max(query_ts_1.MAX_ITEM_TERMS, "at most ".concat(query_ts_1.MAX_ITEM_TERMS, " tags per query item"))
        .optional()
        .openapi({ description: 'the event matches if it carries all of these', example: ['course:c1'] }),
})
    .refine(function (i) { var _a, _b, _c, _d; return ((_b = (_a = i.types) === null || _a === void 0 ? void 0 : _a.length) !== null && _b !== void 0 ? _b : 0) + ((_d = (_c = i.tags) === null || _c === void 0 ? void 0 : _c.length) !== null && _d !== void 0 ? _d : 0) > 0; }, {
    message: 'a query item needs at least one type or tag (an empty item would match every event)',
})
    .openapi('QueryItem');
/** A DCB query: an event matches if it matches any item. */
exports.Query = zod_openapi_1.z
    .array(exports.QueryItem)
    .min(1, 'a query needs at least one item')
    .max(query_ts_1.MAX_QUERY_ITEMS, "at most ".concat(query_ts_1.MAX_QUERY_ITEMS, " items per query (MAX_QUERY_ITEMS)"));
var QueryBody = function (maxPage) {
    return zod_openapi_1.z
        .strictObject({
        items: exports.Query,
        from: zod_openapi_1.z.number().int().min(0, 'from must be a position >= 0').optional().openapi({ description: 'position to start at (inclusive), default 0' }),
        limit: zod_openapi_1.z.number().int().min(1, 'limit must be at least 1').max(maxPage, "limit must be at most ".concat(maxPage, " (MAX_PAGE_SIZE)")).optional(),
    })
        .openapi('Query');
};
exports.QueryBody = QueryBody;
exports.AppendCondition = zod_openapi_1.z
    .strictObject({
    failIfEventsMatch: exports.Query,
    after: zod_openapi_1.z
        .number()
        .int()
        .min(0, 'after must be a position >= 0')
        .optional()
        .openapi({ description: 'the position the decision was based on (a query\'s `position`); absent: any matching event fails' }),
})
    .openapi('AppendCondition');
var MultiAppendBody = function (max) {
    return zod_openapi_1.z
        .strictObject({
        streams: zod_openapi_1.z
            .array(zod_openapi_1.z.strictObject({ stream: exports.StreamName, expectedRevision: exports.ExpectedRevision.optional(), events: (0, exports.eventsArray)(max) }))
            .max(max, "at most ".concat(max, " streams per append: each holds at least one event (MAX_EVENTS_PER_APPEND)"))
            .optional(),
        events: zod_openapi_1.z
            .array(exports.EventIn)
            .max(max, "at most ".concat(max, " events per append (MAX_EVENTS_PER_APPEND)"))
            .optional()
            .openapi({ description: 'stream-less (DCB) events, addressed by their tags; read back with stream and revision null' }),
        condition: exports.AppendCondition.optional(),
    })
        .refine(function (b) { var _a, _b, _c, _d; return ((_b = (_a = b.streams) === null || _a === void 0 ? void 0 : _a.length) !== null && _b !== void 0 ? _b : 0) + ((_d = (_c = b.events) === null || _c === void 0 ? void 0 : _c.length) !== null && _d !== void 0 ? _d : 0) > 0; }, {
        message: 'an append needs at least one event, in streams or in events',
        path: ['streams'],
    })
        .refine(function (b) { var _a, _b; return new Set(((_a = b.streams) !== null && _a !== void 0 ? _a : []).map(function (s) { return s.stream; })).size === ((_b = b.streams) !== null && _b !== void 0 ? _b : []).length; }, {
        message: 'each stream may appear once per append',
        path: ['streams'],
    })
        .superRefine(function (b, ctx) {
        var _a, _b, _c, _d, _e;
        // The limit is per request, not per stream: the commit takes every event at once.
        var count = ((_a = b.streams) !== null && _a !== void 0 ? _a : []).reduce(function (n, s) { return n + s.events.length; }, 0) + ((_c = (_b = b.events) === null || _b === void 0 ? void 0 : _b.length) !== null && _c !== void 0 ? _c : 0);
        if (count > max) {
            ctx.addIssue({
                code: 'custom',
                path: ['streams'],
                message: "at most ".concat(max, " events per append (MAX_EVENTS_PER_APPEND), counting every stream and the stream-less events; this one has ").concat(count),
            });
        }
        var events = [];
        (_d = b.streams) === null || _d === void 0 ? void 0 : _d.forEach(function (s, i) { return s.events.forEach(function (e, j) { return events.push({ id: e.id, at: ['streams', i, 'events', j] }); }); });
        (_e = b.events) === null || _e === void 0 ? void 0 : _e.forEach(function (e, i) { return events.push({ id: e.id, at: ['events', i] }); });
        uniqueIds(events, ctx);
    })
        .openapi('MultiStreamAppend');
};
exports.MultiAppendBody = MultiAppendBody;
exports.EventOut = zod_openapi_1.z
    .object({
    id: zod_openapi_1.z.string().openapi({ format: 'uuid' }),
    stream: zod_openapi_1.z.string().nullable().openapi({ description: 'null for a stream-less (DCB) event' }),
    type: zod_openapi_1.z.string(),
    revision: zod_openapi_1.z.number().int().nullable().openapi({ description: 'within its stream, from 0; null for a stream-less event' }),
    position: zod_openapi_1.z.number().int(),
    time: zod_openapi_1.z.string().openapi({ format: 'date-time' }),
    data: zod_openapi_1.z.unknown().openapi({ description: 'the event data as appended (any JSON value; null when absent)' }),
    metadata: zod_openapi_1.z.record(zod_openapi_1.z.string(), zod_openapi_1.z.unknown()).nullable(),
    tags: zod_openapi_1.z.array(zod_openapi_1.z.string()),
})
    .openapi('Event');
/** An appended stream event: its revision is a number. */
exports.Appended = zod_openapi_1.z.object({ id: zod_openapi_1.z.string().openapi({ format: 'uuid' }), revision: zod_openapi_1.z.number().int(), position: zod_openapi_1.z.number().int() }).openapi('AppendedEvent');
/** An appended stream-less (DCB) event: no revision. */
exports.AppendedStreamless = zod_openapi_1.z
    .object({ id: zod_openapi_1.z.string().openapi({ format: 'uuid' }), revision: zod_openapi_1.z.null(), position: zod_openapi_1.z.number().int() })
    .openapi('AppendedStreamlessEvent');
exports.StreamAppendResult = zod_openapi_1.z
    .object({
    stream: zod_openapi_1.z.string(),
    firstRevision: zod_openapi_1.z.number().int(),
    lastRevision: zod_openapi_1.z.number().int(),
    firstPosition: zod_openapi_1.z.number().int(),
    lastPosition: zod_openapi_1.z.number().int(),
    events: zod_openapi_1.z.array(exports.Appended),
})
    .openapi('StreamAppendResult');
exports.MultiAppendResult = zod_openapi_1.z
    .object({ position: zod_openapi_1.z.number().int(), streams: zod_openapi_1.z.array(exports.StreamAppendResult), events: zod_openapi_1.z.array(exports.AppendedStreamless) })
    .openapi('MultiAppendResult');
exports.Head = zod_openapi_1.z.object({ stream: zod_openapi_1.z.string(), revision: zod_openapi_1.z.number().int(), position: zod_openapi_1.z.number().int() }).openapi('StreamHead');
exports.StreamPage = zod_openapi_1.z
    .object({ stream: zod_openapi_1.z.string(), events: zod_openapi_1.z.array(exports.EventOut), next: zod_openapi_1.z.number().int().nullable() })
    .openapi('StreamPage');
exports.LogPage = zod_openapi_1.z.object({ events: zod_openapi_1.z.array(exports.EventOut), next: zod_openapi_1.z.number().int() }).openapi('LogPage');
exports.QueryPage = zod_openapi_1.z
    .object({
    events: zod_openapi_1.z.array(exports.EventOut),
    next: zod_openapi_1.z.number().int().nullable().openapi({ description: 'from for the next page; null when every match up to position was returned' }),
    position: zod_openapi_1.z.number().int().openapi({ description: 'the last committed position this read is consistent with; pass it as condition.after' }),
})
    .openapi('QueryPage');
var problemFields = {
    title: zod_openapi_1.z.string(),
    status: zod_openapi_1.z.number().int(),
    detail: zod_openapi_1.z.string().openapi({ description: 'what happened and what to fix' }),
    instance: zod_openapi_1.z.string().optional().openapi({ description: 'the request path' }),
};
/** Any RFC 9457 problem document of edgelog. */
exports.Problem = zod_openapi_1.z
    .object(__assign({ type: zod_openapi_1.z.string().openapi({ format: 'uri' }) }, problemFields))
    .catchall(zod_openapi_1.z.unknown())
    .openapi('Problem');
/** The problem of one kind: a literal `type` (clients narrow on it) and its extensions. */
var problemOf = function (kind, name, extensions) {
    if (extensions === void 0) { extensions = {}; }
    return zod_openapi_1.z.object(__assign(__assign({ type: zod_openapi_1.z.literal("https://edgelog.dev/problems/".concat(kind)) }, problemFields), extensions)).openapi(name);
};
exports.Problems = {
    invalidRequest: problemOf('invalid-request', 'InvalidRequestProblem', {
        errors: zod_openapi_1.z.array(zod_openapi_1.z.object({ path: zod_openapi_1.z.string().openapi({ description: 'dotted path of the field, e.g. events.0.type' }), message: zod_openapi_1.z.string() })).optional(),
    }),
    malformedBody: problemOf('malformed-body', 'MalformedBodyProblem'),
    unauthorized: problemOf('unauthorized', 'UnauthorizedProblem'),
    forbidden: problemOf('forbidden', 'ForbiddenProblem'),
    notFound: problemOf('not-found', 'NotFoundProblem'),
    streamNotFound: problemOf('stream-not-found', 'StreamNotFoundProblem', { stream: zod_openapi_1.z.string() }),
    consumerNotFound: problemOf('consumer-not-found', 'ConsumerNotFoundProblem', { consumer: zod_openapi_1.z.string() }),
    notAcceptable: problemOf('not-acceptable', 'NotAcceptableProblem'),
    wrongExpectedRevision: problemOf('wrong-expected-revision', 'WrongExpectedRevisionProblem', {
        stream: zod_openapi_1.z.string(),
        expectedRevision: exports.ExpectedRevision,
        actualRevision: zod_openapi_1.z.number().int().nullable().openapi({ description: "the stream's revision; null when it does not exist" }),
    }),
    conditionFailed: problemOf('condition-failed', 'ConditionFailedProblem', {
        after: zod_openapi_1.z.number().int().nullable().openapi({ description: 'the condition\'s after (null when absent)' }),
        positions: zod_openapi_1.z.array(zod_openapi_1.z.number().int()).openapi({ description: 'up to 10 positions of events that matched failIfEventsMatch' }),
    }),
    eventIdReused: problemOf('event-id-reused', 'EventIdReusedProblem', { eventId: zod_openapi_1.z.string() }),
    checkpointBehind: problemOf('checkpoint-behind', 'CheckpointBehindProblem', {
        consumer: zod_openapi_1.z.string(),
        position: zod_openapi_1.z.number().int().openapi({ description: 'the stored checkpoint (kept)' }),
        requested: zod_openapi_1.z.number().int(),
    }),
    preconditionFailed: problemOf('precondition-failed', 'PreconditionFailedProblem', {
        stream: zod_openapi_1.z.string(),
        expectedRevision: exports.ExpectedRevision,
        actualRevision: zod_openapi_1.z.number().int().nullable(),
    }),
    payloadTooLarge: problemOf('payload-too-large', 'PayloadTooLargeProblem'),
    unsupportedMediaType: problemOf('unsupported-media-type', 'UnsupportedMediaTypeProblem'),
    notImplemented: problemOf('not-implemented', 'NotImplementedProblem'),
    unavailable: problemOf('unavailable', 'UnavailableProblem'),
};
var nonNegative = function (name) {
    return zod_openapi_1.z
        .string()
        .regex(/^\d{1,15}$/, "".concat(name, " must be a non-negative integer"))
        .transform(Number)
        .openapi({ type: 'integer', minimum: 0 });
};
var pageLimit = function (max) {
    return nonNegative('limit')
        .pipe(zod_openapi_1.z.number().min(1, 'limit must be at least 1').max(max, "limit must be at most ".concat(max, " (MAX_PAGE_SIZE)")))
        .openapi({ type: 'integer', minimum: 1, maximum: max, description: "events per page (default 100, at most ".concat(max, ")") });
};
exports.pageLimit = pageLimit;
var Cursor = function (name) { return nonNegative(name); };
exports.Cursor = Cursor;
exports.csv = zod_openapi_1.z
    .string()
    .transform(function (s) { return s.split(',').map(function (t) { return t.trim(); }).filter(Boolean); });
/**
 * Comma-separated types or tags of a read filter: as many as one query item holds
 * (MAX_ITEM_TERMS), since each becomes a term of the SQL statement.
 */
var csvTerms = function (what) {
    return exports.csv.pipe(zod_openapi_1.z.array(what === 'types' ? exports.EventType : exports.Tag).max(query_ts_1.MAX_ITEM_TERMS, "at most ".concat(query_ts_1.MAX_ITEM_TERMS, " ").concat(what, ", as in a query item")));
};
exports.csvTerms = csvTerms;
