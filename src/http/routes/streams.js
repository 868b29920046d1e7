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
exports.appendHeaders = appendHeaders;
exports.registerStreamRoutes = registerStreamRoutes;
var zod_openapi_1 = require("@hono/zod-openapi");
var errors_ts_1 = require("../../core/errors.ts");
var types_ts_1 = require("../../core/types.ts");
var media_ts_1 = require("../media.ts");
var S = require("../schemas.ts");
var doc_ts_1 = require("./doc.ts");
var schemas_ts_1 = require("../schemas.ts");
var StreamParam = zod_openapi_1.z.object({ stream: S.StreamName.openapi({ param: { name: 'stream', in: 'path' } }) });
/**
 * RFC 9110 §13.1: `If-Match: "7"` = expected revision 7, `If-None-Match: *` = the stream
 * must not exist. A header that disagrees with the body's expectedRevision is a 400.
 */
function expectedFrom(ifMatch, ifNoneMatch, body) {
    var _a;
    var header;
    if (ifMatch !== undefined) {
        var m = /^\s*"(\d{1,15})"\s*$/.exec(ifMatch);
        if (!m)
            throw (0, errors_ts_1.invalidRequest)("If-Match must be a stream revision as a strong ETag, e.g. \"7\"; got ".concat(ifMatch, "."));
        header = Number(m[1]);
    }
    if (ifNoneMatch !== undefined) {
        if (ifNoneMatch.trim() !== '*')
            throw (0, errors_ts_1.invalidRequest)('If-None-Match supports only * (the stream must not exist).');
        if (header !== undefined)
            throw (0, errors_ts_1.invalidRequest)('Send either If-Match or If-None-Match, not both.');
        header = types_ts_1.NO_STREAM;
    }
    if (header !== undefined && body !== undefined && header !== body) {
        throw (0, errors_ts_1.invalidRequest)("The conditional header says ".concat(JSON.stringify(header), " but expectedRevision says ").concat(JSON.stringify(body), "."));
    }
    return { expected: (_a = header !== null && header !== void 0 ? header : body) !== null && _a !== void 0 ? _a : 'any', fromHeader: header !== undefined };
}
/** 412 instead of 409 when the expectation came from a conditional header (RFC 9110 §15.5.13). */
function asPreconditionFailed(e) {
    if (e instanceof errors_ts_1.EdgelogError && e.kind === 'wrong-expected-revision') {
        return new errors_ts_1.EdgelogError(412, 'precondition-failed', 'Precondition failed', e.message, e.extensions);
    }
    return e;
}
function appendHeaders(result, stream) {
    var s = result.streams[0];
    var h = { ETag: "\"".concat(s.lastRevision, "\""), Location: "/v1/streams/".concat(encodeURIComponent(stream), "?from=").concat(s.firstRevision) };
    if (result.replayed)
        h['Idempotent-Replayed'] = 'true';
    return h;
}
var streamNotFound404 = { status: 404, description: 'The stream has no events', schemas: [schemas_ts_1.Problems.streamNotFound] };
function registerStreamRoutes(app, deps) {
    var _this = this;
    var log = deps.log;
    var codec = log.codec, limits = log.limits;
    var appendBody = S.AppendBody(limits.maxEventsPerAppend);
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'post',
        path: '/v1/streams/{stream}',
        operationId: 'appendToStream',
        summary: 'Append events to a stream',
        description: 'Appends 1..N events atomically. Expected revision from the body or If-Match / If-None-Match.',
        middleware: [(0, media_ts_1.cborBody)(appendBody, codec)],
        request: {
            params: StreamParam,
            headers: zod_openapi_1.z.object({
                'if-match': zod_openapi_1.z.string().optional().openapi({ description: 'expected revision as a strong ETag, e.g. "7" (the ETag of a read or head)', example: '"7"' }),
                'if-none-match': zod_openapi_1.z.string().optional().openapi({ description: '* : the stream must not exist', example: '*' }),
            }),
            body: (0, doc_ts_1.bodyContent)(appendBody),
        },
        responses: __assign({ 201: { description: 'Appended (or the original result of a retry, with Idempotent-Replayed: true)', content: (0, doc_ts_1.jsonAndCbor)(S.StreamAppendResult) } }, (0, doc_ts_1.problems)(400, 409, 412, 413, 415, 422, 503)),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var stream, body, _a, expected, fromHeader, result, e_1;
        return __generator(this, function (_b) {
            switch (_b.label) {
                case 0:
                    stream = c.req.valid('param').stream;
                    body = (0, media_ts_1.bodyOf)(c, function () { return c.req.valid('json'); });
                    _a = expectedFrom(c.req.header('if-match'), c.req.header('if-none-match'), body.expectedRevision), expected = _a.expected, fromHeader = _a.fromHeader;
                    _b.label = 1;
                case 1:
                    _b.trys.push([1, 3, , 4]);
                    return [4 /*yield*/, log.appendToStream(stream, expected, body.events)];
                case 2:
                    result = _b.sent();
                    return [3 /*break*/, 4];
                case 3:
                    e_1 = _b.sent();
                    throw fromHeader ? asPreconditionFailed(e_1) : e_1;
                case 4: return [2 /*return*/, (0, media_ts_1.send)(c, codec, 201, result.streams[0], appendHeaders(result, stream))];
            }
        });
    }); });
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'get',
        path: '/v1/streams/{stream}',
        operationId: 'readStream',
        summary: 'Read a stream',
        description: 'Pages of events by revision, forward (default from 0) or backward (default from the end).',
        request: {
            params: StreamParam,
            query: zod_openapi_1.z.object({
                from: S.Cursor('from').optional().openapi({ description: 'revision to start at (inclusive)' }),
                limit: S.pageLimit(limits.maxPageSize).optional(),
                direction: zod_openapi_1.z.enum(['forward', 'backward'], { error: 'direction is forward or backward' }).optional(),
            }),
        },
        responses: __assign({ 200: { description: 'A page of events; ETag is the current revision', headers: { ETag: doc_ts_1.Headers.ETag }, content: (0, doc_ts_1.jsonAndCbor)(S.StreamPage) } }, doc_ts_1.problems.apply(void 0, __spreadArray([400, streamNotFound404], doc_ts_1.V1, false))),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var stream, q, direction, limit, _a, events, head, nextAfter;
        var _b, _c;
        return __generator(this, function (_d) {
            switch (_d.label) {
                case 0:
                    stream = c.req.valid('param').stream;
                    q = c.req.valid('query');
                    direction = (_b = q.direction) !== null && _b !== void 0 ? _b : 'forward';
                    limit = (_c = q.limit) !== null && _c !== void 0 ? _c : limits.defaultPageSize;
                    return [4 /*yield*/, Promise.all([
                            log.reader.readStream(stream, { from: q.from, limit: limit, direction: direction, maxBytes: limits.maxPageBytes }),
                            log.reader.head(stream),
                        ])];
                case 1:
                    _a = _d.sent(), events = _a[0], head = _a[1];
                    if (!head)
                        throw (0, errors_ts_1.streamNotFound)(stream);
                    nextAfter = function (shown) {
                        var _a;
                        var last = (_a = shown[shown.length - 1]) === null || _a === void 0 ? void 0 : _a.revision;
                        return last == null ? null : direction === 'forward' ? (last < head.revision ? last + 1 : null) : last > 0 ? last - 1 : null;
                    };
                    return [2 /*return*/, (0, media_ts_1.sendEvents)(c, codec, function (shown) { return ({ stream: stream, next: nextAfter(shown) }); }, events, { ETag: "\"".concat(head.revision, "\"") }, limits.maxPageBytes)];
            }
        });
    }); });
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'get',
        path: '/v1/streams/{stream}/head',
        operationId: 'getStreamHead',
        summary: "A stream's current revision and position",
        request: { params: StreamParam },
        responses: __assign({ 200: { description: 'The head; ETag is the revision', headers: { ETag: doc_ts_1.Headers.ETag }, content: (0, doc_ts_1.jsonAndCbor)(S.Head) } }, doc_ts_1.problems.apply(void 0, __spreadArray([400, streamNotFound404], doc_ts_1.V1, false))),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var stream, head;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    stream = c.req.valid('param').stream;
                    return [4 /*yield*/, log.reader.head(stream)];
                case 1:
                    head = _a.sent();
                    if (!head)
                        throw (0, errors_ts_1.streamNotFound)(stream);
                    return [2 /*return*/, (0, media_ts_1.send)(c, codec, 200, head, { ETag: "\"".concat(head.revision, "\"") })];
            }
        });
    }); });
}
