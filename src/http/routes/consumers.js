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
exports.registerConsumerRoutes = registerConsumerRoutes;
var zod_openapi_1 = require("@hono/zod-openapi");
var consumers_ts_1 = require("../../core/consumers.ts");
var errors_ts_1 = require("../../core/errors.ts");
var media_ts_1 = require("../media.ts");
var doc_ts_1 = require("./doc.ts");
var schemas_ts_1 = require("../schemas.ts");
var subscribe_ts_1 = require("./subscribe.ts");
var NameParam = zod_openapi_1.z.object({ name: subscribe_ts_1.ConsumerName.openapi({ param: { name: 'name', in: 'path' }, example: 'projector-accounts' }) });
var CheckpointOut = zod_openapi_1.z
    .object({ name: zod_openapi_1.z.string(), position: zod_openapi_1.z.number().int(), updatedAt: zod_openapi_1.z.string().openapi({ format: 'date-time' }) })
    .openapi('Checkpoint');
var CheckpointBody = zod_openapi_1.z
    .strictObject({
    position: zod_openapi_1.z.number({ error: 'position is required (a non-negative integer)' }).int().min(0).openapi({ description: 'the last position this consumer has handled' }),
})
    .openapi('SaveCheckpoint');
var render = function (c) { return ({ name: c.name, position: c.position, updatedAt: new Date(c.updatedAt).toISOString() }); };
/** Named consumers: read and save a checkpoint (the last handled position). It never moves backwards. */
function registerConsumerRoutes(app, deps) {
    var _this = this;
    var log = deps.log;
    var store = function () { var _a; return (_a = log.consumers) !== null && _a !== void 0 ? _a : (function () { throw (0, subscribe_ts_1.notSupported)(); })(); };
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'get',
        path: '/v1/consumers/{name}',
        operationId: 'getConsumer',
        summary: "A consumer's checkpoint",
        request: { params: NameParam },
        responses: __assign({ 200: { description: 'The checkpoint', content: (0, doc_ts_1.jsonAndCbor)(CheckpointOut) } }, doc_ts_1.problems.apply(void 0, __spreadArray([400, { status: 404, description: 'The consumer has no checkpoint', schemas: [schemas_ts_1.Problems.consumerNotFound] }, 501], doc_ts_1.V1, false))),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var name, checkpoint;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    name = c.req.valid('param').name;
                    return [4 /*yield*/, store().get(name)];
                case 1:
                    checkpoint = _a.sent();
                    if (!checkpoint)
                        throw (0, consumers_ts_1.consumerNotFound)(name);
                    return [2 /*return*/, (0, media_ts_1.send)(c, log.codec, 200, render(checkpoint))];
            }
        });
    }); });
    app.openapi((0, zod_openapi_1.createRoute)({
        method: 'put',
        path: '/v1/consumers/{name}',
        operationId: 'saveConsumer',
        summary: "Save a consumer's checkpoint",
        description: 'Saves the last position the consumer has handled. A checkpoint never moves backwards: a lower position is a 409 `checkpoint-behind` (the stored one stays); the same position again is a 200.',
        middleware: [(0, media_ts_1.cborBody)(CheckpointBody, log.codec)],
        request: { params: NameParam, body: (0, doc_ts_1.bodyContent)(CheckpointBody) },
        responses: __assign({ 200: { description: 'Saved', content: (0, doc_ts_1.jsonAndCbor)(CheckpointOut) } }, doc_ts_1.problems.apply(void 0, __spreadArray([400, { status: 409, description: 'The position is below the stored checkpoint (checkpoint-behind); the stored one stays', schemas: [schemas_ts_1.Problems.checkpointBehind] }, 501], doc_ts_1.WRITE, false))),
    }), function (c) { return __awaiter(_this, void 0, void 0, function () {
        var name, position, last, stored;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    name = c.req.valid('param').name;
                    position = (0, media_ts_1.bodyOf)(c, function () { return c.req.valid('json'); }).position;
                    return [4 /*yield*/, log.reader.lastPosition()];
                case 1:
                    last = _a.sent();
                    if (position > last)
                        throw (0, errors_ts_1.invalidRequest)("position ".concat(position, " is past the end of the log (last position ").concat(last, "); a checkpoint is a position already read."));
                    return [4 /*yield*/, store().save(name, position)];
                case 2:
                    stored = _a.sent();
                    if (stored.position > position)
                        throw (0, consumers_ts_1.checkpointBehind)(name, position, stored.position);
                    return [2 /*return*/, (0, media_ts_1.send)(c, log.codec, 200, render(stored))];
            }
        });
    }); });
}
