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
exports.registerQueryRoute = registerQueryRoute;
var zod_openapi_1 = require("@hono/zod-openapi");
var media_ts_1 = require("../media.ts");
var S = require("../schemas.ts");
var doc_ts_1 = require("./doc.ts");
/**
 * `POST /v1/query`: a Dynamic Consistency Boundary read (dcb.events). Returns matching
 * events from a position and the log position the read is consistent with, which a
 * command handler passes back as `condition.after` when it appends its decision.
 */
function registerQueryRoute(app, deps) {
    var _this = this;
    var log = deps.log;
    var codec = log.codec, limits = log.limits;
    var schema = S.QueryBody(limits.maxPageSize);
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'post',
        path: '/v1/query',
        operationId: 'query',
        summary: 'Read events matching a DCB query',
        description: 'An event matches an item if its type is one of the item\'s types (any type when absent) and it carries all of the item\'s tags; it matches the query if it matches any item. Paged by position; `position` is the last committed position the page is consistent with (use it as `condition.after`).',
        middleware: [(0, media_ts_1.cborBody)(schema, codec)],
        request: { body: (0, doc_ts_1.bodyContent)(schema) },
        responses: __assign({ 200: { description: 'A page of matching events', content: (0, doc_ts_1.jsonAndCbor)(S.QueryPage) } }, doc_ts_1.problems.apply(void 0, __spreadArray([400, 413, 415], doc_ts_1.V1, false))),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var body, from, limit, _a, events, position, next;
        var _b, _c;
        return __generator(this, function (_d) {
            switch (_d.label) {
                case 0:
                    body = (0, media_ts_1.bodyOf)(c, function () { return c.req.valid('json'); });
                    from = (_b = body.from) !== null && _b !== void 0 ? _b : 0;
                    limit = (_c = body.limit) !== null && _c !== void 0 ? _c : limits.defaultPageSize;
                    return [4 /*yield*/, log.reader.query(body.items, { from: from, limit: limit, maxBytes: limits.maxPageBytes })
                        // A page short of `limit` that was not cut by bytes holds every match up to
                        // `position`: nothing more to read for now.
                    ];
                case 1:
                    _a = _d.sent(), events = _a.events, position = _a.position;
                    next = function (shown) {
                        return shown.length === limit || shown.length < events.length || events.cut ? shown[shown.length - 1].position + 1 : null;
                    };
                    return [2 /*return*/, (0, media_ts_1.sendEvents)(c, codec, function (shown) { return ({ next: next(shown), position: position }); }, events, {}, limits.maxPageBytes)];
            }
        });
    }); });
}
