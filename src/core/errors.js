"use strict";
var __extends = (this && this.__extends) || (function () {
    var extendStatics = function (d, b) {
        extendStatics = Object.setPrototypeOf ||
            ({ __proto__: [] } instanceof Array && function (d, b) { d.__proto__ = b; }) ||
            function (d, b) { for (var p in b) if (Object.prototype.hasOwnProperty.call(b, p)) d[p] = b[p]; };
        return extendStatics(d, b);
    };
    return function (d, b) {
        if (typeof b !== "function" && b !== null)
            throw new TypeError("Class extends value " + String(b) + " is not a constructor or null");
        extendStatics(d, b);
        function __() { this.constructor = d; }
        d.prototype = b === null ? Object.create(b) : (__.prototype = b.prototype, new __());
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.isEdgelogError = exports.commitOutcomeUnknown = exports.databaseFault = exports.unavailable = exports.appendRefused = exports.afterBeyondLog = exports.conditionFailed = exports.eventIdReused = exports.wrongExpectedRevision = exports.streamNotFound = exports.payloadTooLarge = exports.malformedBody = exports.invalidRequest = exports.EdgelogError = void 0;
/**
 * The one error type of edgelog. Each instance carries its HTTP status and a stable
 * problem `type` (RFC 9457 §3.1.1), so a single onError renders every error.
 */
var EdgelogError = /** @class */ (function (_super) {
    __extends(EdgelogError, _super);
    function EdgelogError(status, kind, title, detail, extensions, headers) {
        if (extensions === void 0) { extensions = {}; }
        if (headers === void 0) { headers = {}; }
        var _this = _super.call(this, detail) || this;
        _this.name = 'EdgelogError';
        _this.status = status;
        _this.kind = kind;
        _this.title = title;
        _this.extensions = extensions;
        _this.headers = headers;
        return _this;
    }
    Object.defineProperty(EdgelogError.prototype, "type", {
        get: function () {
            return "https://edgelog.dev/problems/".concat(this.kind);
        },
        enumerable: false,
        configurable: true
    });
    return EdgelogError;
}(Error));
exports.EdgelogError = EdgelogError;
var invalidRequest = function (detail, errors) {
    if (errors === void 0) { errors = []; }
    return new EdgelogError(400, 'invalid-request', 'Invalid request', detail, errors.length ? { errors: errors } : {});
};
exports.invalidRequest = invalidRequest;
var malformedBody = function (detail) {
    return new EdgelogError(400, 'malformed-body', 'Malformed body', detail);
};
exports.malformedBody = malformedBody;
var payloadTooLarge = function (detail) {
    return new EdgelogError(413, 'payload-too-large', 'Payload too large', detail);
};
exports.payloadTooLarge = payloadTooLarge;
var streamNotFound = function (stream) {
    return new EdgelogError(404, 'stream-not-found', 'Stream not found', "Stream '".concat(stream, "' has no events."), { stream: stream });
};
exports.streamNotFound = streamNotFound;
/** Message DB's wording: say exactly what was expected and what was found. */
var wrongExpectedRevision = function (stream, expected, actual) {
    return new EdgelogError(409, 'wrong-expected-revision', 'Wrong expected revision', "Stream '".concat(stream, "': expected revision ").concat(JSON.stringify(expected), ", but the stream ").concat(actual === null ? 'does not exist' : "is at revision ".concat(actual), "."), { stream: stream, expectedRevision: expected, actualRevision: actual });
};
exports.wrongExpectedRevision = wrongExpectedRevision;
var eventIdReused = function (eventId, detail) {
    return new EdgelogError(409, 'event-id-reused', 'Event id reused', detail, { eventId: eventId });
};
exports.eventIdReused = eventIdReused;
/** A DCB append condition did not hold: events matching failIfEventsMatch were appended after `after`. */
var conditionFailed = function (after, positions) {
    return new EdgelogError(409, 'condition-failed', 'Append condition failed', "Events matching failIfEventsMatch were appended ".concat(after === null ? 'to the log' : "after position ".concat(after), ": position").concat(positions.length > 1 ? 's' : '', " ").concat(positions.join(', '), ". Read them, decide again, and retry."), { after: after, positions: positions });
};
exports.conditionFailed = conditionFailed;
/** A DCB condition's `after` names a position the log has not reached: it would match nothing. */
var afterBeyondLog = function (after, last) {
    var message = "condition.after is ".concat(after, ", beyond the last committed position ").concat(last, "; pass a position you read (a query's position).");
    return new EdgelogError(400, 'invalid-request', 'Invalid request', message, { errors: [{ path: 'condition.after', message: message }], lastPosition: last });
};
exports.afterBeyondLog = afterBeyondLog;
/** The database refused one request on a constraint our checks did not foresee: it alone fails. */
var appendRefused = function (constraint) {
    return new EdgelogError(422, 'append-refused', 'Append refused', "The database refused this append (".concat(constraint, "); nothing of it was written, and it would be refused again as it is."), { constraint: constraint });
};
exports.appendRefused = appendRefused;
var unavailable = function (detail, retryAfterSeconds) {
    if (retryAfterSeconds === void 0) { retryAfterSeconds = 1; }
    return new EdgelogError(503, 'unavailable', 'Service unavailable', detail, {}, {
        'Retry-After': String(retryAfterSeconds),
    });
};
exports.unavailable = unavailable;
/** The database refused a commit (it rolled back, or the request never reached it): nothing of the append was written. */
var databaseFault = function (cause) {
    var e = (0, exports.unavailable)('The database did not take the commit; nothing of this append was written. Retry shortly.', 1);
    e.cause = cause;
    return e;
};
exports.databaseFault = databaseFault;
/**
 * A commit was sent and its answer lost (a timeout, a dropped connection): the database may
 * have written it. A retry with the same event ids is safe, it answers the original result
 * if the first one went in; `eventIds` are this append's ids (the server's, when it chose them).
 */
var commitOutcomeUnknown = function (cause, eventIds) {
    if (eventIds === void 0) { eventIds = []; }
    var e = new EdgelogError(503, 'commit-outcome-unknown', 'Commit outcome unknown', 'The database did not answer the commit in time: this append may have been written. Retrying with the same event ids is safe (a retry of a stored append answers its original result).', eventIds.length ? { eventIds: eventIds } : {}, { 'Retry-After': '1' });
    e.cause = cause;
    return e;
};
exports.commitOutcomeUnknown = commitOutcomeUnknown;
var isEdgelogError = function (e) { return e instanceof EdgelogError; };
exports.isEdgelogError = isEdgelogError;
