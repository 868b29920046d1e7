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
exports.eventJson = exports.strictJsonBody = exports.negotiate = exports.CBOR_TYPE = exports.JSON_TYPE = void 0;
exports.quality = quality;
exports.cborBody = cborBody;
exports.bodyOf = bodyOf;
exports.send = send;
exports.sendEvents = sendEvents;
exports.renderEvent = renderEvent;
var errors_ts_1 = require("../core/errors.ts");
var limits_ts_1 = require("../core/limits.ts");
var cborCheck_ts_1 = require("./cborCheck.ts");
var cborPage_ts_1 = require("./cborPage.ts");
var jsonPage_ts_1 = require("./jsonPage.ts");
var jsonValue_ts_1 = require("./jsonValue.ts");
var problem_ts_1 = require("./problem.ts");
var utf8_ts_1 = require("./utf8.ts");
exports.JSON_TYPE = 'application/json';
exports.CBOR_TYPE = 'application/cbor';
var CBOR_RE = /^application\/cbor\s*(;|$)/i;
var JSON_RE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
/**
 * The q-value an Accept header gives a media type, from its most specific matching range
 * (RFC 9110 §12.5.1): `type/subtype` over `type/*` over `*\/*`.
 */
function quality(accept, mediaType) {
    var type = mediaType.split('/')[0];
    var best = -1;
    var q = 0;
    for (var _i = 0, _a = accept.split(','); _i < _a.length; _i++) {
        var part = _a[_i];
        var _b = part.trim().toLowerCase().split(';'), range = _b[0], params = _b.slice(1);
        var specificity = range === mediaType ? 3 : range === "".concat(type, "/*") ? 2 : range === '*/*' ? 1 : 0;
        if (specificity <= best || specificity === 0)
            continue;
        best = specificity;
        var qp = params.map(function (p) { return p.trim(); }).find(function (p) { return p.startsWith('q='); });
        q = qp ? Number(qp.slice(2)) || 0 : 1;
    }
    return q;
}
/**
 * Content negotiation (RFC 9110 §12.5.1), before any work: a request whose Accept allows
 * neither JSON nor CBOR is a 406 and writes nothing; a body that is neither is a 415.
 */
var negotiate = function (c, next) { return __awaiter(void 0, void 0, void 0, function () {
    var accept, format, json, cbor, sse, type;
    var _a;
    return __generator(this, function (_b) {
        switch (_b.label) {
            case 0:
                accept = c.req.header('accept');
                format = 'json';
                if (accept) {
                    json = Math.max(quality(accept, exports.JSON_TYPE), quality(accept, 'application/problem+json'));
                    cbor = quality(accept, exports.CBOR_TYPE);
                    sse = c.req.path === '/v1/subscribe' && quality(accept, 'text/event-stream') > 0;
                    if (json <= 0 && cbor <= 0 && !sse) {
                        throw new errors_ts_1.EdgelogError(406, 'not-acceptable', 'Not acceptable', "Accept '".concat(accept, "' allows neither ").concat(exports.JSON_TYPE, " nor ").concat(exports.CBOR_TYPE, "."));
                    }
                    format = cbor > json ? 'cbor' : 'json';
                }
                c.set('format', format);
                if (c.req.method === 'POST' || c.req.method === 'PUT') {
                    type = (_a = c.req.header('content-type')) !== null && _a !== void 0 ? _a : '';
                    if (!JSON_RE.test(type) && !CBOR_RE.test(type)) {
                        throw new errors_ts_1.EdgelogError(415, 'unsupported-media-type', 'Unsupported media type', "Send the body as ".concat(exports.JSON_TYPE, " or ").concat(exports.CBOR_TYPE).concat(type ? ", not '".concat(type, "'") : ' with a Content-Type header', "."));
                    }
                }
                return [4 /*yield*/, next()];
            case 1:
                _b.sent();
                return [2 /*return*/];
        }
    });
}); };
exports.negotiate = negotiate;
// ignoreBOM: false strips a leading BOM, as Request.text() does (RFC 8259 §8.1 lets a parser ignore it)
var strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
/**
 * A JSON body must be UTF-8 (RFC 8259 §8.1). `Request.text()` would replace bad bytes with
 * U+FFFD, and an event would store other text than was sent: the body is decoded strictly
 * here and handed to Hono's JSON validator through its body cache (still one decode and
 * one parse per request).
 */
var strictJsonBody = function (c, next) { return __awaiter(void 0, void 0, void 0, function () {
    var bytes, _a, text;
    var _b;
    return __generator(this, function (_c) {
        switch (_c.label) {
            case 0:
                if (!((c.req.method === 'POST' || c.req.method === 'PUT') && JSON_RE.test((_b = c.req.header('content-type')) !== null && _b !== void 0 ? _b : ''))) return [3 /*break*/, 2];
                _a = Uint8Array.bind;
                return [4 /*yield*/, c.req.arrayBuffer()];
            case 1:
                bytes = new (_a.apply(Uint8Array, [void 0, _c.sent()]))();
                text = void 0;
                try {
                    text = strictUtf8.decode(bytes);
                }
                catch (_d) {
                    throw (0, errors_ts_1.malformedBody)("The JSON body is not valid UTF-8 (RFC 8259 \u00A78.1): byte ".concat((0, utf8_ts_1.invalidUtf8At)(bytes), " starts an invalid sequence."));
                }
                // HonoRequest.json() parses the cached text when there is one.
                ;
                c.req.bodyCache.text = Promise.resolve(text);
                _c.label = 2;
            case 2: return [4 /*yield*/, next()];
            case 3:
                _c.sent();
                return [2 /*return*/];
        }
    });
}); };
exports.strictJsonBody = strictJsonBody;
/**
 * How deep a CBOR body may nest before it is decoded: data at MAX_DEPTH inside the deepest
 * envelope (body, streams, stream, events, event). The exact MAX_DEPTH check of data and
 * metadata follows in prepareEvents; this one keeps cbor-x's recursion off the stack limit.
 */
var SCAN_DEPTH = limits_ts_1.MAX_DEPTH_CEILING + 8;
/**
 * Hono's validators read JSON and forms only: a CBOR body is checked (cborCheck.ts),
 * decoded here and checked against the same schema, then handed to the route as `c.var.body`.
 */
function cborBody(schema, codec) {
    var _this = this;
    return function (c, next) { return __awaiter(_this, void 0, void 0, function () {
        var bytes, _a, problem, where, value, parsed;
        var _b;
        return __generator(this, function (_c) {
            switch (_c.label) {
                case 0:
                    if (!CBOR_RE.test((_b = c.req.header('content-type')) !== null && _b !== void 0 ? _b : '')) return [3 /*break*/, 2];
                    _a = Uint8Array.bind;
                    return [4 /*yield*/, c.req.arrayBuffer()];
                case 1:
                    bytes = new (_a.apply(Uint8Array, [void 0, _c.sent()]))();
                    problem = (0, cborCheck_ts_1.cborBodyProblem)(bytes, SCAN_DEPTH);
                    if (problem) {
                        where = problem.path.join('.') || '(body)';
                        throw (0, errors_ts_1.invalidRequest)("".concat(where, " ").concat(problem.message, "."), [{ path: where, message: problem.message }]);
                    }
                    value = void 0;
                    try {
                        value = codec.decode(bytes);
                    }
                    catch (e) {
                        throw (0, errors_ts_1.malformedBody)("The CBOR body cannot be decoded: ".concat(e.message));
                    }
                    parsed = schema.safeParse(value);
                    if (!parsed.success)
                        throw (0, errors_ts_1.invalidRequest)('The request body is invalid.', (0, problem_ts_1.issuesOf)(parsed.error));
                    c.set('body', parsed.data);
                    _c.label = 2;
                case 2: return [4 /*yield*/, next()];
                case 3:
                    _c.sent();
                    return [2 /*return*/];
            }
        });
    }); };
}
/** The validated body, whichever media type carried it. */
function bodyOf(c, json) {
    var _a;
    return (_a = c.get('body')) !== null && _a !== void 0 ? _a : json();
}
/** Renders a response in the negotiated format (through `c.body`, so headers set by middleware, such as X-Request-Id, are kept). */
function send(c, codec, status, body, headers) {
    if (headers === void 0) { headers = {}; }
    var cbor = c.get('format') === 'cbor';
    var h = __assign(__assign({}, headers), { 'Content-Type': cbor ? exports.CBOR_TYPE : exports.JSON_TYPE });
    return c.body(cbor ? codec.encode(body) : JSON.stringify(body), status, h);
}
/**
 * A page of events `{ ...fields, events }` in the negotiated format, within `maxBytes`
 * (MAX_PAGE_BYTES; always one event). The store already cut `events` by their stored size,
 * which bounds a CBOR page (stored payload bytes are copied as they are, see cborPage.ts);
 * a JSON page can render larger than it is stored and is cut again as it is rendered.
 * `fields` may depend on the events sent (e.g. `next`).
 */
function sendEvents(c, codec, fields, events, headers, maxBytes) {
    if (headers === void 0) { headers = {}; }
    if (maxBytes === void 0) { maxBytes = Infinity; }
    var fieldsOf = typeof fields === 'function' ? fields : function () { return fields; };
    if (c.get('format') === 'cbor') {
        return c.body((0, cborPage_ts_1.encodeEventPage)(fieldsOf(events), events, codec), 200, __assign(__assign({}, headers), { 'Content-Type': exports.CBOR_TYPE }));
    }
    // Payloads render through payloadJson (exact integers, byte strings...), which
    // JSON.stringify of decoded values cannot do; the page streams within its byte budget.
    var body = (0, jsonPage_ts_1.jsonPageStream)(events, function (e) { return (0, exports.eventJson)(e, codec); }, fieldsOf, maxBytes);
    return c.body(body, 200, __assign(__assign({}, headers), { 'Content-Type': exports.JSON_TYPE }));
}
// Events of one commit share their time: one ISO string per distinct commit time.
var lastTime = NaN;
var lastIso = '';
var iso = function (time) { return (time === lastTime ? lastIso : ((lastTime = time), (lastIso = new Date(time).toISOString()))); };
/**
 * A stored event as JSON text: renderEvent's keys in its order, payloads through
 * payloadJson (docs/api.md, "JSON rendering of CBOR values"). Written out: the hot path.
 */
var eventJson = function (e, codec) {
    return "{\"id\":\"".concat(e.id, "\",\"stream\":").concat(JSON.stringify(e.stream), ",\"type\":").concat(JSON.stringify(e.type), ",\"revision\":").concat(e.revision, ",\"position\":").concat(e.position, ",\"time\":\"").concat(iso(e.time), "\",\"data\":").concat((0, jsonValue_ts_1.payloadJson)(e.data, codec), ",\"metadata\":").concat((0, jsonValue_ts_1.payloadJson)(e.metadata, codec), ",\"tags\":").concat(e.tags.length ? JSON.stringify(e.tags) : '[]', "}");
};
exports.eventJson = eventJson;
/** A stored event as a value, payloads decoded by the codec (the CBOR page's shape; JSON readers get eventJson). */
function renderEvent(e, codec) {
    return {
        id: e.id,
        stream: e.stream,
        type: e.type,
        revision: e.revision,
        position: e.position,
        time: new Date(e.time).toISOString(),
        data: e.data ? codec.decode(e.data) : null,
        metadata: e.metadata ? codec.decode(e.metadata) : null,
        tags: e.tags,
    };
}
