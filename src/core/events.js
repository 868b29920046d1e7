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
exports.prepareEvents = prepareEvents;
var errors_ts_1 = require("./errors.ts");
var limits_ts_1 = require("./limits.ts");
var uuid_ts_1 = require("./uuid.ts");
var values_ts_1 = require("./values.ts");
/**
 * Encodes events for the writer: payloads to CBOR once, here, so the hand-off to the
 * writer carries bytes and the size limit is known before anything queues. Ids default
 * to UUIDv7: time-ordered ids append to the right edge of the unique index. Payloads every
 * reader could not read back (see values.ts) are a 400 before they reach the encoder, whose
 * recursion a deep value would exhaust.
 */
function prepareEvents(inputs, codec, maxEventBytes, path, maxDepth) {
    if (path === void 0) { path = 'events'; }
    if (maxDepth === void 0) { maxDepth = limits_ts_1.DEFAULT_LIMITS.maxDepth; }
    // `streams[1].events` (as in messages) -> `streams.1.events` (as in validation errors)
    var at = path.replace(/\[(\d+)\]/g, '.$1');
    return inputs.map(function (input, i) {
        var _a, _b, _c;
        checkPayload(input.data, "".concat(at, ".").concat(i, ".data"), maxDepth);
        checkPayload(input.metadata, "".concat(at, ".").concat(i, ".metadata"), maxDepth);
        var data = input.data === undefined ? null : codec.encode(input.data);
        var metadata = input.metadata === undefined || input.metadata === null ? null : codec.encode(input.metadata);
        var tags = (_a = input.tags) !== null && _a !== void 0 ? _a : [];
        // type and tags count by UTF-16 length: payload bytes dominate, and this stays cheap
        var size = ((_b = data === null || data === void 0 ? void 0 : data.length) !== null && _b !== void 0 ? _b : 0) + ((_c = metadata === null || metadata === void 0 ? void 0 : metadata.length) !== null && _c !== void 0 ? _c : 0) + input.type.length;
        for (var _i = 0, tags_1 = tags; _i < tags_1.length; _i++) {
            var t = tags_1[_i];
            size += t.length;
        }
        if (size > maxEventBytes) {
            throw (0, errors_ts_1.payloadTooLarge)("".concat(path, "[").concat(i, "] is ").concat(size, " bytes encoded; the limit per event is ").concat(maxEventBytes, " bytes (MAX_EVENT_BYTES)."));
        }
        var idBytes = input.id === undefined ? (0, uuid_ts_1.uuidv7Bytes)() : (0, uuid_ts_1.uuidToBytes)(input.id);
        var id = input.id === undefined ? (0, uuid_ts_1.uuidToString)(idBytes) : input.id.toLowerCase();
        return { id: id, idBytes: idBytes, clientId: input.id !== undefined, type: input.type, data: data, metadata: metadata, tags: tags, size: size };
    });
}
function checkPayload(value, path, maxDepth) {
    if (value === undefined)
        return;
    var problem = (0, values_ts_1.valueProblem)(value, maxDepth);
    if (!problem)
        return;
    var where = __spreadArray([path], problem.path, true).join('.');
    throw (0, errors_ts_1.invalidRequest)("".concat(where, " ").concat(problem.message, "."), [{ path: where, message: problem.message }]);
}
