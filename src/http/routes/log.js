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
exports.registerLogRoutes = registerLogRoutes;
var zod_openapi_1 = require("@hono/zod-openapi");
var media_ts_1 = require("../media.ts");
var S = require("../schemas.ts");
var subscribe_ts_1 = require("./subscribe.ts");
var doc_ts_1 = require("./doc.ts");
var CategoryParam = zod_openapi_1.z.object({
    category: zod_openapi_1.z
        .string()
        .regex(/^[A-Za-z0-9_.:@+=]{1,200}$/, 'a category is 1-200 characters from A-Z a-z 0-9 _ . : @ + =')
        .openapi({ param: { name: 'category', in: 'path' }, example: 'account' }),
});
/** `next` is where the following page starts (keyset paging by position): after the last event sent. */
var nextOf = function (events, from) { return (events.length ? events[events.length - 1].position + 1 : from); };
function registerLogRoutes(app, deps) {
    var _this = this;
    var log = deps.log;
    var codec = log.codec, limits = log.limits;
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'get',
        path: '/v1/all',
        operationId: 'readAll',
        summary: 'Read the global log',
        description: 'Events in commit order from a position (inclusive), optionally only some types and only events carrying all the given tags.',
        request: {
            query: zod_openapi_1.z.object({
                from: S.Cursor('from').optional().openapi({ description: 'position to start at (inclusive), default 0' }),
                limit: S.pageLimit(limits.maxPageSize).optional(),
                types: S.csvTerms('types').optional().openapi({ description: 'comma-separated event types (at most 32)', example: 'Deposited,Withdrawn' }),
                tags: S.csvTerms('tags')
                    .optional()
                    .openapi({ description: 'comma-separated tags; an event must carry all of them', example: 'account:17' }),
                wait: subscribe_ts_1.WaitParam.optional(),
            }),
        },
        responses: __assign({ 200: { description: 'A page of the log', content: (0, doc_ts_1.jsonAndCbor)(S.LogPage) } }, (0, doc_ts_1.problems)(400, 503)),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var q, from, read, events, _a, headers;
        var _b;
        return __generator(this, function (_c) {
            switch (_c.label) {
                case 0:
                    q = c.req.valid('query');
                    from = (_b = q.from) !== null && _b !== void 0 ? _b : 0;
                    read = function () { var _a; return log.reader.readAll({ from: from, limit: (_a = q.limit) !== null && _a !== void 0 ? _a : limits.defaultPageSize, types: q.types, tags: q.tags, maxBytes: limits.maxPageBytes }); };
                    if (!q.wait) return [3 /*break*/, 2];
                    return [4 /*yield*/, log.subscriptions.readWhenAvailable(read, q.wait)];
                case 1:
                    _a = _c.sent();
                    return [3 /*break*/, 4];
                case 2: return [4 /*yield*/, read()
                    // Cut short by shutdown: close the connection too, so the server need not wait it out.
                ];
                case 3:
                    _a = _c.sent();
                    _c.label = 4;
                case 4:
                    events = _a;
                    headers = q.wait && log.subscriptions.closed ? { Connection: 'close' } : {};
                    return [2 /*return*/, (0, media_ts_1.sendEvents)(c, codec, function (shown) { return ({ next: nextOf(shown, from) }); }, events, headers, limits.maxPageBytes)];
            }
        });
    }); });
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'get',
        path: '/v1/categories/{category}',
        operationId: 'readCategory',
        summary: 'Read a category',
        description: 'Events of every stream whose name starts with `<category>-` (or is the category), from a position. With member and size, a consumer-group member sees only its share of the streams (stable hash of the stream id).',
        request: {
            params: CategoryParam,
            query: zod_openapi_1.z
                .object({
                from: S.Cursor('from').optional(),
                limit: S.pageLimit(limits.maxPageSize).optional(),
                member: S.Cursor('member').optional(),
                size: S.Cursor('size').pipe(zod_openapi_1.z.number().min(1, 'size must be at least 1').max(1024, 'size must be at most 1024')).optional(),
            })
                .refine(function (q) { return (q.member === undefined) === (q.size === undefined); }, { message: 'member and size go together', path: ['member'] })
                .refine(function (q) { return q.member === undefined || q.size === undefined || q.member < q.size; }, { message: 'member must be below size', path: ['member'] }),
        },
        responses: __assign({ 200: { description: 'A page of the category', content: (0, doc_ts_1.jsonAndCbor)(S.LogPage) } }, doc_ts_1.problems.apply(void 0, __spreadArray([400], doc_ts_1.V1, false))),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var category, q, from, limit, events;
        var _a, _b;
        return __generator(this, function (_c) {
            switch (_c.label) {
                case 0:
                    category = c.req.valid('param').category;
                    q = c.req.valid('query');
                    from = (_a = q.from) !== null && _a !== void 0 ? _a : 0;
                    limit = (_b = q.limit) !== null && _b !== void 0 ? _b : limits.defaultPageSize;
                    return [4 /*yield*/, log.reader.readCategory(category, { from: from, limit: limit, member: q.member, size: q.size, maxBytes: limits.maxPageBytes })];
                case 1:
                    events = _c.sent();
                    return [2 /*return*/, (0, media_ts_1.sendEvents)(c, codec, function (shown) { return ({ next: nextOf(shown, from) }); }, events, {}, limits.maxPageBytes)];
            }
        });
    }); });
}
