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
Object.defineProperty(exports, "__esModule", { value: true });
exports.registerAppendRoute = registerAppendRoute;
var zod_openapi_1 = require("@hono/zod-openapi");
var media_ts_1 = require("../media.ts");
var S = require("../schemas.ts");
var doc_ts_1 = require("./doc.ts");
/**
 * Multi-stream atomic append: each stream with its own expected revision, plus stream-less
 * (DCB) events and an append condition (`failIfEventsMatch` after a position), all or nothing.
 */
function registerAppendRoute(app, deps) {
    var _this = this;
    var log = deps.log;
    var schema = S.MultiAppendBody(log.limits.maxEventsPerAppend);
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'post',
        path: '/v1/append',
        operationId: 'appendMulti',
        summary: 'Append to several streams and stream-less events atomically, optionally on a DCB condition',
        description: 'Every stream\'s expected revision must hold (409 wrong-expected-revision names the stream) and, with a condition, no event matching `failIfEventsMatch` may have been appended after `after` (409 condition-failed names the positions), or nothing is written. Stream-less events are addressed by their tags and read back with stream and revision null.',
        middleware: [(0, media_ts_1.cborBody)(schema, log.codec)],
        request: { body: (0, doc_ts_1.bodyContent)(schema) },
        responses: __assign({ 201: { description: 'Appended (or the original result of a retry)', content: (0, doc_ts_1.jsonAndCbor)(S.MultiAppendResult) } }, (0, doc_ts_1.problems)(400, 409, 413, 415, 422, 503)),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var body, result, headers;
        var _a;
        return __generator(this, function (_b) {
            switch (_b.label) {
                case 0:
                    body = (0, media_ts_1.bodyOf)(c, function () { return c.req.valid('json'); });
                    return [4 /*yield*/, log.append({ streams: (_a = body.streams) !== null && _a !== void 0 ? _a : [], events: body.events, condition: body.condition })];
                case 1:
                    result = _b.sent();
                    headers = result.replayed ? { 'Idempotent-Replayed': 'true' } : {};
                    return [2 /*return*/, (0, media_ts_1.send)(c, log.codec, 201, { position: result.position, streams: result.streams, events: result.events }, headers)];
            }
        });
    }); });
}
