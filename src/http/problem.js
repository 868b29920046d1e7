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
Object.defineProperty(exports, "__esModule", { value: true });
exports.issuesOf = issuesOf;
exports.toEdgelogError = toEdgelogError;
exports.problemBody = problemBody;
exports.problemResponse = problemResponse;
var http_exception_1 = require("hono/http-exception");
var errors_ts_1 = require("../core/errors.ts");
/** Zod issues as `{ path, message }`, paths in dotted form (`events.0.type`). */
function issuesOf(error) {
    return error.issues.map(function (i) { return ({ path: i.path.map(String).join('.'), message: i.message }); });
}
var KIND_BY_STATUS = {
    400: ['invalid-request', 'Invalid request'],
    401: ['unauthorized', 'Unauthorized'],
    403: ['forbidden', 'Forbidden'],
    404: ['not-found', 'Not found'],
    405: ['method-not-allowed', 'Method not allowed'],
    413: ['payload-too-large', 'Payload too large'],
    415: ['unsupported-media-type', 'Unsupported media type'],
};
/** Maps anything thrown to an EdgelogError; unknown errors become a 500 with no internals. */
function toEdgelogError(err, c) {
    var _a, _b, _c, _d;
    if (err instanceof errors_ts_1.EdgelogError)
        return err;
    if (err instanceof http_exception_1.HTTPException) {
        if (err.status === 400 && /Malformed JSON/i.test(err.message)) {
            return (0, errors_ts_1.malformedBody)('The JSON body cannot be parsed; send a valid JSON document.');
        }
        if (err.status === 413)
            return (0, errors_ts_1.payloadTooLarge)(err.message);
        // hono/bearer-auth answers 400 to an Authorization header that is not `Bearer <token>`
        // (Basic, or no token). That request carries no bearer credentials: RFC 6750 §3.1 makes
        // it a 401 challenge, like a missing header.
        var authError = (_a = err.res) === null || _a === void 0 ? void 0 : _a.headers.get('WWW-Authenticate');
        if (err.status === 400 && (authError === null || authError === void 0 ? void 0 : authError.startsWith('Bearer'))) {
            return new errors_ts_1.EdgelogError(401, 'unauthorized', 'Unauthorized', 'Send a valid token in an Authorization: Bearer <token> header.', {}, {
                'WWW-Authenticate': 'Bearer realm="edgelog"',
            });
        }
        var _e = (_b = KIND_BY_STATUS[err.status]) !== null && _b !== void 0 ? _b : ['http-error', 'HTTP error'], kind = _e[0], title = _e[1];
        var headers = {};
        var challenge = (_c = err.res) === null || _c === void 0 ? void 0 : _c.headers.get('WWW-Authenticate');
        if (challenge)
            headers['WWW-Authenticate'] = challenge;
        var detail = err.status === 401
            ? 'Send a valid token in an Authorization: Bearer header.'
            : err.status === 415
                ? 'Send the body as application/json or application/cbor.'
                : err.message || title;
        return new errors_ts_1.EdgelogError(err.status, kind, title, detail, {}, headers);
    }
    return new errors_ts_1.EdgelogError(500, 'internal-error', 'Internal error', "An unexpected error occurred; quote request id ".concat((_d = c.get('requestId')) !== null && _d !== void 0 ? _d : '-', " when reporting it."));
}
/** The members of an RFC 9457 problem document for an error of this request. */
function problemBody(c, e) {
    return __assign({ type: e.type, title: e.title, status: e.status, detail: e.message, instance: c.req.path }, e.extensions);
}
/** RFC 9457 problem document, through `c.body` so middleware headers (X-Request-Id) stay. */
function problemResponse(c, e) {
    return c.body(JSON.stringify(problemBody(c, e)), e.status, __assign({ 'Content-Type': 'application/problem+json' }, e.headers));
}
