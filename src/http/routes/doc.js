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
exports.wrongRevision409 = exports.WRITE = exports.V1 = exports.jsonAndCbor = exports.bodyContent = void 0;
exports.problems = problems;
exports.requireBodies = requireBodies;
var zod_openapi_1 = require("@hono/zod-openapi");
var schemas_ts_1 = require("../schemas.ts");
/**
 * The same schema under both request media types (validated for JSON by Hono, for CBOR by
 * cborBody). `required: false` only for the router: with `true`, @hono/zod-openapi runs its
 * JSON validator on CBOR bodies too. The document says required (see requireBodies).
 */
var bodyContent = function (schema) { return ({
    required: false,
    content: { 'application/json': { schema: schema }, 'application/cbor': { schema: schema } },
}); };
exports.bodyContent = bodyContent;
var jsonAndCbor = function (schema) { return ({
    'application/json': { schema: schema },
    'application/cbor': { schema: schema },
}); };
exports.jsonAndCbor = jsonAndCbor;
var DESCRIPTIONS = {
    400: 'Invalid request (problem+json)',
    401: 'Missing or unknown token',
    403: 'Read-only token',
    404: 'Not found',
    406: 'Accept allows neither JSON nor CBOR',
    409: 'Conflict: wrong expected revision, append condition failed, or event id reused',
    412: 'If-Match / If-None-Match did not hold',
    413: 'Body or event too large',
    415: 'Body is neither JSON nor CBOR',
    422: 'The database refused this request on a constraint of its own (append-refused)',
    503: 'Write queue full or shutting down (Retry-After)',
};
var P = schemas_ts_1.Problems;
var oneOf = function () {
    var schemas = [];
    for (var _i = 0; _i < arguments.length; _i++) {
        schemas[_i] = arguments[_i];
    }
    return (schemas.length === 1 ? schemas[0] : zod_openapi_1.z.union(schemas));
};
/** Default description and schema of each problem status; a route may name its own 404/409. */
var DEFAULTS = {
    400: { description: 'Invalid request or malformed body; `errors` lists each invalid field', schema: oneOf(P.invalidRequest, P.malformedBody) },
    401: { description: 'Tokens are configured and this request has none, or an unknown one', schema: P.unauthorized, headers: { 'WWW-Authenticate': Headers.WWWAuthenticate } },
    403: { description: 'A read-only token tried to write', schema: P.forbidden },
    404: { description: 'Not found', schema: P.notFound },
    406: { description: 'Accept allows neither JSON nor CBOR', schema: P.notAcceptable },
    412: { description: 'If-Match / If-None-Match did not hold; nothing written', schema: P.preconditionFailed },
    413: { description: 'The body is over MAX_BODY_BYTES, or an event over MAX_EVENT_BYTES', schema: P.payloadTooLarge },
    415: { description: 'The body is neither application/json nor application/cbor', schema: P.unsupportedMediaType },
    501: { description: 'This store keeps no consumer checkpoints', schema: P.notImplemented },
    503: { description: 'Write queue full, shutting down, or the database is unavailable; retry after Retry-After', schema: P.unavailable, headers: { 'Retry-After': Headers.RetryAfter } },
};
/** Problem responses (RFC 9457, application/problem+json) for the OpenAPI document. */
function problems() {
    var specs = [];
    for (var _i = 0; _i < arguments.length; _i++) {
        specs[_i] = arguments[_i];
    }
    return Object.fromEntries(specs.map(function (spec) {
        var s = typeof spec === 'number' ? __assign({ status: spec }, DEFAULTS[spec]) : __assign(__assign(__assign({}, DEFAULTS[spec.status]), spec), { schema: oneOf.apply(void 0, spec.schemas) });
        if (!s.schema)
            throw new Error("no problem schema for status ".concat(s.status));
        return [s.status, __assign(__assign({ description: s.description }, (s.headers ? { headers: s.headers } : {})), { content: { 'application/problem+json': { schema: s.schema } } })];
    }));
}
/** What every /v1 route may answer: 401 (tokens configured) and 406 (Accept). */
exports.V1 = [401, 406];
/** What every /v1 write may answer besides: 403 (read-only token), 413, 415, 503. */
exports.WRITE = [401, 403, 406, 413, 415, 503];
var wrongRevision409 = function (description) {
    var more = [];
    for (var _i = 1; _i < arguments.length; _i++) {
        more[_i - 1] = arguments[_i];
    }
    return ({
        status: 409,
        description: description,
        schemas: __spreadArray([P.wrongExpectedRevision], more, true),
    });
};
exports.wrongRevision409 = wrongRevision409;
/** Every request body of edgelog is required: the document says so (see bodyContent). */
function requireBodies(doc) {
    var _a;
    for (var _i = 0, _b = Object.values((_a = doc.paths) !== null && _a !== void 0 ? _a : {}); _i < _b.length; _i++) {
        var item = _b[_i];
        for (var _c = 0, _d = Object.values(item); _c < _d.length; _c++) {
            var op = _d[_c];
            if (op && typeof op === 'object' && op.requestBody && !('$ref' in op.requestBody))
                op.requestBody.required = true;
        }
    }
    return doc;
}
